"""The application's database role cannot empty, alter or switch off the
audit trail; the check and the command say so when it can."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.checks import application_role_is_not_the_owner
from audit.database_roles import privileges_sql, protected_tables, role_powers

pytestmark = pytest.mark.django_db

ROLE = "ngo_test_app_role"


@pytest.fixture
def app_role() -> Iterator[str]:
    """A role with the application's privileges, for this test's transaction only."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
        for statement in privileges_sql(ROLE):
            cursor.execute(statement)
    yield ROLE


def _as(role: str) -> Any:
    class AsRole:
        def __enter__(self) -> None:
            with connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {role}")

        def __exit__(self, *exc: object) -> None:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")

    return AsRole()


def test_the_protected_tables_are_the_access_log_and_every_history_table() -> None:
    tables = protected_tables()
    assert tables[0] == "audit_accesslogentry"
    assert {"cases_caseevent", "cases_survivorevent", "accounts_userevent"} <= set(tables)


def test_a_superuser_is_reported(settings: Any) -> None:
    assert any("superuser" in str(power) for power in role_powers())
    settings.NGO_DATABASE_ROLE = "application"
    assert application_role_is_not_the_owner(databases=["default"])
    settings.NGO_DATABASE_ROLE = "owner"  # the migration step
    assert application_role_is_not_the_owner(databases=["default"]) == []
    with pytest.raises(CommandError, match="can change the audit trail"):
        call_command("check_database_roles", stdout=StringIO())


def test_the_application_role_has_rows_only(app_role: str, settings: Any) -> None:
    settings.NGO_DATABASE_ROLE = "application"
    with _as(app_role):
        assert role_powers() == []
        assert application_role_is_not_the_owner(databases=["default"]) == []
        out = StringIO()
        call_command("check_database_roles", stdout=out)
        assert "safe to run the application" in out.getvalue()
        for statement, refusal in [
            ("TRUNCATE audit_accesslogentry", "permission denied"),
            ("ALTER TABLE audit_accesslogentry DISABLE TRIGGER ALL", "must be owner"),
            ("DELETE FROM audit_accesslogentry", "permission denied"),
            ("TRUNCATE cases_caseevent", "permission denied"),
            ("CREATE TABLE public.sneaky (id int)", "permission denied"),
        ]:
            with pytest.raises(DatabaseError, match=refusal), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        with connection.cursor() as cursor:  # and it still does its work
            cursor.execute("SELECT count(*) FROM audit_accesslogentry")
            cursor.execute("SELECT count(*) FROM keystore.crypto_datakey")


def test_a_truncate_grant_is_found(app_role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON audit_accesslogentry TO {app_role}")
    with _as(app_role):
        assert [str(power) for power in role_powers()] == ["TRUNCATE on audit_accesslogentry"]
