"""In-app notifications: made once per event, own inbox only, unread count,
mark read, texts in the reader's language without survivor data."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from cases.models import CaseUserObjectPermission
from cases.services import case_break_glass
from cases.tasks import notify_break_glass
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from notifications.models import Notification
from notifications.services import notify


def test_break_glass_notifies_supervisors_and_auditors_in_app_once(cast: Cast, client_for: Any) -> None:
    survivor = make_survivor(created_by=cast.charlie, given_names="Canaryname", family_name="Secretova")
    case = make_case(opened_by=cast.charlie, team=cast.team_b, survivor=survivor, summary="Canary summary")
    User.objects.filter(pk=cast.audrey.pk).update(language="ru")
    grant = case_break_glass(case=case, acting_user=cast.sam, reason="Police at the shelter door now")
    notify_break_glass(str(grant.pk))
    CaseUserObjectPermission.objects.filter(pk=grant.pk).update(notified_at=None)
    notify_break_glass(str(grant.pk))  # a retried task adds nothing
    assert Notification.objects.filter(kind="break_glass").count() == 1  # audrey; team B has no supervisor
    body = client_for(cast.audrey).get("/api/v1/notifications/").json()["results"]
    assert len(body) == 1
    text = body[0]["text"]
    expected = f"sam открыл(а) дело {case.reference} по экстренному доступу до "  # noqa: RUF001 - Russian text
    assert text.startswith(expected)  # audrey reads Russian
    assert body[0]["case_reference"] == case.reference
    assert body[0]["link"].endswith(f"/admin/cases/case/{case.pk}/change/")
    for secret in ("Canaryname", "Secretova", "Canary summary", "Police"):
        assert secret not in str(body)


def test_inbox_unread_count_and_marking_read(cast: Cast, client_for: Any) -> None:
    for n in range(3):
        notify(recipients=[cast.alice], kind="bulk_access", key=f"k{n}", subject_user=cast.bob, params={"count": 60})
    notify(recipients=[cast.bob], kind="bulk_access", key="k0", subject_user=cast.charlie, params={"count": 60})
    notify(recipients=[cast.alice], kind="bulk_access", key="k0", subject_user=cast.bob)  # same event: ignored
    as_alice = client_for(cast.alice)
    assert as_alice.get("/api/v1/notifications/unread-count").json() == {"unread": 3}
    listed = as_alice.get("/api/v1/notifications/").json()["results"]
    assert len(listed) == 3 and all("bob read 60" in row["text"] for row in listed)
    first = listed[0]["id"]
    read = as_alice.post(f"/api/v1/notifications/{first}/read")
    assert read.status_code == 200 and read.json()["read_at"]
    assert as_alice.get("/api/v1/notifications/unread-count").json() == {"unread": 2}
    assert len(as_alice.get("/api/v1/notifications/?unread=true").json()["results"]) == 2
    assert as_alice.get("/api/v1/notifications/?unread=maybe").status_code == 400
    bobs = Notification.objects.get(recipient=cast.bob).pk
    assert as_alice.post(f"/api/v1/notifications/{bobs}/read").status_code == 404
    assert as_alice.post("/api/v1/notifications/read", {}, format="json").json() == {"unread": 0}
    assert Notification.objects.get(pk=bobs).read_at is None
    assert as_alice.post("/api/v1/notifications/read", {"ids": ["x"]}, format="json").status_code == 400


def test_inbox_query_count_is_fixed(cast: Cast, client_for: Any) -> None:
    for n in range(8):
        notify(recipients=[cast.alice], kind="bulk_access", key=f"q{n}", subject_user=cast.bob, params={"count": 1})
    client = client_for(cast.alice)
    counts = []
    for size in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(f"/api/v1/notifications/?page_size={size}").json()["results"]) == size
        counts.append(len(queries))
    assert counts == [5, 5], counts  # token, user, SAVEPOINT, the page with its case and user, RELEASE
