"""What people receive: no survivor data anywhere, their language, their
"today", the daily digest, and one send under concurrency."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from cases.models import ConsentGiver, ConsentMethod, ConsentScope, MilestoneKind
from cases.services import case_note_create, consent_record, follow_up_create, milestone_record
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from notifications.models import Notification
from referrals.tests.factories import make_sent
from reminders.models import Delivery, Digest, Reminder, ReminderRule
from reminders.rules import RuleKind
from reminders.services import collect_digests, deliver_one, dispatch_due, send_digest
from reminders.texts import reminder_text

from .helpers import at, plan, run

TODAY = dt.datetime.now(tz=dt.UTC).date()
CANARIES = ["Zarina-Canary", "Кузнецова-Канарейка", "+7 999 111 22 33", "canary@survivor.invalid", "PASS-CANARY-77"]


def _everything_due(cast: Cast, survivor: Any) -> Any:
    """A case with every kind of reminder due, its texts full of canaries."""
    case = make_case(opened_by=cast.alice, team=cast.team_a, survivor=survivor, risk_level="high")
    case_note_create(case=case, author=cast.alice, body=" ".join(CANARIES))
    follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=TODAY, description=CANARIES[0])
    for kind, ends in (
        (MilestoneKind.RECOVERY_PERIOD, TODAY + dt.timedelta(days=3)),
        (MilestoneKind.SUPPORT_PLAN_ITEM, TODAY + dt.timedelta(days=3)),
    ):
        milestone_record(
            case=case, recorded_by=cast.alice, kind=kind, starts_on=TODAY, ends_on=ends, description=CANARIES[1]
        )
    milestone_record(
        case=case,
        recorded_by=cast.alice,
        kind=MilestoneKind.REASONABLE_GROUNDS,
        starts_on=TODAY,
        decision="pending",
        description=CANARIES[2],
    )
    consent_record(
        case=case,
        recorded_by=cast.alice,
        scope=ConsentScope.SERVICES,
        given_by=ConsentGiver.SURVIVOR,
        method=ConsentMethod.WRITTEN,
        given_at=timezone.now() - dt.timedelta(days=1),
        expires_at=timezone.now() + dt.timedelta(days=5),
    )
    make_sent(case, cast.partner_org, cast.alice, reason=CANARIES[3], needs=CANARIES[4])
    return case


@pytest.mark.django_db
def test_no_email_or_notification_holds_survivor_data(cast: Cast, client_for: Any) -> None:
    User.objects.filter(username__in=["alice", "sam", "petra"]).update(email="x@ngo.invalid")
    User.objects.filter(username="sam").update(language="ru", email_digest=True)  # sam reads the digest
    survivor = make_survivor(
        created_by=cast.alice,
        given_names=CANARIES[0],
        family_name=CANARIES[1],
        phone=CANARIES[2],
        email=CANARIES[3],
        identity_documents=[
            {
                "type": "passport",
                "number": CANARIES[4],
                "issuing_country": "UZB",
                "expiry": str(TODAY + dt.timedelta(days=7)),
            }
        ],
    )
    case = _everything_due(cast, survivor)
    plan()
    run(at(2100, 1, 1))
    kinds = set(Reminder.objects.filter(deliveries__outcome="sent").values_list("kind", flat=True))
    assert kinds >= {
        RuleKind.FOLLOW_UP_DUE,
        RuleKind.FOLLOW_UP_OVERDUE,
        RuleKind.FOLLOW_UP_ESCALATION,
        RuleKind.REFERRAL_NO_ANSWER,
        RuleKind.REFERRAL_ESCALATION,
        RuleKind.REASONABLE_GROUNDS_DUE,
        RuleKind.RECOVERY_END,
        RuleKind.SUPPORT_PLAN_END,
        RuleKind.CONSENT_EXPIRY,
        RuleKind.DOCUMENT_EXPIRY,
        RuleKind.CASE_REVIEW_HIGH,
    }
    digests = collect_digests(now=at(2100, 1, 2, 12))
    assert len(digests) == 1 and send_digest(digests[0]) >= 2  # sam's escalations, in Russian
    assert len(mail.outbox) > 10
    texts = [f"{m.subject} {m.body} {m.extra_headers}" for m in mail.outbox]
    for user in (cast.alice, cast.sam, cast.petra):
        response = client_for(user).get("/api/v1/notifications/?page_size=200")
        assert response.status_code == 200
        texts.append(response.content.decode())
    assert any(case.reference in text for text in texts)
    for text in texts:
        for canary in CANARIES:
            assert canary not in text
    # The records themselves: ids, kinds and dates.
    stored = " ".join(str(row) for row in Notification.objects.values()) + " ".join(
        str(row) for row in Delivery.objects.values()
    )
    assert not any(canary in stored for canary in CANARIES)


@pytest.mark.django_db
def test_texts_are_in_the_readers_language_and_today_is_the_readers_today(cast: Cast, client_for: Any) -> None:
    # 21:30 UTC on 30 November: already 1 December in Moscow, still 30 November in Kaliningrad.
    today_moscow, today_kaliningrad = dt.date(2026, 12, 1), dt.date(2026, 11, 30)
    due = dt.date(2026, 12, 1)

    def text(today: dt.date, kind: str = RuleKind.FOLLOW_UP_DUE) -> str:
        return reminder_text(kind=kind, due_on=due, offset=0, today=today, case_ref="C-2026-000001", referral_ref=None)

    assert "due today (2026-12-01)" in text(today_moscow)
    assert "due tomorrow (2026-12-01)" in text(today_kaliningrad)
    from django.utils import translation

    with translation.override("ru"):
        assert text(today_moscow) == "Срок задачи по делу C-2026-000001: сегодня (2026-12-01)."
        overdue = text(due + dt.timedelta(days=5), RuleKind.FOLLOW_UP_OVERDUE)
        assert "5 дней назад" in overdue
        assert "2 дня назад" in text(due + dt.timedelta(days=2), RuleKind.FOLLOW_UP_OVERDUE)
    # Through the API: rendered at read time in the reader's language.
    User.objects.filter(username="alice").update(language="ru", time_zone="Asia/Kamchatka")
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=TODAY, description="x")
    plan()
    run(at(2100, 1, 1))
    body = client_for(User.objects.get(username="alice")).get("/api/v1/notifications/").json()
    texts = [item["text"] for item in body["results"]]
    assert any(t.startswith(f"Срок задачи по делу {case.reference}") for t in texts)
    assert any(t.startswith(f"Задача по делу {case.reference} просрочена") for t in texts)


@pytest.mark.django_db
def test_the_daily_digest_sends_one_email_a_day_with_every_reminder(cast: Cast) -> None:
    User.objects.filter(username="alice").update(
        email="alice@ngo.invalid", email_digest=True, time_zone="Europe/Moscow"
    )
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    for n in range(3):
        follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=TODAY, description=f"{n}")
    plan()
    Reminder.objects.filter(kind__startswith="case_review").delete()
    run(at(2100, 1, 1))
    # In the app at once; no single emails.
    assert Notification.objects.filter(recipient=cast.alice).count() == 6
    assert mail.outbox == []
    before_seven = dt.datetime(2100, 1, 2, 3, 59, tzinfo=dt.UTC)  # 06:59 in Moscow
    assert collect_digests(now=before_seven) == []
    seven = dt.datetime(2100, 1, 2, 4, 0, tzinfo=dt.UTC)
    ready = collect_digests(now=seven)
    assert len(ready) == 1
    assert send_digest(ready[0]) == 6
    assert send_digest(ready[0]) == 0  # a repeated task sends nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "6 reminders for 2100-01-02" in message.subject
    assert message.body.count(case.reference) == 6
    # The same day nothing more; the deliveries are recorded as sent.
    assert collect_digests(now=seven + dt.timedelta(hours=3)) == []
    assert Digest.objects.count() == 1
    assert not Delivery.objects.filter(via_digest=True, sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_and_workers_send_each_reminder_once(cast: Cast) -> None:
    User.objects.filter(username="alice").update(email="alice@ngo.invalid")
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    for n in range(30):
        follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=TODAY, description=f"{n}")
    plan()
    Reminder.objects.exclude(kind="follow_up_due").delete()
    now = at(2100, 1, 1)
    enqueued: list[int] = []
    barrier = threading.Barrier(3)

    def dispatcher() -> None:
        try:
            barrier.wait()
            enqueued.extend(dispatch_due(now=now, batch=7).delivery_ids)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(enqueued) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(enqueued) == 60  # 30 reminders x (app, email), each enqueued by exactly one dispatcher

    sent: list[bool] = []

    def worker() -> None:
        try:
            barrier.wait()
            sent.extend(deliver_one(delivery_id) for delivery_id in enqueued)  # every worker gets every id
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sent.count(True) == 60
    assert Notification.objects.count() == 30 and len(mail.outbox) == 30


@pytest.mark.django_db
def test_admins_change_offsets_in_the_admin_and_the_plan_follows(cast: Cast) -> None:
    from django.test import Client

    case = make_case(opened_by=cast.alice, team=cast.team_a)
    follow_up = follow_up_create(
        case=case, created_by=cast.alice, assignee=cast.alice, due_on=TODAY + dt.timedelta(days=10), description="x"
    )
    plan()
    rule = ReminderRule.objects.get(kind=RuleKind.FOLLOW_UP_DUE)
    web = Client()
    web.force_login(cast.adam)
    response = web.post(
        f"/admin/reminders/reminderrule/{rule.pk}/change/", {"enabled": "on", "offsets": "-2,0"}, follow=True
    )
    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.offsets == [-2, 0]
    plan()
    offsets = sorted(
        Reminder.objects.filter(source_id=follow_up.pk, kind=RuleKind.FOLLOW_UP_DUE).values_list("offset", flat=True)
    )
    assert offsets == [-2, 0]
    # A cadence of zero or less is refused with a message; nothing changes.
    review = ReminderRule.objects.get(kind=RuleKind.CASE_REVIEW_HIGH)
    refused = web.post(f"/admin/reminders/reminderrule/{review.pk}/change/", {"enabled": "on", "offsets": "0"})
    assert refused.status_code == 200 and "every offset must be positive" in refused.content.decode()
    review.refresh_from_db()
    assert review.offsets == [7]
    # The beat schedule is there too; caseworkers and auditors cannot change either.
    assert web.get("/admin/django_celery_beat/periodictask/").status_code == 200
    web.force_login(cast.audrey)
    assert web.get(f"/admin/reminders/reminderrule/{rule.pk}/change/").status_code == 200  # view only
    assert (
        web.post(f"/admin/reminders/reminderrule/{rule.pk}/change/", {"enabled": "", "offsets": "1"}).status_code == 403
    )
    web.force_login(cast.alice)
    assert web.get("/admin/reminders/reminderrule/").status_code == 302  # not an admin-site user


@pytest.mark.django_db
def test_dispatcher_logs_counts_not_content(cast: Cast, caplog: Any) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=TODAY, description=CANARIES[0])
    plan()
    with caplog.at_level("INFO", logger="reminders"):
        dispatch_due(now=at(2100, 1, 1))
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("reminders")]
    assert lines and "visited" in lines[0]
    assert case.reference not in " ".join(lines) and CANARIES[0] not in " ".join(lines)
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_me_can_switch_to_the_daily_digest(cast: Cast, client_for: Any) -> None:
    client: APIClient = client_for(cast.alice)
    me = client.get("/api/v1/me")
    assert me.json()["email_digest"] is False
    response = client.patch("/api/v1/me", {"email_digest": True}, format="json", HTTP_IF_MATCH=me["ETag"])
    assert response.status_code == 200 and response.json()["email_digest"] is True
    assert User.objects.get(pk=cast.alice.pk).email_digest is True
