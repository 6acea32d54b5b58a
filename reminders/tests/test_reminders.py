"""Reminders end to end in one process: the planner follows the data, the
dispatcher records and enqueues, delivery sends once per person and channel."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from cases.models import ConsentGiver, ConsentMethod, ConsentScope, FollowUpStatus, MilestoneKind
from cases.services import (
    case_close,
    case_reopen,
    case_update,
    consent_record,
    consent_revoke,
    follow_up_create,
    follow_up_update,
    milestone_record,
    milestone_update,
    survivor_update,
)
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from notifications.models import Notification
from referrals.services import referral_accept, referral_complete, referral_start
from referrals.tests.factories import make_sent
from reminders.models import Channel, Delivery, Outcome, PlanRequest, Reminder
from reminders.rules import RuleKind, earliest_fire_time, local_fire_time
from reminders.services import deliver_one, dispatch_due

from .helpers import at, emails_to, inbox, kinds, plan, planned, run

pytestmark = pytest.mark.django_db
TODAY = dt.datetime.now(tz=dt.UTC).date()


@pytest.fixture
def team(cast: Cast) -> Cast:
    """alice (Moscow) works the case, sam (Vladivostok) supervises; both read email."""
    User.objects.filter(pk=cast.alice.pk).update(email="alice@ngo.invalid", time_zone="Europe/Moscow")
    User.objects.filter(pk=cast.sam.pk).update(email="sam@ngo.invalid", time_zone="Asia/Vladivostok", language="ru")
    User.objects.filter(pk=cast.petra.pk).update(email="petra@shelter.invalid")
    for name in ("alice", "sam", "petra"):
        getattr(cast, name).refresh_from_db()
    return cast


def _case(cast: Cast, **fields: Any) -> Any:
    case = make_case(opened_by=cast.alice, team=cast.team_a, **fields)
    plan()
    Reminder.objects.all().delete()  # the case's own review reminders are tested on their own
    return case


def _follow_up(cast: Cast, case: Any, due: dt.date) -> Any:
    return follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=due, description="Call.")


# --- follow-ups -----------------------------------------------------------------------------------


def test_a_follow_up_is_planned_due_overdue_and_escalated(team: Cast) -> None:
    case = _case(team)
    due = TODAY + dt.timedelta(days=3)
    follow_up = _follow_up(team, case, due)
    assert PlanRequest.objects.filter(source_id=follow_up.pk).exists()  # by the database trigger
    plan()
    assert planned(source_id=follow_up.pk) == [
        (RuleKind.FOLLOW_UP_DUE, due, 0, earliest_fire_time(due, 8)),
        (RuleKind.FOLLOW_UP_ESCALATION, due, 3, earliest_fire_time(due + dt.timedelta(days=3), 8)),
        (RuleKind.FOLLOW_UP_OVERDUE, due, 1, earliest_fire_time(due + dt.timedelta(days=1), 8)),
    ]


def test_due_reaches_the_assignee_at_their_own_morning_and_once(team: Cast) -> None:
    case = _case(team)
    due = TODAY + dt.timedelta(days=1)
    _follow_up(team, case, due)
    plan()
    moscow_morning = local_fire_time(due, "Europe/Moscow", 8)  # 05:00 UTC
    # The plan fires at UTC+14's morning; alice's deliveries wait for Moscow's.
    counts = run(earliest_fire_time(due, 8))
    assert counts.deliveries_created == 2 and counts.enqueued == 0
    assert set(Delivery.objects.values_list("channel", "not_before")) == {
        (Channel.IN_APP, moscow_morning),
        (Channel.EMAIL, moscow_morning),
    }
    assert inbox(team.alice) == []
    counts = run(moscow_morning - dt.timedelta(minutes=1))
    assert counts.enqueued == 0
    counts = run(moscow_morning)
    assert counts.enqueued == 2
    assert len(inbox(team.alice)) == 1 and len(emails_to(team.alice)) == 1
    # Every later run, and a repeated delivery, sends nothing more.
    for delivery_id in Delivery.objects.values_list("pk", flat=True):
        assert deliver_one(delivery_id) is False
    later = run(moscow_morning + dt.timedelta(hours=1))
    assert later.enqueued == 0
    assert len(inbox(team.alice)) == 1 and len(emails_to(team.alice)) == 1
    reminder = Reminder.objects.get(kind=RuleKind.FOLLOW_UP_DUE)
    assert reminder.outcome == Outcome.SENT and reminder.next_check_at is None
    assert Delivery.objects.filter(sent_at__isnull=False).count() == 2


def test_escalation_goes_to_the_teams_supervisors(team: Cast) -> None:
    case = _case(team)
    due = TODAY
    _follow_up(team, case, due)
    run(at(2100, 1, 1))
    assert len(inbox(team.sam)) == 1
    assert inbox(team.sam)[0]["params"]["rule"] == RuleKind.FOLLOW_UP_ESCALATION
    assert sorted(n["params"]["rule"] for n in inbox(team.alice)) == [
        RuleKind.FOLLOW_UP_DUE,
        RuleKind.FOLLOW_UP_OVERDUE,
    ]
    assert inbox(team.bob) == [] and inbox(team.charlie) == []


def test_done_or_moved_follow_ups_change_the_plan(team: Cast) -> None:
    case = _case(team)
    due = TODAY + dt.timedelta(days=5)
    follow_up = _follow_up(team, case, due)
    plan()
    later = due + dt.timedelta(days=7)
    follow_up = follow_up_update(
        follow_up=follow_up, acting_user=team.alice, expected_version=follow_up.version, due_on=later
    )
    plan()
    assert {row[1] for row in planned(source_id=follow_up.pk)} == {later}
    follow_up_update(
        follow_up=follow_up, acting_user=team.alice, expected_version=follow_up.version, status=FollowUpStatus.DONE
    )
    plan()
    assert planned(source_id=follow_up.pk) == []


def test_a_change_after_planning_is_caught_at_dispatch_and_at_delivery(team: Cast) -> None:
    case = _case(team)
    follow_up = _follow_up(team, case, TODAY)
    plan()
    # Done by a bulk update that the planner has not seen yet: the dispatcher re-reads.
    type(follow_up).objects.filter(pk=follow_up.pk).update(status=FollowUpStatus.CANCELLED)
    counts = dispatch_due(now=at(2100, 1, 1))
    assert counts.not_due == 3 and counts.enqueued == 0
    assert set(Reminder.objects.values_list("outcome", flat=True)) == {Outcome.NOT_DUE}


def test_delivery_rechecks_and_skips_what_is_no_longer_due(team: Cast) -> None:
    case = _case(team)
    follow_up = _follow_up(team, case, TODAY - dt.timedelta(days=1))
    plan()
    counts = dispatch_due(now=at(2100, 1, 1))
    assert counts.enqueued > 0
    type(follow_up).objects.filter(pk=follow_up.pk).update(status=FollowUpStatus.CANCELLED)
    assert not any(deliver_one(i) for i in counts.delivery_ids)
    assert Notification.objects.count() == 0 and mail.outbox == []
    assert set(Delivery.objects.values_list("outcome", flat=True)) == {Outcome.NOT_DUE}


def test_imported_history_does_not_flood_but_planned_reminders_are_never_dropped(team: Cast) -> None:
    case = _case(team)
    old = _follow_up(team, case, TODAY - dt.timedelta(days=30))
    plan()
    assert planned(source_id=old.pk) == []  # a month late: nothing is created
    # Due yesterday: its "due" reminder fired at UTC+14's morning two days ago, and is still created.
    yesterday = _follow_up(team, case, TODAY - dt.timedelta(days=1))
    plan()
    assert RuleKind.FOLLOW_UP_DUE in kinds(source_id=yesterday.pk)
    type(yesterday).objects.filter(pk=yesterday.pk).delete()
    plan()
    recent = _follow_up(team, case, TODAY)
    plan()
    assert len(planned(source_id=recent.pk)) == 3
    # The dispatcher was down for a week: what was planned is still sent.
    run(at(2100, 1, 1))
    assert len(inbox(team.alice)) == 2 and len(inbox(team.sam)) == 1


# --- referrals ------------------------------------------------------------------------------------


def test_unanswered_referral_reminds_the_desk_and_escalates(team: Cast) -> None:
    case = _case(team)
    referral = make_sent(case, team.partner_org, team.alice)
    plan()
    sent = referral.sent_at
    assert sent is not None
    assert planned(source_id=referral.pk) == [
        (RuleKind.REFERRAL_ESCALATION, sent.date(), 168, sent + dt.timedelta(hours=168)),
        (RuleKind.REFERRAL_NO_ANSWER, sent.date(), 72, sent + dt.timedelta(hours=72)),
    ]
    run(sent + dt.timedelta(hours=72))
    # The partner's desk (petra) is reminded by referral reference only; the sender too.
    petra = Notification.objects.get(recipient=team.petra)
    assert petra.case_id is None and petra.referral_id == referral.pk
    assert referral.reference in emails_to(team.petra)[0].body
    assert case.reference not in emails_to(team.petra)[0].body + emails_to(team.petra)[0].subject
    assert [n["params"]["rule"] for n in inbox(team.alice)] == [RuleKind.REFERRAL_NO_ANSWER]
    assert inbox(team.sam) == []
    run(sent + dt.timedelta(hours=168))
    assert [n["params"]["rule"] for n in inbox(team.sam)] == [RuleKind.REFERRAL_ESCALATION]
    assert Notification.objects.filter(recipient=team.petra).count() == 1


def test_an_answer_cancels_the_reminders_and_completion_plans_check_ins(team: Cast) -> None:
    case = _case(team)
    referral = make_sent(case, team.partner_org, team.alice)
    referral = referral_accept(referral=referral, acting_user=team.petra, expected_version=referral.version)
    plan()
    assert planned(source_id=referral.pk) == []
    referral = referral_start(referral=referral, acting_user=team.petra, expected_version=referral.version)
    referral = referral_complete(
        referral=referral, acting_user=team.petra, expected_version=referral.version, outcome="Provided"
    )
    plan()
    assert referral.completed_at is not None
    done = referral.completed_at.date()
    assert [(k, d, o) for k, d, o, _f in planned(source_id=referral.pk)] == [
        (RuleKind.REFERRAL_CHECK_IN, done, 7),
        (RuleKind.REFERRAL_CHECK_IN, done, 30),
        (RuleKind.REFERRAL_CHECK_IN, done, 90),
    ]
    run(at(2100, 1, 1))
    check_ins = [n for n in inbox(team.alice) if n["params"]["rule"] == RuleKind.REFERRAL_CHECK_IN]
    assert sorted(n["params"]["offset"] for n in check_ins) == [7, 30, 90]
    assert inbox(team.petra) == []


# --- milestones, consents, documents, reviews ---------------------------------------------------


def test_reasonable_grounds_is_due_after_five_working_days(team: Cast) -> None:
    case = _case(team)
    start = TODAY + dt.timedelta(days=(4 - TODAY.weekday()) % 7 or 7)  # the next Friday
    milestone = milestone_record(
        case=case, recorded_by=team.alice, kind=MilestoneKind.REASONABLE_GROUNDS, starts_on=start, decision="pending"
    )
    plan()
    assert [(k, d) for k, d, _o, _f in planned(source_id=milestone.pk)] == [
        (RuleKind.REASONABLE_GROUNDS_DUE, start + dt.timedelta(days=7))  # Friday + 5 working days = next Friday
    ]
    milestone_update(
        milestone=milestone, acting_user=team.alice, expected_version=milestone.version, decision="positive"
    )
    plan()
    assert planned(source_id=milestone.pk) == []


def test_recovery_period_review_and_end_and_support_plan_end(team: Cast) -> None:
    case = _case(team)
    start = TODAY
    recovery = milestone_record(
        case=case,
        recorded_by=team.alice,
        kind=MilestoneKind.RECOVERY_PERIOD,
        starts_on=start,
        ends_on=start + dt.timedelta(days=45),
    )
    item = milestone_record(
        case=case,
        recorded_by=team.alice,
        kind=MilestoneKind.SUPPORT_PLAN_ITEM,
        starts_on=start,
        ends_on=start + dt.timedelta(days=20),
    )
    plan()
    end = start + dt.timedelta(days=45)
    assert [(k, d, o) for k, d, o, _f in planned(source_id=recovery.pk)] == [
        (RuleKind.RECOVERY_END, end, -7),
        (RuleKind.RECOVERY_END, end, 0),
        (RuleKind.RECOVERY_REVIEW, start + dt.timedelta(days=30), 30),
    ]
    assert kinds(source_id=item.pk) == [RuleKind.SUPPORT_PLAN_END] * 2
    milestone_update(
        milestone=item, acting_user=team.alice, expected_version=item.version, completed_on=start + dt.timedelta(days=1)
    )
    plan()
    assert kinds(source_id=item.pk) == []


def test_expiring_consent_and_its_revocation(team: Cast) -> None:
    case = _case(team)
    expires = timezone.now() + dt.timedelta(days=30)
    consent = consent_record(
        case=case,
        recorded_by=team.alice,
        scope=ConsentScope.SERVICES,
        given_by=ConsentGiver.SURVIVOR,
        method=ConsentMethod.VERBAL,
        given_at=timezone.now() - dt.timedelta(days=1),
        expires_at=expires,
    )
    plan()
    assert [(k, o) for k, _d, o, _f in planned(source_id=consent.pk)] == [
        (RuleKind.CONSENT_EXPIRY, -14),
        (RuleKind.CONSENT_EXPIRY, -3),
    ]
    consent_revoke(consent=consent, acting_user=team.alice, expected_version=consent.version)
    plan()
    assert planned(source_id=consent.pk) == []


def test_document_expiry_is_planned_from_the_encrypted_documents_and_dispatched_without_decrypting(
    team: Cast,
) -> None:
    expiry = TODAY + dt.timedelta(days=20)
    survivor = make_survivor(
        created_by=team.alice,
        identity_documents=[{"type": "visa", "number": "V123", "issuing_country": "RUS", "expiry": str(expiry)}],
    )
    case = _case(team, survivor=survivor)
    PlanRequest.objects.create(source_type="survivor", source_id=survivor.pk, requested_at=timezone.now())
    plan()
    assert [(k, d, o) for k, d, o, _f in planned(source_id=survivor.pk)] == [
        (RuleKind.DOCUMENT_EXPIRY, expiry, -14),
        (RuleKind.DOCUMENT_EXPIRY, expiry, -7),
    ]  # -60 had passed when it was planned
    with mock.patch("ngo_cases.crypto.aead.open_sealed", side_effect=AssertionError("decrypted")):
        counts = dispatch_due(now=at(2100, 1, 1))
        assert counts.enqueued == 4
        for delivery_id in counts.delivery_ids:
            deliver_one(delivery_id)
    assert len(inbox(team.alice)) == 2
    # A renewed visa moves the plan (the survivor's update is planned again).
    renewed = TODAY + dt.timedelta(days=400)
    survivor.refresh_from_db()
    survivor_update(
        survivor=survivor,
        acting_user=team.alice,
        expected_version=survivor.version,
        identity_documents=[{"type": "visa", "number": "V124", "issuing_country": "RUS", "expiry": str(renewed)}],
    )
    plan()
    assert {d for _k, d, _o, _f in planned(source_id=survivor.pk)} == {renewed}
    assert set(Reminder.objects.filter(source_id=survivor.pk).values_list("case_id", flat=True)) == {case.pk}
    # Erasure: every document reminder (sent ones too) and its notifications go.
    from cases.services import survivor_erase

    survivor.refresh_from_db()
    survivor_erase(survivor=survivor, acting_user=team.sam)
    plan()
    assert not Reminder.objects.filter(source_id=survivor.pk).exists()
    assert not Notification.objects.filter(params__rule=RuleKind.DOCUMENT_EXPIRY).exists()


def test_case_reviews_follow_the_risk_level_and_stop_when_closed(team: Cast) -> None:
    case = make_case(opened_by=team.alice, team=team.team_a, risk_level="high")
    plan()
    opened = case.opened_at.date()
    assert planned(source_id=case.pk)[0][:3] == (RuleKind.CASE_REVIEW_HIGH, opened + dt.timedelta(days=7), 7)
    case = case_update(case=case, acting_user=team.alice, expected_version=case.version, risk_level="low")
    plan()
    low = planned(source_id=case.pk)
    assert [(k, o) for k, _d, o, _f in low] == [(RuleKind.CASE_REVIEW_LOW, 3)]
    # Dispatching one review plans the next, a quarter later (anchored on the opening date).
    first_due = low[0][1]
    run(at(2100, 1, 1))
    # The dispatcher plans the next review itself; nothing else on the case is planned again
    # (no survivor's documents decrypted for a routine review).
    assert not PlanRequest.objects.exists()
    nxt = planned(source_id=case.pk)
    assert len(nxt) == 1 and nxt[0][1] > first_due
    # Nobody to remind one week does not stop the reviews.
    User.objects.filter(pk=team.alice.pk).update(is_active=False)
    due = nxt[0][1]  # a quarter after the first, on the opening's day of the month (not always before 1 March)
    dispatch_due(now=at(due.year, due.month, due.day) + dt.timedelta(days=2))
    assert Reminder.objects.get(source_id=case.pk, due_on=nxt[0][1]).outcome == Outcome.NO_RECIPIENT
    plan()
    assert planned(source_id=case.pk)[0][1] > nxt[0][1]
    User.objects.filter(pk=team.alice.pk).update(is_active=True)
    case_close(case=case, acting_user=team.sam, closure_reason="GoalsAchieved", expected_version=case.version)
    plan()
    assert Reminder.objects.filter(case=case, dispatched_at__isnull=True).count() == 0
    case.refresh_from_db()
    case_reopen(case=case, acting_user=team.sam, expected_version=case.version)
    plan()
    assert kinds(source_id=case.pk) == [RuleKind.CASE_REVIEW_LOW]


# --- the dispatcher's own properties --------------------------------------------------------------


def test_a_run_with_nothing_due_is_one_indexed_query(team: Cast) -> None:
    case = _case(team)
    _follow_up(team, case, TODAY + dt.timedelta(days=30))
    plan()
    with CaptureQueriesContext(connection) as queries:
        counts = dispatch_due(now=timezone.now())
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert counts.visited == 0
    assert len(statements) == 1 and "FOR UPDATE SKIP LOCKED" in statements[0]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway; ask for the plan
        cursor.execute("EXPLAIN " + statements[0].replace("FOR UPDATE SKIP LOCKED", ""))
        plan_text = "\n".join(row[0] for row in cursor.fetchall())
    assert "reminder_queue" in plan_text


def test_a_broker_outage_delays_and_loses_nothing(team: Cast, settings: Any) -> None:
    case = _case(team)
    _follow_up(team, case, TODAY)
    plan()
    now = at(2100, 1, 1)
    with mock.patch("reminders.tasks.deliver_reminders.delay", side_effect=OSError("broker down")):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            counts = dispatch_due(now=now)
    # alice: due and overdue, sam: escalation; each in the app and by email.
    assert counts.enqueued == 6 and counts.enqueue_failed == 6
    assert Delivery.objects.filter(sent_at__isnull=True).count() == 6
    # Before the redelivery interval nothing is enqueued twice; after it, everything again.
    assert dispatch_due(now=now + dt.timedelta(seconds=60)).enqueued == 0
    retry = dispatch_due(now=now + dt.timedelta(seconds=settings.NGO_REMINDER_REDELIVER_SECONDS))
    assert retry.enqueued == 6
    for delivery_id in retry.delivery_ids:
        deliver_one(delivery_id)
    assert Delivery.objects.filter(sent_at__isnull=True).count() == 0
    assert Notification.objects.count() == 3  # due + overdue to alice, escalation to sam
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {2}


def test_inactive_or_unassigned_people_are_not_reminded(team: Cast) -> None:
    case = _case(team)
    _follow_up(team, case, TODAY)
    plan()
    User.objects.filter(pk=team.sam.pk).update(is_active=False)
    run(at(2100, 1, 1))
    assert inbox(team.sam) == []
    assert Reminder.objects.get(kind=RuleKind.FOLLOW_UP_ESCALATION).outcome == Outcome.NO_RECIPIENT


def test_one_failing_delivery_does_not_hold_back_the_others_in_its_task(team: Cast) -> None:
    from reminders.tasks import deliver_reminders

    case = _case(team)
    _follow_up(team, case, TODAY)
    plan()
    Reminder.objects.exclude(kind=RuleKind.FOLLOW_UP_DUE).delete()
    counts = dispatch_due(now=at(2100, 1, 1))
    assert len(counts.delivery_ids) == 2  # alice: in the app and by email
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("mail server down")):
        assert deliver_reminders(counts.delivery_ids) == 1
    assert set(Delivery.objects.filter(sent_at__isnull=False).values_list("channel", flat=True)) == {Channel.IN_APP}
    # The email is enqueued again after the redelivery interval and then sent.
    retry = dispatch_due(now=at(2100, 1, 1) + dt.timedelta(hours=1))
    assert deliver_reminders(retry.delivery_ids) == 1
    assert len(emails_to(team.alice)) == 1 and len(inbox(team.alice)) == 1


def test_no_task_uses_a_countdown_or_eta() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "var" in path.parts:
            continue
        assert not re.search(r"\b(countdown|eta)\s*=", path.read_text()), path
