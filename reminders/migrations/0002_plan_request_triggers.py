"""Every write to a source of reminders, whatever path it takes (services,
admin, bulk updates, raw SQL), asks the planner to plan that row again."""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION reminders_request_plan() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_id uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN row_id := OLD.id; ELSE row_id := NEW.id; END IF;
    INSERT INTO reminders_planrequest (source_type, source_id, requested_at)
    VALUES (TG_ARGV[0], row_id, now())
    ON CONFLICT (source_type, source_id) DO NOTHING;
    RETURN NULL;
END
$$;
"""

# table, source type, the columns whose change matters
SOURCES = [
    ("cases_followup", "follow_up", "due_on, status, case_id"),
    ("cases_milestone", "milestone", "kind, decision, starts_on, ends_on, completed_on, case_id"),
    ("cases_consent", "consent", "expires_at, revoked_at, case_id"),
    ("referrals_referral", "referral", "status, sent_at, completed_at, case_id"),
    ("cases_case", "case", "status, risk_level, opened_at"),
    ("cases_survivor", "survivor", "identity_documents, erased_at"),
]


def _create() -> list[str]:
    statements = [FUNCTION]
    for table, source, columns in SOURCES:
        statements.append(
            f"CREATE TRIGGER reminders_plan_insert_delete AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION reminders_request_plan('{source}');"
        )
        statements.append(
            f"CREATE TRIGGER reminders_plan_update AFTER UPDATE OF {columns} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION reminders_request_plan('{source}');"
        )
    return statements


def _drop() -> list[str]:
    statements = []
    for table, _source, _columns in SOURCES:
        statements.append(f"DROP TRIGGER IF EXISTS reminders_plan_insert_delete ON {table};")
        statements.append(f"DROP TRIGGER IF EXISTS reminders_plan_update ON {table};")
    statements.append("DROP FUNCTION IF EXISTS reminders_request_plan();")
    return statements


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_reminders")]

    operations = [migrations.RunSQL(sql=_create(), reverse_sql=_drop())]
