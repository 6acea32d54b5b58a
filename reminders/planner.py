"""The planner: turns changed source rows into planned reminders.

Database triggers (migration 0001) note every insert, update and delete of
follow-ups, referrals, milestones, consents, cases and survivors in
``PlanRequest``. The ``plan_reminders`` task drains those requests a batch at
a time (``FOR UPDATE SKIP LOCKED``), re-reads each source, and makes its
not-yet-dispatched ``Reminder`` rows match what the rules say now.

Identity-document expiry dates are encrypted: they are decrypted here, once,
when a survivor's row changed, never by the dispatcher. The plan keeps only
the date a reminder is about and when it fires (see docs/reminders.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases.models import (
    CLOSED_STATUSES,
    Case,
    Consent,
    Decision,
    FollowUp,
    FollowUpStatus,
    Milestone,
    MilestoneKind,
    Survivor,
)
from referrals.models import Referral, ReferralStatus

from .models import PlanRequest, Reminder, ReminderRule, SourceType
from .rules import (
    CASE_REVIEW_BY_RISK,
    DEFAULTS,
    RuleKind,
    Unit,
    earliest_fire_time,
    occurrence_after,
    shift,
)

logger = logging.getLogger(__name__)

Key = tuple[str, uuid.UUID, dt.date, int]


@dataclass(frozen=True)
class Rule:
    enabled: bool
    unit: str
    offsets: tuple[int, ...]


@dataclass(frozen=True)
class Planned:
    kind: str
    case_id: uuid.UUID
    due_on: dt.date
    offset: int
    fire_at: dt.datetime
    referral_id: uuid.UUID | None = None

    @property
    def key(self) -> Key:
        return (self.kind, self.case_id, self.due_on, self.offset)


class Config:
    """The rules as admins set them (defaults where a row is missing)."""

    def __init__(self) -> None:
        rules = {rule.kind: rule for rule in ReminderRule.objects.all()}
        self.rules: dict[str, Rule] = {}
        for kind, default in DEFAULTS.items():
            row = rules.get(kind)
            if row is None:
                self.rules[kind] = Rule(True, default.unit, default.offsets)
            else:
                self.rules[kind] = Rule(row.enabled, default.unit, tuple(row.offsets))
        self.hour: int = settings.NGO_REMINDER_HOUR
        self.country: str = settings.NGO_HOLIDAYS_COUNTRY or ""
        self.late_days: int = settings.NGO_REMINDER_LATE_DAYS

    def offsets(self, kind: str) -> tuple[int, ...]:
        rule = self.rules[kind]
        return rule.offsets if rule.enabled else ()

    def on_date(self, kind: str, case_id: uuid.UUID, due_on: dt.date, offset: int, fire_on: dt.date) -> Planned:
        return Planned(kind, case_id, due_on, offset, earliest_fire_time(fire_on, self.hour))


def _utc_date(at: dt.datetime) -> dt.date:
    return at.astimezone(dt.UTC).date()


# --- what each source asks for ------------------------------------------------------------------


def plan_follow_up(follow_up: FollowUp, config: Config) -> list[Planned]:
    if follow_up.status != FollowUpStatus.OPEN:
        return []
    due = follow_up.due_on
    return [
        config.on_date(kind, follow_up.case_id, due, offset, due + dt.timedelta(days=offset))
        for kind in (RuleKind.FOLLOW_UP_DUE, RuleKind.FOLLOW_UP_OVERDUE, RuleKind.FOLLOW_UP_ESCALATION)
        for offset in config.offsets(kind)
    ]


def plan_referral(referral: Referral, config: Config) -> list[Planned]:
    planned: list[Planned] = []
    if referral.status == ReferralStatus.SENT and referral.sent_at is not None:
        for kind in (RuleKind.REFERRAL_NO_ANSWER, RuleKind.REFERRAL_ESCALATION):
            for hours in config.offsets(kind):
                planned.append(
                    Planned(
                        kind,
                        referral.case_id,
                        _utc_date(referral.sent_at),
                        hours,
                        referral.sent_at + dt.timedelta(hours=hours),
                        referral.pk,
                    )
                )
    if referral.status == ReferralStatus.COMPLETED and referral.completed_at is not None:
        completed = _utc_date(referral.completed_at)
        for days in config.offsets(RuleKind.REFERRAL_CHECK_IN):
            fire = earliest_fire_time(completed + dt.timedelta(days=days), config.hour)
            planned.append(Planned(RuleKind.REFERRAL_CHECK_IN, referral.case_id, completed, days, fire, referral.pk))
    return planned


def plan_milestone(milestone: Milestone, config: Config) -> list[Planned]:
    if milestone.completed_on is not None:
        return []
    case_id, start, end = milestone.case_id, milestone.starts_on, milestone.ends_on
    planned: list[Planned] = []
    if milestone.kind == MilestoneKind.REASONABLE_GROUNDS and milestone.decision in ("", Decision.PENDING):
        for offset in config.offsets(RuleKind.REASONABLE_GROUNDS_DUE):
            due = shift(start, offset, Unit.WORKING_DAYS, config.country)
            planned.append(config.on_date(RuleKind.REASONABLE_GROUNDS_DUE, case_id, due, offset, due))
    elif milestone.kind == MilestoneKind.RECOVERY_PERIOD:
        for offset in config.offsets(RuleKind.RECOVERY_REVIEW):
            review = start + dt.timedelta(days=offset)
            if end is None or review < end:  # on the last day, the end reminder says it
                planned.append(config.on_date(RuleKind.RECOVERY_REVIEW, case_id, review, offset, review))
        if end is not None:
            for offset in config.offsets(RuleKind.RECOVERY_END):
                fire = end + dt.timedelta(days=offset)
                planned.append(config.on_date(RuleKind.RECOVERY_END, case_id, end, offset, fire))
    elif milestone.kind == MilestoneKind.SUPPORT_PLAN_ITEM and end is not None:
        for offset in config.offsets(RuleKind.SUPPORT_PLAN_END):
            fire = end + dt.timedelta(days=offset)
            planned.append(config.on_date(RuleKind.SUPPORT_PLAN_END, case_id, end, offset, fire))
    return planned


def plan_consent(consent: Consent, config: Config) -> list[Planned]:
    if consent.revoked_at is not None or consent.expires_at is None:
        return []
    expires = _utc_date(consent.expires_at)
    return [
        config.on_date(RuleKind.CONSENT_EXPIRY, consent.case_id, expires, offset, expires + dt.timedelta(days=offset))
        for offset in config.offsets(RuleKind.CONSENT_EXPIRY)
    ]


def document_expiry_dates(survivor: Survivor) -> set[dt.date]:
    """Expiry dates of the survivor's identity and visa documents (decrypts)."""
    dates: set[dt.date] = set()
    for document in survivor.identity_documents or []:
        value = document.get("expiry") if isinstance(document, dict) else None
        if not value:
            continue
        try:
            dates.add(dt.date.fromisoformat(str(value)))
        except ValueError:
            continue
    return dates


def plan_survivor(survivor: Survivor, open_case_ids: Iterable[uuid.UUID], config: Config) -> list[Planned]:
    if survivor.erased_at is not None:
        return []
    expiries = document_expiry_dates(survivor)
    return [
        config.on_date(RuleKind.DOCUMENT_EXPIRY, case_id, expiry, offset, expiry + dt.timedelta(days=offset))
        for case_id in open_case_ids
        for expiry in sorted(expiries)
        for offset in config.offsets(RuleKind.DOCUMENT_EXPIRY)
    ]


def plan_case(case: Case, config: Config, *, after: dt.date) -> list[Planned]:
    """The next review of an open case, on or after ``after``."""
    if case.status in CLOSED_STATUSES:
        return []
    kind = CASE_REVIEW_BY_RISK.get(case.risk_level)
    if kind is None or not config.offsets(kind):
        return []
    every, unit = config.offsets(kind)[0], config.rules[kind].unit
    if every <= 0:
        return []
    due = occurrence_after(_utc_date(case.opened_at), every, unit, after)
    return [config.on_date(kind, case.pk, due, every, due)]


# --- making the plan match ----------------------------------------------------------------------


def sync_source(
    source_type: str, source_id: uuid.UUID, planned: list[Planned], *, requested_at: dt.datetime, late_days: int
) -> tuple[int, int, int]:
    """Make the source's pending reminders equal to ``planned``.

    Dispatched reminders stay as the record of what was sent. A reminder
    whose moment passed more than ``late_days`` before the change was
    requested is not created late (imported history does not flood anyone);
    one already planned is never dropped for being late. Returns (added,
    moved, removed)."""
    existing = list(Reminder.objects.filter(source_type=source_type, source_id=source_id))
    known = {(r.kind, r.case_id, r.due_on, r.offset): r for r in existing}
    # Date reminders fire at the earliest time zone's morning: allow a day for the spread.
    cutoff = requested_at - dt.timedelta(days=late_days + 1)
    wanted = {p.key: p for p in planned if p.key in known or p.fire_at >= cutoff}
    removed = [r.pk for key, r in known.items() if r.dispatched_at is None and key not in wanted]
    if removed:
        Reminder.objects.filter(pk__in=removed).delete()
    moved = 0
    for key, p in wanted.items():
        row = known.get(key)
        if row is not None and row.dispatched_at is None and row.fire_at != p.fire_at:
            Reminder.objects.filter(pk=row.pk).update(fire_at=p.fire_at, next_check_at=p.fire_at)
            moved += 1
    new = [
        Reminder(
            kind=p.kind,
            case_id=p.case_id,
            referral_id=p.referral_id,
            source_type=source_type,
            source_id=source_id,
            due_on=p.due_on,
            offset=p.offset,
            fire_at=p.fire_at,
            next_check_at=p.fire_at,
        )
        for key, p in wanted.items()
        if key not in known
    ]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new), moved, len(removed)


def _case_review_after(case: Case, today: dt.date) -> dt.date:
    """Reviews already dispatched are not planned again: the next one comes after the last."""
    last = (
        Reminder.objects.filter(source_type=SourceType.CASE, source_id=case.pk, dispatched_at__isnull=False)
        .order_by("-due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    return max(today, last + dt.timedelta(days=1)) if last else today


def request_plan(source_type: str, source_ids: Iterable[uuid.UUID]) -> None:
    now = timezone.now()
    PlanRequest.objects.bulk_create(
        [PlanRequest(source_type=source_type, source_id=i, requested_at=now) for i in source_ids],
        ignore_conflicts=True,
    )


def plan_next_reviews(cases: Iterable[Case], *, at: dt.datetime, config: Config | None = None) -> None:
    """The next review of each open case (after the last one dispatched)."""
    config = config or Config()
    for case in cases:
        planned = plan_case(case, config, after=_case_review_after(case, _utc_date(at)))
        sync_source(SourceType.CASE, case.pk, planned, requested_at=at, late_days=config.late_days)


def _plan_cases(ids: list[uuid.UUID], config: Config, requested: dict[uuid.UUID, dt.datetime]) -> None:
    cases = {c.pk: c for c in Case.objects.filter(pk__in=ids)}
    for case_id in ids:
        case = cases.get(case_id)
        if case is None:
            continue  # deleted: its reminders went with it (ON DELETE CASCADE)
        if case.status in CLOSED_STATUSES:
            Reminder.objects.filter(case=case, dispatched_at__isnull=True).delete()
            continue
        plan_next_reviews([case], at=requested[case_id], config=config)
        # Opened, reopened or its risk changed (the trigger's columns): everything on the case is planned again.
        request_plan(SourceType.FOLLOW_UP, FollowUp.objects.filter(case=case).values_list("pk", flat=True))
        request_plan(SourceType.MILESTONE, Milestone.objects.filter(case=case).values_list("pk", flat=True))
        request_plan(SourceType.CONSENT, Consent.objects.filter(case=case).values_list("pk", flat=True))
        request_plan(SourceType.REFERRAL, Referral.objects.filter(case=case).values_list("pk", flat=True))
        request_plan(SourceType.SURVIVOR, [case.survivor_id])


_MODELS: dict[str, tuple[Any, Callable[[Any, Config], list[Planned]]]] = {
    SourceType.FOLLOW_UP: (FollowUp, plan_follow_up),
    SourceType.REFERRAL: (Referral, plan_referral),
    SourceType.MILESTONE: (Milestone, plan_milestone),
    SourceType.CONSENT: (Consent, plan_consent),
}


def plan_sources(source_type: str, requested: dict[uuid.UUID, dt.datetime], config: Config) -> None:
    ids = list(requested)
    if source_type == SourceType.CASE:
        _plan_cases(ids, config, requested)
        return
    if source_type == SourceType.SURVIVOR:
        open_cases: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for case_id, survivor_id in (
            Case.objects.filter(survivor_id__in=ids)
            .exclude(status__in=CLOSED_STATUSES)
            .values_list("pk", "survivor_id")
        ):
            open_cases[survivor_id].append(case_id)
        survivors = {s.pk: s for s in Survivor.objects.filter(pk__in=ids).select_related("data_key")}
        for survivor_id in ids:
            survivor = survivors.get(survivor_id)
            if survivor is None or survivor.erased_at is not None:
                forget_documents(survivor_id)
                continue
            planned = plan_survivor(survivor, open_cases[survivor_id], config) if survivor else []
            sync_source(
                SourceType.SURVIVOR,
                survivor_id,
                planned,
                requested_at=requested[survivor_id],
                late_days=config.late_days,
            )
        return
    model, plan = _MODELS[SourceType(source_type)]
    rows = {row.pk: row for row in model.objects.filter(pk__in=ids).select_related("case")}
    for source_id in ids:
        row = rows.get(source_id)
        planned = plan(row, config) if row is not None and row.case.status not in CLOSED_STATUSES else []
        sync_source(source_type, source_id, planned, requested_at=requested[source_id], late_days=config.late_days)


def forget_documents(survivor_id: uuid.UUID) -> None:
    """Erasure: the document dates came from encrypted data and go with it —
    every document reminder of the survivor, sent or not, and its notifications."""
    from notifications.models import Notification

    reminders = Reminder.objects.filter(source_type=SourceType.SURVIVOR, source_id=survivor_id)
    case_ids = set(reminders.values_list("case_id", flat=True))
    Notification.objects.filter(kind="reminder", case_id__in=case_ids, params__rule=RuleKind.DOCUMENT_EXPIRY).delete()
    reminders.delete()


def plan_pending(*, batch: int = 200, config: Config | None = None) -> int:
    """Drain the plan requests; returns how many sources were planned."""
    config = config or Config()
    planned = 0
    while True:
        with transaction.atomic():
            requests = list(
                PlanRequest.objects.select_for_update(skip_locked=True).order_by("requested_at", "id")[:batch]
            )
            if not requests:
                break
            by_type: dict[str, dict[uuid.UUID, dt.datetime]] = defaultdict(dict)
            for request in requests:
                by_type[request.source_type][request.source_id] = request.requested_at
            for source_type, requested in by_type.items():
                plan_sources(source_type, requested, config)
            PlanRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
        planned += len(requests)
        if len(requests) < batch:
            break
    return planned
