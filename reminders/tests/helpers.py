from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail

from notifications.models import Notification
from reminders.models import Reminder
from reminders.planner import plan_pending
from reminders.services import DispatchCounts, deliver_one, dispatch_due

UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def plan() -> int:
    return plan_pending()


def run(now: dt.datetime) -> DispatchCounts:
    """Plan, dispatch as of ``now`` and deliver what was enqueued (as the worker would)."""
    plan_pending()
    counts = dispatch_due(now=now)
    for delivery_id in counts.delivery_ids:
        deliver_one(delivery_id)
    return counts


def planned(**filters: Any) -> list[tuple[str, dt.date, int, dt.datetime]]:
    return sorted(
        Reminder.objects.filter(dispatched_at__isnull=True, **filters).values_list(
            "kind", "due_on", "offset", "fire_at"
        )
    )


def kinds(**filters: Any) -> list[str]:
    return sorted(Reminder.objects.filter(dispatched_at__isnull=True, **filters).values_list("kind", flat=True))


def inbox(user: Any) -> list[dict[str, Any]]:
    rows = Notification.objects.filter(recipient=user, kind="reminder").values("params", "case_id", "referral_id")
    return [dict(row) for row in rows]


def emails_to(user: Any) -> list[Any]:
    return [m for m in mail.outbox if user.email in m.to]
