"""The change history (django-pghistory): complete for bulk and raw updates,
ciphertext only, with the acting user and request, append-only, and never
of the keys or blind indexes that erasure destroys."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from cases.models import Case, Survivor
from cases.tests.factories import make_case
from conftest import Cast

TRACKED = [
    "accounts.Organisation",
    "accounts.Team",
    "accounts.TeamMembership",
    "accounts.User",
    "cases.Survivor",
    "cases.Case",
    "cases.CaseNote",
    "cases.Consent",
    "cases.Milestone",
    "cases.FollowUp",
    "cases.CaseUserObjectPermission",
    "cases.CaseGroupObjectPermission",
    "referrals.OrganisationService",
    "referrals.OrganisationContact",
    "referrals.Referral",
    "referrals.ServiceDelivery",
    "referrals.ReferralUserObjectPermission",
    "referrals.ReferralGroupObjectPermission",
]


def events(model: Any, **filters: Any) -> Any:
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event").objects.filter(**filters)


def test_every_domain_model_has_history_and_keys_have_none() -> None:
    for label in TRACKED:
        app_label, name = label.split(".")
        assert apps.get_model(app_label, f"{name}Event") is not None
    untracked = {"crypto.DataKeyEvent", "cases.SurvivorIndexEntryEvent"}
    names = {f"{m._meta.app_label}.{m.__name__}" for m in apps.get_models()}
    assert not untracked & names


def test_bulk_and_raw_updates_are_recorded(cast: Cast) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    Case.objects.filter(pk=case.pk).update(risk_level="low")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET risk_level = 'high' WHERE id = %s", [case.pk])
    labels = list(events(Case, pgh_obj_id=case.pk).order_by("pgh_id").values_list("pgh_label", "risk_level"))
    assert labels == [("insert", "medium"), ("update", "low"), ("update", "high")]


def test_history_holds_ciphertext_with_the_acting_user_and_request(cast: Cast, client_for: Any) -> None:
    as_alice: APIClient = client_for(cast.alice)
    created = as_alice.post("/api/v1/survivors/", {"given_names": "Zarina", "family_name": "Canary"}, format="json")
    survivor_id = created.json()["id"]
    url = f"/api/v1/survivors/{survivor_id}"
    assert (
        as_alice.patch(url, {"family_name": "Other"}, format="json", HTTP_IF_MATCH=created["ETag"]).status_code == 200
    )
    rows = list(events(Survivor, pgh_obj_id=survivor_id).order_by("pgh_id"))
    assert [row.pgh_label for row in rows] == ["insert", "update"]
    for row in rows:
        assert isinstance(row.family_name, (bytes, memoryview)) and b"Canary" not in bytes(row.family_name)
        assert row.pgh_context["user"] == str(cast.alice.pk)
    assert rows[1].pgh_context["url"] == url


def test_history_tables_refuse_update_and_delete(cast: Cast) -> None:
    make_case(opened_by=cast.alice, team=cast.team_a)
    for statement in ("UPDATE cases_caseevent SET risk_level = 'low'", "DELETE FROM cases_survivorevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert events(Case).exists() and events(Survivor).exists()


def test_break_glass_reason_stays_out_of_history(cast: Cast) -> None:
    from cases.services import case_break_glass

    case = make_case(opened_by=cast.charlie, team=cast.team_b)
    case_break_glass(case=case, acting_user=cast.sam, reason="Canary-Olga called from the station")
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM cases_caseuserobjectpermissionevent t")
        dump = "\n".join(row[0] for row in cursor.fetchall())
    assert str(case.pk) in dump  # the grant is in the history...
    assert "Canary-Olga" not in dump  # ...its free-text reason is not
