"""Bulk-access alert: a user reading more distinct survivors than allowed in
the window is reported once, to auditors and their supervisors, without PII."""

from __future__ import annotations

from typing import Any

from django.core import mail

from audit.models import BulkAccessAlert
from audit.services import record
from audit.tasks import detect_bulk_access, notify_bulk_access
from cases.tests.factories import make_case
from conftest import Cast


def test_bulk_reading_raises_one_alert_and_mails_without_pii(
    cast: Cast, client_for: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NGO_BULK_ACCESS_SURVIVORS = 3
    for persona in (cast.audrey, cast.sam):
        persona.email = f"{persona.username}@example.invalid"
        persona.save(update_fields=["email"])
    cases = [make_case(opened_by=cast.alice, team=cast.team_a) for _ in range(4)]
    as_alice = client_for(cast.alice)
    for case in cases[:3]:
        assert as_alice.get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert detect_bulk_access() == 0  # three is not more than three
    # the same survivor again does not count twice; a fourth one does
    as_alice.get(f"/api/v1/cases/{cases[0].pk}")
    record(action="read", actor=cast.bob, object_type="survivor", survivor_ids=[c.survivor_id for c in cases[:2]])
    as_alice.get(f"/api/v1/cases/{cases[3].pk}")
    with django_capture_on_commit_callbacks() as callbacks:
        assert detect_bulk_access() == 1
    assert len(callbacks) == 1  # delivery is enqueued after commit, by id
    alert = BulkAccessAlert.objects.get()
    assert (alert.user_id, alert.survivors, alert.threshold) == (cast.alice.pk, 4, 3)
    assert detect_bulk_access() == 0  # one alert per window
    assert notify_bulk_access(alert.pk) == 2
    assert notify_bulk_access(alert.pk) == 0  # a retried task mails nobody twice
    assert sorted(m.to[0] for m in mail.outbox) == ["audrey@example.invalid", "sam@example.invalid"]
    # in the admin: auditors see every alert, a supervisor those about their team
    from django.test import Client

    for persona, expected in ((cast.audrey, 1), (cast.sam, 1)):
        client = Client()
        client.force_login(persona)
        page = client.get("/admin/audit/bulkaccessalert/")
        assert page.status_code == 200 and len(page.context["cl"].result_list) == expected
    BulkAccessAlert.objects.create(
        user=cast.charlie, window_start=alert.window_start, window_end=alert.window_end, survivors=9, threshold=3
    )
    client = Client()
    client.force_login(cast.sam)
    assert len(client.get("/admin/audit/bulkaccessalert/").context["cl"].result_list) == 1  # charlie is not in team A
    for message in mail.outbox:
        assert "alice" in message.subject and "4" in message.subject
        assert f"actor__id__exact={cast.alice.pk}" in message.body
        assert "Test" not in message.body and "Survivor" not in message.body.replace("survivors", "")
