"""The auditors' admin: the log filtered every way the issue asks, exported
as CSV (and that export logged), read-only, and for auditors only."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AccessLogEntry, Action
from audit.services import record
from cases.tests.factories import make_case
from conftest import Cast

LOG = "/admin/audit/accesslogentry/"


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entries(cast: Cast) -> dict[str, uuid.UUID]:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    other = make_case(opened_by=cast.charlie, team=cast.team_b)
    record(
        action=Action.READ,
        actor=cast.alice,
        object_type="case",
        object_ids=[case.pk],
        case_ids=[case.pk],
        survivor_ids=[case.survivor_id],
    )
    record(
        action=Action.READ,
        actor=cast.charlie,
        object_type="case",
        object_ids=[other.pk],
        case_ids=[other.pk],
        survivor_ids=[other.survivor_id],
    )
    return {"case": case.pk, "survivor": case.survivor_id, "other": other.pk}


def shown(client: Client, query: str) -> list[str]:
    response = client.get(f"{LOG}?{query}")
    assert response.status_code == 200
    return [str(entry.pk) for entry in response.context["cl"].result_list]


def test_auditor_filters_by_case_survivor_user_action_and_date(cast: Cast, entries: dict[str, uuid.UUID]) -> None:
    client = admin_client(cast.audrey)
    alice_read = AccessLogEntry.objects.get(action="read", actor=cast.alice)
    charlie_read = AccessLogEntry.objects.get(action="read", actor=cast.charlie)
    # the case's grants (made when it was opened) are about it too
    about_case = shown(client, f"case={entries['case']}")
    assert str(alice_read.pk) in about_case and str(charlie_read.pk) not in about_case
    assert shown(client, f"case={entries['case']}&action__exact=read") == [str(alice_read.pk)]
    assert shown(client, f"survivor={entries['survivor']}") == [str(alice_read.pk)]
    assert shown(client, f"actor__id__exact={cast.charlie.pk}&action__exact=read") == [str(charlie_read.pk)]
    assert shown(client, f"q={entries['other']}&action__exact=read") == [str(charlie_read.pk)]
    assert set(shown(client, "action__exact=read")) == {str(alice_read.pk), str(charlie_read.pk)}
    assert shown(client, f"organisation__id__exact={cast.partner_org.pk}") == []
    assert shown(client, "at__year=2001") == []
    assert shown(client, "case=not-a-uuid") == []
    detail = client.get(reverse("admin:audit_accesslogentry_change", args=[alice_read.pk]))
    assert detail.status_code == 200


def test_csv_export_of_a_filtered_view_is_itself_logged(cast: Cast, entries: dict[str, uuid.UUID]) -> None:
    client = admin_client(cast.audrey)
    query = f"action__exact=read&case={entries['case']}"
    page = client.get(f"{LOG}?{query}")
    export_url = reverse("admin:audit_accesslogentry_export") + f"?{query}"
    assert export_url.replace("&", "&amp;") in page.content.decode()
    response = client.get(export_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.getvalue().decode().strip().splitlines()
    assert lines[0].startswith("time,user,role,organisation,action,what,result,address") and len(lines) == 2
    assert str(entries["case"]) in lines[1]
    export = AccessLogEntry.objects.filter(action=Action.EXPORT, actor=cast.audrey).get()
    assert export.detail.startswith("entries=1 ")
    assert f"case={entries['case']}" in export.detail
    # a search term typed into the box (it could be a name) never reaches the log
    client.get(reverse("admin:audit_accesslogentry_export") + "?q=Gulnara%20Karimova&action__exact=read")
    searched = AccessLogEntry.objects.filter(action=Action.EXPORT).order_by("-id").first()
    assert searched is not None and "Gulnara" not in searched.detail and "q=(text)" in searched.detail


@pytest.mark.parametrize("persona", ["alice", "sam", "adam"])
def test_only_auditors_read_the_log(cast: Cast, entries: dict[str, uuid.UUID], persona: str) -> None:
    client = admin_client(cast.persona(persona))
    assert client.get(LOG).status_code in (302, 403)
    assert client.get(reverse("admin:audit_accesslogentry_export")).status_code in (302, 403)


def test_the_log_admin_changes_nothing(cast: Cast, entries: dict[str, uuid.UUID]) -> None:
    client = admin_client(cast.root)  # even the superuser
    entry = AccessLogEntry.objects.first()
    assert entry is not None
    assert client.get(f"{LOG}add/").status_code == 403
    assert (
        client.post(reverse("admin:audit_accesslogentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    assert client.post(LOG, {"action": "delete_selected", "_selected_action": [entry.pk]}).status_code in (200, 302)
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_user_screen_links_to_what_the_user_accessed(cast: Cast, entries: dict[str, uuid.UUID]) -> None:
    page = admin_client(cast.audrey).get(reverse("admin:accounts_user_change", args=[cast.alice.pk]))
    assert page.status_code == 200
    assert f"{LOG}?actor__id__exact={cast.alice.pk}" in page.content.decode()


def test_the_acting_user_of_a_request_does_not_outlive_it(cast: Cast, client_for: Any) -> None:
    """A service writing a log row after a request (a task, a command, the next
    request in the same thread) must not name that request's user as actor."""
    from audit import services as audit_services
    from ngo_cases import access_log as context

    assert client_for(cast.alice).get("/api/v1/me").status_code == 200
    assert context.actor() is None
    audit_services.record(action=Action.GRANT_CREATED, object_type="case")
    assert AccessLogEntry.objects.latest("id").actor_id is None
