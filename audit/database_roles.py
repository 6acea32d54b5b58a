"""What the application's database role can do to the audit trail.

The access log and the change history refuse UPDATE and DELETE by trigger,
for every role. What a trigger cannot stop: emptying a table (its owner, or
a role holding TRUNCATE), changing or dropping it and its triggers (its
owner), switching triggers off (the owner, or a superuser) — and a
superuser can do anything. So the application connects as a role that owns
nothing and holds only row privileges, and migrations run as the owner
(docs/operations.md, "Database roles").

``role_powers()`` lists what the connected role could do to those tables;
``privileges_sql()`` is what the owner grants the application role after
each migration (``grant_app_privileges``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection

from .models import AccessLogEntry

SCHEMAS = ("public", "keystore")


def protected_tables() -> list[str]:
    """The access log and every change-history (pghistory event) table."""
    from pghistory.models import Event

    tables = [AccessLogEntry._meta.db_table]
    tables += sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, Event) and not model._meta.proxy and model._meta.managed
    )
    return tables


@dataclass(frozen=True)
class Power:
    table: str
    what: str

    def __str__(self) -> str:
        return f"{self.what} on {self.table}" if self.table else self.what


def role_powers() -> list[Power]:
    """What the connected role could do to the protected tables beyond adding
    and reading rows: empty (TRUNCATE), alter or drop them and switch their
    triggers off (owner), or anything (superuser). Empty when the role is
    safe to run the application with."""
    powers: list[Power] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            powers.append(Power("", "superuser: can disable triggers and rewrite anything"))
        for schema in SCHEMAS:
            cursor.execute(
                "SELECT has_schema_privilege(current_user, n.oid, 'CREATE') FROM pg_namespace n WHERE n.nspname = %s",
                [schema],
            )
            row = cursor.fetchone()
            if row is not None and row[0]:
                powers.append(Power(f"schema {schema}", "CREATE (new tables, functions, triggers)"))
        for table in protected_tables():
            cursor.execute(
                """
                SELECT has_table_privilege(current_user, c.oid, 'TRUNCATE'),
                       pg_has_role(current_user, c.relowner, 'USAGE'),
                       has_table_privilege(current_user, c.oid, 'TRIGGER'),
                       has_table_privilege(current_user, c.oid, 'UPDATE'),
                       has_table_privilege(current_user, c.oid, 'DELETE')
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relname = %s AND n.nspname = 'public'
                """,
                [table],
            )
            row = cursor.fetchone()
            if row is None:
                continue
            truncate, owns, trigger, update, delete = row
            if truncate:
                powers.append(Power(table, "TRUNCATE"))
            if owns:
                powers.append(Power(table, "owner: ALTER TABLE, DROP, DISABLE TRIGGER"))
            if trigger and not owns:
                powers.append(Power(table, "TRIGGER privilege"))
            if update:
                powers.append(Power(table, "UPDATE privilege (the trigger still refuses)"))
            if delete:
                powers.append(Power(table, "DELETE privilege (the trigger still refuses)"))
    return powers


def privileges_sql(app_role: str) -> list[str]:
    """The grants that make ``app_role`` an application role: row privileges
    on every table and sequence of the project's schemas, then only SELECT
    and INSERT on the protected tables. Run by the owner after migrating."""
    role = connection.ops.quote_name(app_role)
    statements = []
    for schema in SCHEMAS:
        statements += [
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            f"REVOKE CREATE ON SCHEMA {schema} FROM {role}",
        ]
    for table in protected_tables():
        statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} FROM {role}")
    return statements
