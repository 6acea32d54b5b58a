"""Dispatching and delivering reminders.

The dispatcher (beat, every few minutes) takes the reminders whose
``next_check_at`` has come, ``FOR UPDATE SKIP LOCKED`` so that two
dispatchers never take the same row. On a reminder's first visit it checks
that it is still due, works out who to remind, and records one ``Delivery``
per person and channel (unique: a second one cannot exist). Deliveries whose
time has come (each person's own 08:00 for date reminders) are enqueued
after commit, by id only; a delivery still unsent after
``NGO_REMINDER_REDELIVER_SECONDS`` is enqueued again on a later visit. So a
stopped broker or worker delays reminders, and loses none.

A delivery task locks its row, re-reads the state, sends, and marks it sent
in the same transaction: a retried or duplicated task finds it sent and
sends nothing. In-app notifications are rows in the same transaction
(exactly once). An email leaves before the commit; only a crash between
the mail server's acceptance and the commit could repeat it (docs/reminders.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from accounts.models import User
from cases.models import CLOSED_STATUSES, Case
from notifications.models import Kind, Notification
from notifications.services import email, email_message, notify, rendered

from .models import Channel, Delivery, Digest, Outcome, Reminder
from .planner import plan_next_reviews
from .rules import CASE_REVIEW_BY_RISK, HOUR_KINDS, local_date, local_fire_time
from .selectors import Snapshot
from .texts import footer

logger = logging.getLogger(__name__)

ENQUEUE_CHUNK = 20


@dataclass
class DispatchCounts:
    visited: int = 0
    not_due: int = 0
    no_recipient: int = 0
    deliveries_created: int = 0
    enqueued: int = 0
    finished: int = 0
    batches: int = 0
    enqueue_failed: int = 0
    delivery_ids: list[int] = field(default_factory=list, repr=False)


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    iterator = iter(ids)
    while chunk := list(islice(iterator, size)):
        yield chunk


def not_before_for(reminder: Reminder, user: User) -> dt.datetime:
    """Date reminders wait for the person's own morning; hour reminders do not."""
    if reminder.kind in HOUR_KINDS:
        return reminder.fire_at
    fire_on = (reminder.fire_at + dt.timedelta(hours=14)).date()  # the plan fires at UTC+14's morning
    own = local_fire_time(fire_on, user.time_zone or "UTC", settings.NGO_REMINDER_HOUR)
    return max(reminder.fire_at, own)


def _first_visit(rows: list[Reminder], now: dt.datetime, counts: DispatchCounts) -> None:
    snapshot = Snapshot(rows)
    wanted: dict[int, set[Any]] = {}
    for reminder in rows:
        if not snapshot.still_due(reminder):
            reminder.outcome, reminder.done_at, reminder.next_check_at = Outcome.NOT_DUE, now, None
            counts.not_due += 1
        else:
            wanted[reminder.pk] = snapshot.recipients(reminder)
        reminder.dispatched_at = now
    users = {u.pk: u for u in User.objects.filter(pk__in=set().union(*wanted.values()), is_active=True)}
    deliveries = []
    for reminder in rows:
        people = [users[i] for i in wanted.get(reminder.pk, ()) if i in users]
        if reminder.pk in wanted and not people:
            reminder.outcome, reminder.done_at, reminder.next_check_at = Outcome.NO_RECIPIENT, now, None
            counts.no_recipient += 1
        for user in people:
            not_before = not_before_for(reminder, user)
            deliveries.append(Delivery(reminder=reminder, user=user, channel=Channel.IN_APP, not_before=not_before))
            if user.email:
                deliveries.append(
                    Delivery(
                        reminder=reminder,
                        user=user,
                        channel=Channel.EMAIL,
                        not_before=not_before,
                        via_digest=user.email_digest,
                    )
                )
    created = Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    counts.deliveries_created += len(created)


def _enqueue_due(rows: list[Reminder], now: dt.datetime, counts: DispatchCounts) -> None:
    """Enqueue deliveries whose time has come; set each reminder's next visit."""
    redeliver = dt.timedelta(seconds=settings.NGO_REMINDER_REDELIVER_SECONDS)
    open_rows = [r for r in rows if r.done_at is None]
    pending: dict[int, list[Delivery]] = {r.pk: [] for r in open_rows}
    for delivery in Delivery.objects.filter(reminder__in=open_rows, sent_at__isnull=True, via_digest=False).only(
        "pk", "reminder_id", "not_before", "enqueued_at"
    ):
        pending[delivery.reminder_id].append(delivery)
    to_enqueue: list[int] = []
    for reminder in open_rows:
        next_check: dt.datetime | None = None
        for delivery in pending[reminder.pk]:
            if delivery.not_before > now:
                when = delivery.not_before
            elif delivery.enqueued_at is None or delivery.enqueued_at <= now - redeliver:
                to_enqueue.append(delivery.pk)
                when = now + redeliver
            else:
                when = delivery.enqueued_at + redeliver
            next_check = when if next_check is None else min(next_check, when)
        reminder.next_check_at = next_check
        if next_check is None:
            reminder.done_at = now
            reminder.outcome = reminder.outcome or Outcome.SENT
            counts.finished += 1
    if to_enqueue:
        Delivery.objects.filter(pk__in=to_enqueue).update(enqueued_at=now, attempts=F("attempts") + 1)
    counts.enqueued += len(to_enqueue)
    counts.delivery_ids.extend(to_enqueue)


_SAVE_VISITS = """
UPDATE reminders_reminder AS r
SET next_check_at = v.next_check_at, dispatched_at = v.dispatched_at, done_at = v.done_at, outcome = v.outcome
FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::timestamptz[], %s::text[])
    AS v(id, next_check_at, dispatched_at, done_at, outcome)
WHERE r.id = v.id
"""


def _save_visits(rows: list[Reminder]) -> None:
    """One UPDATE for the batch (Django's bulk_update builds a CASE per row and
    field: two thirds of a run's time at 10,000 reminders)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _SAVE_VISITS,
            [
                [r.pk for r in rows],
                [r.next_check_at for r in rows],
                [r.dispatched_at for r in rows],
                [r.done_at for r in rows],
                [r.outcome for r in rows],
            ],
        )


def _send_after_commit(delivery_ids: list[int], counts: DispatchCounts) -> Callable[[], None]:
    def send() -> None:
        from .tasks import deliver_reminders

        for chunk in _chunks(delivery_ids, ENQUEUE_CHUNK):
            try:
                deliver_reminders.delay(chunk)
            except Exception:  # the broker is down: the next visits enqueue them again
                counts.enqueue_failed += len(delivery_ids) - delivery_ids.index(chunk[0])
                logger.warning(
                    "reminders: broker unavailable, %d deliveries left for the next run", counts.enqueue_failed
                )
                return

    return send


def dispatch_due(*, now: dt.datetime | None = None, batch: int | None = None) -> DispatchCounts:
    """One dispatcher run. Logs and returns counts, never content."""
    now = now or timezone.now()
    batch = batch or settings.NGO_REMINDER_BATCH
    counts = DispatchCounts()
    while True:
        with transaction.atomic():
            rows = list(
                Reminder.objects.select_for_update(skip_locked=True)
                .filter(next_check_at__lte=now)
                .order_by("next_check_at")[:batch]
            )
            if not rows:
                break
            counts.batches += 1
            counts.visited += len(rows)
            first = [r for r in rows if r.dispatched_at is None]
            if first:
                _first_visit(first, now, counts)
            ids_before = len(counts.delivery_ids)
            _enqueue_due(rows, now, counts)
            _save_visits(rows)
            # A case review visited (sent, or nobody to send it to today): plan the next one now, once
            # this one is saved as dispatched. Only the review: the rest of the case has not changed
            # (and its survivor's documents need no decrypting).
            reviewed = {r.case_id for r in first if r.kind in CASE_REVIEW_BY_RISK.values()}
            if reviewed:
                cases = Case.objects.filter(pk__in=reviewed).exclude(status__in=CLOSED_STATUSES)
                plan_next_reviews(cases, at=now)
            new_ids = counts.delivery_ids[ids_before:]
            if new_ids:
                transaction.on_commit(_send_after_commit(new_ids, counts))
        if len(rows) < batch:
            break
    if counts.visited:
        logger.info(
            "reminders dispatched: %d visited, %d no longer due, %d without recipient, "
            "%d deliveries recorded, %d enqueued, %d finished, %d not enqueued (broker)",
            counts.visited,
            counts.not_due,
            counts.no_recipient,
            counts.deliveries_created,
            counts.enqueued,
            counts.finished,
            counts.enqueue_failed,
        )
    return counts


# --- delivery -------------------------------------------------------------------------------------


def _notice(delivery: Delivery) -> Notification:
    """The notification a delivery stands for (unsaved for email): partner
    staff's carry no case, they know the referral only."""
    user, reminder = delivery.user, delivery.reminder
    partner = user.organisation is None or not user.organisation.is_home
    return Notification(
        recipient=user,
        kind=Kind.REMINDER,
        key=f"reminder:{reminder.pk}",
        case=None if partner else reminder.case,
        referral=reminder.referral,
        params={"rule": reminder.kind, "due": reminder.due_on.isoformat(), "offset": reminder.offset},
    )


def _still_wanted(delivery: Delivery) -> bool:
    snapshot = Snapshot([delivery.reminder])
    return (
        delivery.user.is_active
        and snapshot.still_due(delivery.reminder)
        and delivery.user_id in snapshot.recipients(delivery.reminder)
    )


def deliver_one(delivery_id: int) -> bool:
    """Send one delivery if it is still unsent and still wanted. Idempotent."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("reminder__case", "reminder__referral", "user__organisation")
            .filter(pk=delivery_id, sent_at__isnull=True, via_digest=False)
            .first()
        )
        if delivery is None:
            return False  # sent already, or another worker holds it
        now = timezone.now()
        if not _still_wanted(delivery):
            Delivery.objects.filter(pk=delivery.pk).update(sent_at=now, outcome=Outcome.NOT_DUE)
            return False
        notice = _notice(delivery)
        if delivery.channel == Channel.IN_APP:
            notify(
                recipients=[notice.recipient],
                kind=notice.kind,
                key=notice.key,
                case=notice.case,
                referral=notice.referral,
                params=notice.params,
            )
        else:
            email_message(notice, header=f"reminder-delivery {delivery.pk}").send()
        Delivery.objects.filter(pk=delivery.pk).update(sent_at=now, outcome=Outcome.SENT)
    return True


# --- daily digest ---------------------------------------------------------------------------------


def collect_digests(*, now: dt.datetime | None = None) -> list[int]:
    """For every user who chose the digest and whose digest hour has come,
    gather their waiting reminder emails into today's digest (one a day)."""
    now = now or timezone.now()
    redeliver = dt.timedelta(seconds=settings.NGO_REMINDER_REDELIVER_SECONDS)
    user_ids = set(
        Delivery.objects.filter(via_digest=True, sent_at__isnull=True, not_before__lte=now).values_list(
            "user_id", flat=True
        )
    )
    ready: list[int] = []
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        zone = user.time_zone or "UTC"
        if now.astimezone(ZoneInfo(zone)).hour < settings.NGO_DIGEST_HOUR:
            continue
        today = local_date(now, zone)
        with transaction.atomic():
            digest, created = Digest.objects.get_or_create(user=user, local_date=today)
            if not created:
                continue  # today's digest exists: what came later waits for tomorrow's
            claimed = Delivery.objects.filter(
                user=user, via_digest=True, sent_at__isnull=True, digest__isnull=True, not_before__lte=now
            ).update(digest=digest)
            if claimed:
                Digest.objects.filter(pk=digest.pk).update(enqueued_at=now)
                ready.append(digest.pk)
    # Digests enqueued long ago and still unsent (broker or worker was down).
    stale = Digest.objects.filter(sent_at__isnull=True).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - redeliver)
    )
    for digest_id in stale.exclude(pk__in=ready).values_list("pk", flat=True):
        Digest.objects.filter(pk=digest_id).update(enqueued_at=now)
        ready.append(digest_id)
    return ready


def send_digest(digest_id: int) -> int:
    """Send one digest email; idempotent like a delivery. Returns the number of reminders in it."""
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("user__organisation")
            .filter(pk=digest_id, sent_at__isnull=True)
            .first()
        )
        if digest is None:
            return 0
        now = timezone.now()
        deliveries = list(
            Delivery.objects.filter(digest=digest, sent_at__isnull=True)
            .select_related("reminder__case", "reminder__referral", "user__organisation")
            .order_by("reminder__due_on", "pk")
        )
        wanted = [d for d in deliveries if _still_wanted(d)]
        user = digest.user
        if wanted:
            messages = [rendered(_notice(delivery)) for delivery in wanted]
            lines = [f"- {message.text}\n  {message.link}" for message in messages]
            with translation.override(user.language):
                subject = translation.ngettext(
                    "ngo-cases: %(n)d reminder for %(date)s", "ngo-cases: %(n)d reminders for %(date)s", len(wanted)
                ) % {"n": len(wanted), "date": digest.local_date.isoformat()}
                body = "\n\n".join(["\n".join(lines), footer()])
            email(user, subject, body, header=f"reminder-digest {digest.pk}").send()
        sent_ids = {d.pk for d in wanted}
        Delivery.objects.filter(pk__in=sent_ids).update(sent_at=now, outcome=Outcome.SENT)
        Delivery.objects.filter(digest=digest, sent_at__isnull=True).exclude(pk__in=sent_ids).update(
            sent_at=now, outcome=Outcome.NOT_DUE
        )
        Digest.objects.filter(pk=digest.pk).update(sent_at=now)
    return len(wanted)
