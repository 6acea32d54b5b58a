"""The access log is append-only and hash-chained, by the database itself.

* ``audit_entry_hash(entry)``: sha256 of the previous hash and the entry's
  canonical text; used by the chaining trigger and by verify_audit_chain.
* ``audit_before_insert``: a new row never brings its own seq, hashes or time.
* ``audit_chain``: a deferred constraint trigger that runs at COMMIT, takes
  an advisory lock (held only while the transaction commits), gives the row
  the next seq and its hashes. Rows are chained in commit order.
* ``audit_refuse_change``: UPDATE and DELETE are refused, except the one
  UPDATE ``audit_chain`` makes to seal a row. TRUNCATE is a table owner's
  right: in production the application's database role must not own the
  tables (docs/operations.md); the test suite needs it to flush.
"""

from django.db import migrations

CONTENT_COLUMNS = (
    "id, at, actor_id, actor_role, organisation_id, ip, endpoint, method, action, object_type, "
    "object_ids, case_ids, survivor_ids, subject_id, break_glass_grant_id, status_code, detail"
)
CHAIN_LOCK = 7315001  # pg_advisory_xact_lock key of the chain

FORWARD = f"""
CREATE FUNCTION audit_entry_hash(e audit_accesslogentry) RETURNS bytea
LANGUAGE sql STABLE AS $$
  SELECT sha256(coalesce(e.prev_hash, ''::bytea) || convert_to(concat_ws(E'\\x1f',
    e.seq::text,
    to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    coalesce(e.actor_id::text, ''),
    e.actor_role,
    coalesce(e.organisation_id::text, ''),
    coalesce(host(e.ip), ''),
    e.endpoint,
    e.method,
    e.action,
    e.object_type,
    array_to_string(e.object_ids, ','),
    array_to_string(e.case_ids, ','),
    array_to_string(e.survivor_ids, ','),
    coalesce(e.subject_id::text, ''),
    coalesce(e.break_glass_grant_id::text, ''),
    coalesce(e.status_code::text, ''),
    e.detail
  ), 'UTF8'))
$$;

CREATE FUNCTION audit_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  NEW.at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER audit_before_insert BEFORE INSERT ON audit_accesslogentry
  FOR EACH ROW EXECUTE FUNCTION audit_before_insert();

CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash bytea;
  entry audit_accesslogentry;
BEGIN
  PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
  SELECT seq, hash INTO last_seq, last_hash FROM audit_accesslogentry
    WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
  SELECT * INTO entry FROM audit_accesslogentry WHERE id = NEW.id;
  entry.seq := coalesce(last_seq, 0) + 1;
  entry.prev_hash := coalesce(last_hash, decode(repeat('00', 32), 'hex'));
  entry.hash := audit_entry_hash(entry);
  UPDATE audit_accesslogentry SET seq = entry.seq, prev_hash = entry.prev_hash, hash = entry.hash
    WHERE id = NEW.id;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER audit_chain AFTER INSERT ON audit_accesslogentry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain();

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF pg_trigger_depth() > 1 AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND ROW({", ".join("OLD." + c for c in CONTENT_COLUMNS.split(", "))})
           IS NOT DISTINCT FROM ROW({", ".join("NEW." + c for c in CONTENT_COLUMNS.split(", "))}) THEN
      RETURN NEW;  -- audit_chain sealing a new row
    END IF;
  END IF;
  RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END $$;

CREATE TRIGGER audit_refuse_change BEFORE UPDATE OR DELETE ON audit_accesslogentry
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_refuse_change ON audit_accesslogentry;
DROP TRIGGER IF EXISTS audit_chain ON audit_accesslogentry;
DROP TRIGGER IF EXISTS audit_before_insert ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_refuse_change();
DROP FUNCTION IF EXISTS audit_chain();
DROP FUNCTION IF EXISTS audit_before_insert();
DROP FUNCTION IF EXISTS audit_entry_hash(audit_accesslogentry);
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_access_log")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
