"""The access log from the API's side: every data endpoint logs exactly the
ids it returns, in one row per request; a read whose row cannot be written
fails and changes nothing; no personal data reaches the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AccessLogEntry
from conftest import Cast

from .policy import API_POLICY
from .test_permission_matrix import API_ROUTES, _alices_attachment, _alices_objects, _route_kwargs

Client = Callable[[User | None], APIClient]


def _view_class(route_name: str) -> Any:
    for pattern in get_resolver().url_patterns:
        for inner in getattr(pattern, "url_patterns", []):
            if f"api:{getattr(inner, 'name', '')}" == route_name:
                return getattr(inner.callback, "view_class", None)
    return None


DATA_GET_ROUTES = sorted(
    name
    for name, policy in API_POLICY.items()
    if "GET" in policy["methods"]  # type: ignore[operator]
    and getattr(_view_class(name), "audit_type", None) is not None
    and name != "api:referral-letter"  # alice's referral goes to a partner with accounts: tested with letters
    and not name.startswith("api:statistics-")  # reporters only; the parameters and export ids (reporting/tests)
)


def test_every_survivor_data_endpoint_is_audited() -> None:
    """The routes that return survivor, case or referral data all declare an
    audit type; the directory, accounts and schema routes do not."""
    expected = {
        name
        for name in API_POLICY
        if name.startswith(("api:survivor-", "api:case-", "api:referral-", "api:follow-up-"))
        or name == "api:statistics-panel"  # who ran which report (reporting/tests)
        or name.startswith("api:statistics-export-")  # who asked for, read and downloaded which export
    }
    audited = {name for name in API_POLICY if getattr(_view_class(name), "audit_type", None)}
    assert audited == expected


def _returned_ids(route: str, body: Any, kwargs: dict[str, Any]) -> list[str]:
    if route == "api:case-access":
        return [str(kwargs["case_id"])]
    if isinstance(body, dict) and "results" in body:
        return [row["id"] for row in body["results"]]
    return [body["id"]]


@pytest.mark.parametrize("route", DATA_GET_ROUTES)
def test_ids_logged_equal_ids_returned(route: str, cast: Cast, client_for: Client) -> None:
    objects = _alices_objects(cast)
    route_object = next(r for r in API_ROUTES if r.name == route)
    kwargs = _route_kwargs(route_object, cast)
    if "-attachment-" in route and "attachment_id" not in kwargs:
        _alices_attachment(route_object, cast)  # something in the list
    download = route.endswith("-attachment-content")
    before = AccessLogEntry.objects.count()
    response = client_for(cast.alice).get(reverse(route, kwargs=kwargs))
    assert response.status_code == 200, response.content
    rows = list(AccessLogEntry.objects.order_by("id")[before:])
    assert len(rows) == 1, "one row per request"
    row = rows[0]
    body = {"id": str(kwargs["attachment_id"])} if download else response.json()
    assert sorted(map(str, row.object_ids)) == sorted(_returned_ids(route, body, kwargs))
    if route != "api:referral-delivery-list":  # nothing delivered yet on alice's referral
        assert row.object_ids, "alice's objects are in every list"
    assert (row.actor_id, row.actor_role, row.organisation_id) == (cast.alice.pk, "caseworker", cast.home.pk)
    action = "download" if download else "read"
    assert (row.action, row.method, row.endpoint, row.status_code) == (action, "GET", route, 200)
    assert row.ip == "127.0.0.1"
    assert {str(c) for c in row.case_ids} <= {str(objects["case_id"])} | _alices_other_cases(cast)
    assert str(objects["survivor_id"]) in {str(s) for s in row.survivor_ids}


def _alices_other_cases(cast: Cast) -> set[str]:
    from cases.permissions import cases_visible_to

    return {str(pk) for pk in cases_visible_to(cast.alice).values_list("pk", flat=True)}


def test_writes_and_searches_are_logged_with_their_ids(cast: Cast, client_for: Client) -> None:
    objects = _alices_objects(cast)
    as_alice = client_for(cast.alice)
    note = as_alice.post(f"/api/v1/cases/{objects['case_id']}/notes/", {"body": "Called back."}, format="json")
    assert note.status_code == 201
    row = AccessLogEntry.objects.order_by("-id").first()
    assert row is not None
    assert (row.action, row.object_type, [str(i) for i in row.object_ids]) == ("write", "note", [note.json()["id"]])
    assert [str(c) for c in row.case_ids] == [str(objects["case_id"])]
    found = as_alice.post("/api/v1/survivors/duplicates", {"name": "Test Survivor"}, format="json").json()
    row = AccessLogEntry.objects.order_by("-id").first()
    assert row is not None and row.action == "search"
    assert sorted(map(str, row.survivor_ids)) == sorted(m["survivor_id"] for m in found["matches"])


def test_reads_through_break_glass_name_the_grant(cast: Cast, client_for: Client) -> None:
    from cases.tests.factories import make_case

    case = make_case(opened_by=cast.charlie, team=cast.team_b)
    as_sam = client_for(cast.sam)
    opened = as_sam.post(f"/api/v1/cases/{case.pk}/break-glass", {"reason": "Police at the shelter door now"})
    assert opened.status_code == 201
    assert as_sam.get(f"/api/v1/cases/{case.pk}").status_code == 200
    row = AccessLogEntry.objects.order_by("-id").first()
    grant_id = case.user_grants.get(reason="break_glass").pk
    assert row is not None and row.break_glass_grant_id == grant_id


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_request_whose_log_cannot_be_written_fails_and_changes_nothing(
    method: str, cast: Cast, client_for: Client
) -> None:
    objects = _alices_objects(cast)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'log disk full'; END $$; "
            "CREATE TRIGGER test_refuse BEFORE INSERT ON audit_accesslogentry "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
        )
    from cases.models import CaseNote

    notes = CaseNote.objects.count()
    url = f"/api/v1/cases/{objects['case_id']}/notes/"
    as_alice = client_for(cast.alice)
    response = as_alice.get(url) if method == "GET" else as_alice.post(url, {"body": "x"}, format="json")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert "First meeting" not in response.content.decode()
    assert CaseNote.objects.count() == notes


def test_no_personal_data_in_the_log_after_a_full_workflow(cast: Cast, client_for: Client) -> None:
    from referrals.tests.factories import assign, give_referral_consent

    canary = "Canaryname-Gulnara"
    as_alice = client_for(cast.alice)
    survivor = as_alice.post(
        "/api/v1/survivors/", {"given_names": canary, "phone": "+79990001133", "address": canary}, format="json"
    ).json()
    case = as_alice.post(
        "/api/v1/cases/", {"survivor": survivor["id"], "team": str(cast.team_a.pk), "summary": canary}, format="json"
    ).json()
    case_url = f"/api/v1/cases/{case['id']}"
    as_alice.post(f"{case_url}/notes/", {"body": canary}, format="json")
    as_alice.post(
        f"{case_url}/follow-ups/",
        {"due_on": "2026-12-01", "assignee": str(cast.alice.pk), "description": canary},
        format="json",
    )
    as_alice.post("/api/v1/survivors/duplicates", {"name": canary, "phone": "+79990001133"}, format="json")
    from cases.models import Case

    give_referral_consent(Case.objects.get(pk=case["id"]), cast.partner_org, cast.alice)
    referral = as_alice.post(
        "/api/v1/referrals/",
        {
            "case": case["id"],
            "organisation": str(cast.partner_org.pk),
            "services": ["shelter"],
            "reason": canary,
            "shared_groups": ["identity", "contact"],
        },
        format="json",
    )
    assert referral.status_code == 201
    from referrals.models import Referral

    sent = as_alice.post(
        f"/api/v1/referrals/{referral.json()['id']}/send", {}, format="json", HTTP_IF_MATCH=referral["ETag"]
    )
    assert sent.status_code == 200
    assign(Referral.objects.get(pk=referral.json()["id"]), cast.pat, cast.petra)
    assert client_for(cast.pat).get(f"/api/v1/referrals/{referral.json()['id']}").status_code == 200
    for path in ("/api/v1/cases/", "/api/v1/survivors/", f"{case_url}/notes/", "/api/v1/referrals/"):
        assert as_alice.get(path).status_code == 200
    assert AccessLogEntry.objects.count() >= 12
    dumps = {table: _dump(table) for table in ["audit_accesslogentry", *_history_tables()]}
    assert len(dumps) >= 18, sorted(dumps)  # the log and every event table
    for table, dump in dumps.items():
        for secret in (canary, "79990001133", "Canaryname", canary.encode().hex()):
            assert secret not in dump, table
    assert survivor["id"] in dumps["audit_accesslogentry"]  # ids are what the log is made of
    # the history holds every version of the survivor, as ciphertext
    assert survivor["id"] in dumps["cases_survivorevent"] and "\\x" in dumps["cases_survivorevent"]


def _history_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_name LIKE '%%event' ORDER BY table_name"
        )
        return [row[0] for row in cursor.fetchall()]


def _dump(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - table names from information_schema
        return "\n".join(row[0] for row in cursor.fetchall())
