"""The access log is append-only and hash-chained, by the database itself.

* ``audit_entry_hash(prev_hash, seq, entry)``: sha256 of the previous hash,
  the sequence number and the entry's canonical text; used by the chaining
  trigger and by verify_audit_chain alike.
* ``audit_before_insert``: an entry's time is the database's.
* ``audit_chain``: a deferred constraint trigger that runs at COMMIT, takes
  an advisory lock (held only while the transaction commits) and inserts
  the entry's chain link: the next seq and its hashes. Entries are chained
  in commit order; no row is ever updated.
* ``audit_refuse_change``: UPDATE and DELETE of entries and links are
  refused; a link can only be inserted by ``audit_chain``.

TRUNCATE is a table owner's right: in production the application's database
role must not own the tables (docs/operations.md); the test suite needs it
to flush.
"""

from django.db import migrations

CHAIN_LOCK = 7315001  # pg_advisory_xact_lock key of the chain

FORWARD = f"""
CREATE FUNCTION audit_entry_hash(prev_hash bytea, seq bigint, e audit_accesslogentry) RETURNS bytea
LANGUAGE sql STABLE AS $$
  SELECT sha256(prev_hash || convert_to(concat_ws(E'\\x1f',
    seq::text,
    e.id::text,
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
  NEW.at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER audit_before_insert BEFORE INSERT ON audit_accesslogentry
  FOR EACH ROW EXECUTE FUNCTION audit_before_insert();

CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash bytea;
  next_seq bigint;
BEGIN
  PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
  SELECT seq, hash INTO last_seq, last_hash FROM audit_chainlink ORDER BY seq DESC LIMIT 1;
  next_seq := coalesce(last_seq, 0) + 1;
  last_hash := coalesce(last_hash, decode(repeat('00', 32), 'hex'));
  INSERT INTO audit_chainlink (seq, entry_id, prev_hash, hash)
    VALUES (next_seq, NEW.id, last_hash, audit_entry_hash(last_hash, next_seq, NEW));
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER audit_chain AFTER INSERT ON audit_accesslogentry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain();

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND pg_trigger_depth() > 1 THEN
    RETURN NEW;  -- audit_chain adding a link
  END IF;
  RAISE EXCEPTION 'the access log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = '42501';
END $$;

CREATE TRIGGER audit_refuse_change BEFORE UPDATE OR DELETE ON audit_accesslogentry
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_refuse_change BEFORE INSERT OR UPDATE OR DELETE ON audit_chainlink
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_refuse_change ON audit_chainlink;
DROP TRIGGER IF EXISTS audit_refuse_change ON audit_accesslogentry;
DROP TRIGGER IF EXISTS audit_chain ON audit_accesslogentry;
DROP TRIGGER IF EXISTS audit_before_insert ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_refuse_change();
DROP FUNCTION IF EXISTS audit_chain();
DROP FUNCTION IF EXISTS audit_before_insert();
DROP FUNCTION IF EXISTS audit_entry_hash(bytea, bigint, audit_accesslogentry);
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_access_log")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
