"""Free text about a person is encrypted at rest, history included (issue 13,
F5): a case's deciding body and regions, a milestone's deciding body; and the
migration that encrypted existing rows works both ways."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import Case, Milestone, MilestoneKind
from cases.services import case_update, milestone_record
from cases.tests.factories import make_case
from conftest import Cast

CANARY_BODY = "CANARY-Tverskoy-district-court-judge-Petrova"
CANARY_REGION = "CANARY-village-Ivanovka"


def _columns(table: str, columns: list[str]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {", ".join(columns)} FROM "{table}"')  # noqa: S608 - names from this test
        return cursor.fetchall()


def _write(cast: Cast) -> tuple[Case, Milestone]:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    case = case_update(
        case=case,
        acting_user=cast.alice,
        expected_version=case.version,
        trafficking_status_decided_by=CANARY_BODY,
        regions_of_recruitment=[CANARY_REGION],
        regions_of_exploitation=["Moscow oblast"],
    )
    milestone = milestone_record(
        case=case,
        recorded_by=cast.alice,
        kind=MilestoneKind.REASONABLE_GROUNDS,
        deciding_body=CANARY_BODY,
        starts_on=datetime.date(2026, 11, 1),
    )
    return case, milestone


@pytest.mark.django_db
def test_deciding_bodies_and_regions_are_ciphertext_in_tables_and_history(cast: Cast) -> None:
    case, milestone = _write(cast)
    stored = [
        *_columns("cases_case", ["trafficking_status_decided_by", "regions_of_recruitment"]),
        *_columns("cases_caseevent", ["trafficking_status_decided_by", "regions_of_recruitment"]),
        *_columns("cases_milestone", ["deciding_body"]),
        *_columns("cases_milestoneevent", ["deciding_body"]),
    ]
    assert stored
    for row in stored:
        for value in row:
            assert value is None or isinstance(value, (bytes, memoryview)), type(value)
            assert b"CANARY" not in bytes(value or b"")
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.trafficking_status_decided_by, fresh.regions_of_recruitment) == (CANARY_BODY, [CANARY_REGION])
    assert Milestone.objects.get(pk=milestone.pk).deciding_body == CANARY_BODY


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_text_and_decrypts_it_back(cast: Cast) -> None:
    case, milestone = _write(cast)
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0005_field_labels")])
    try:
        assert _columns("cases_case", ["trafficking_status_decided_by"]) == [(CANARY_BODY,)]
        assert _columns("cases_milestone", ["deciding_body"]) == [(CANARY_BODY,)]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest state
    sealed = _columns("cases_case", ["trafficking_status_decided_by"])[0][0]
    assert isinstance(sealed, (bytes, memoryview)) and b"CANARY" not in bytes(sealed)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.trafficking_status_decided_by == CANARY_BODY
    assert fresh.regions_of_recruitment == [CANARY_REGION]
    assert fresh.regions_of_exploitation == ["Moscow oblast"]
    assert Milestone.objects.get(pk=milestone.pk).deciding_body == CANARY_BODY


CANARY_REASON = "CANARY-REASON Svetlana called the hotline from Tver"


@pytest.mark.django_db
def test_the_break_glass_reason_is_ciphertext_and_readable_by_auditors(cast: Cast, client_for: Any) -> None:
    from cases.services import case_break_glass

    case = make_case(opened_by=cast.alice, team=cast.team_a)
    grant = case_break_glass(case=case, acting_user=cast.charlie, reason=CANARY_REASON)
    for table in ("cases_breakglassreason", "cases_caseuserobjectpermission", "cases_caseuserobjectpermissionevent"):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - fixed names
            assert "CANARY" not in repr(cursor.fetchall()), table
    access = client_for(cast.alice).get(f"/api/v1/cases/{case.pk}/access/").json()
    assert [e["justification"] for e in access if e["reason"] == "break_glass"] == [CANARY_REASON]
    assert grant.break_glass_reason.reason == CANARY_REASON


@pytest.mark.django_db(transaction=True)
def test_the_break_glass_migration_moves_reasons_both_ways(cast: Cast) -> None:
    from cases.models import CaseUserObjectPermission
    from cases.services import case_break_glass

    case = make_case(opened_by=cast.alice, team=cast.team_a)
    grant = case_break_glass(case=case, acting_user=cast.charlie, reason=CANARY_REASON)
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0006_encrypt_free_text")])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT justification FROM cases_caseuserobjectpermission WHERE id = %s", [grant.pk])
            assert cursor.fetchone() == (CANARY_REASON,)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    moved = CaseUserObjectPermission.objects.get(pk=grant.pk)
    assert moved.break_glass_reason.reason == CANARY_REASON
