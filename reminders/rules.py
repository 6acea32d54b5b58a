"""Due-date arithmetic of the reminder rules: pure functions, no database.

- Date rules fire on a calendar date, at ``NGO_REMINDER_HOUR`` (08:00) in
  each recipient's own time zone: "due today" means today where the reader
  is. The plan row fires when that hour has come in the earliest time zone
  on earth (UTC+14); each recipient's delivery waits for their own 08:00.
- Hour rules (referral answers) fire at an exact instant for everyone.
- Working days skip Saturdays, Sundays and, when ``NGO_HOLIDAYS_COUNTRY`` is
  set (e.g. ``RU``), that country's public holidays (``holidays`` library).
- Months are calendar months anchored on the first date: 31 January plus one
  month is 28 (or 29) February, plus two is 31 March.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

# The earliest local time on earth is UTC+14 (Line Islands).
EARLIEST_OFFSET = dt.timedelta(hours=14)


class Unit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    WORKING_DAYS = "working_days", _("working days")
    MONTHS = "months", _("months")


class RuleKind(models.TextChoices):
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Follow-up overdue")
    FOLLOW_UP_ESCALATION = "follow_up_escalation", _("Follow-up overdue: escalation to supervisors")
    REFERRAL_NO_ANSWER = "referral_no_answer", _("Referral not answered")
    REFERRAL_ESCALATION = "referral_escalation", _("Referral not answered: escalation to supervisors")
    REFERRAL_CHECK_IN = "referral_check_in", _("Check-in after a completed referral")
    REASONABLE_GROUNDS_DUE = "reasonable_grounds_due", _("Reasonable-grounds decision due")
    RECOVERY_REVIEW = "recovery_review", _("Recovery period review")
    RECOVERY_END = "recovery_end", _("Recovery period ends")
    SUPPORT_PLAN_END = "support_plan_end", _("Support plan item ends")
    CONSENT_EXPIRY = "consent_expiry", _("Consent expires")
    DOCUMENT_EXPIRY = "document_expiry", _("Identity or visa document expires")
    CASE_REVIEW_HIGH = "case_review_high", _("Case review (high risk)")
    CASE_REVIEW_MEDIUM = "case_review_medium", _("Case review (medium risk)")
    CASE_REVIEW_LOW = "case_review_low", _("Case review (low risk)")


@dataclass(frozen=True)
class RuleDefault:
    unit: str
    offsets: tuple[int, ...]
    help: str


# What ships; admins change offsets in the admin (reminders.ReminderRule).
DEFAULTS: dict[str, RuleDefault] = {
    RuleKind.FOLLOW_UP_DUE: RuleDefault(Unit.DAYS, (0,), "days after the due date (0: on the day, -1: the day before)"),
    RuleKind.FOLLOW_UP_OVERDUE: RuleDefault(Unit.DAYS, (1,), "days after the due date, to the assignee"),
    RuleKind.FOLLOW_UP_ESCALATION: RuleDefault(Unit.DAYS, (3,), "days after the due date, to the team's supervisors"),
    RuleKind.REFERRAL_NO_ANSWER: RuleDefault(Unit.HOURS, (72,), "hours after sending, while unanswered"),
    RuleKind.REFERRAL_ESCALATION: RuleDefault(Unit.HOURS, (168,), "hours after sending, to the team's supervisors"),
    RuleKind.REFERRAL_CHECK_IN: RuleDefault(Unit.DAYS, (7, 30, 90), "days after the referral was completed"),
    RuleKind.REASONABLE_GROUNDS_DUE: RuleDefault(Unit.WORKING_DAYS, (5,), "working days after the milestone starts"),
    RuleKind.RECOVERY_REVIEW: RuleDefault(Unit.DAYS, (30,), "days after the recovery period starts"),
    RuleKind.RECOVERY_END: RuleDefault(Unit.DAYS, (-7, 0), "days relative to the recovery period's end"),
    RuleKind.SUPPORT_PLAN_END: RuleDefault(Unit.DAYS, (-7, 0), "days relative to the planned end"),
    RuleKind.CONSENT_EXPIRY: RuleDefault(Unit.DAYS, (-14, -3), "days relative to the consent's expiry"),
    RuleKind.DOCUMENT_EXPIRY: RuleDefault(Unit.DAYS, (-60, -14, -7), "days relative to the document's expiry"),
    RuleKind.CASE_REVIEW_HIGH: RuleDefault(Unit.DAYS, (7,), "every N days from the case's opening"),
    RuleKind.CASE_REVIEW_MEDIUM: RuleDefault(Unit.MONTHS, (1,), "every N months from the case's opening"),
    RuleKind.CASE_REVIEW_LOW: RuleDefault(Unit.MONTHS, (3,), "every N months from the case's opening"),
}

# Rules counted in hours from an instant (a referral's sending), not on a date.
HOUR_KINDS = frozenset(kind for kind, default in DEFAULTS.items() if default.unit == Unit.HOURS)

CASE_REVIEW_BY_RISK = {
    "high": RuleKind.CASE_REVIEW_HIGH,
    "medium": RuleKind.CASE_REVIEW_MEDIUM,
    "low": RuleKind.CASE_REVIEW_LOW,
}
ESCALATIONS = frozenset({RuleKind.FOLLOW_UP_ESCALATION, RuleKind.REFERRAL_ESCALATION})


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    if not country:
        return frozenset()
    import holidays

    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_working_day(day: dt.date, country: str = "") -> bool:
    return day.weekday() < 5 and day not in _holidays(country, day.year)


def add_working_days(day: dt.date, count: int, country: str = "") -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += dt.timedelta(days=step)
        if is_working_day(day, country):
            remaining -= 1
    return day


def shift(day: dt.date, amount: int, unit: str, country: str = "") -> dt.date:
    if unit == Unit.DAYS:
        return day + dt.timedelta(days=amount)
    if unit == Unit.WORKING_DAYS:
        return add_working_days(day, amount, country)
    if unit == Unit.MONTHS:
        return add_months(day, amount)
    raise ValueError(f"not a date unit: {unit}")


def occurrence_after(anchor: dt.date, every: int, unit: str, after: dt.date) -> dt.date:
    """The first ``anchor + k·every`` (k ≥ 1) that falls on or after ``after``.
    Months count from the anchor each time, so month ends do not drift."""
    if every <= 0:
        raise ValueError("a cadence must be positive")
    if unit == Unit.DAYS:
        k = max(1, -(-(after - anchor).days // every))
        return anchor + dt.timedelta(days=k * every)
    if unit == Unit.MONTHS:
        k = max(1, ((after.year - anchor.year) * 12 + after.month - anchor.month) // every)
        candidate = add_months(anchor, k * every)
        while candidate < after:
            k += 1
            candidate = add_months(anchor, k * every)
        return candidate
    raise ValueError(f"not a cadence unit: {unit}")


def local_fire_time(day: dt.date, zone: str, hour: int) -> dt.datetime:
    """``hour`` o'clock on ``day`` in the time zone ``zone``, as an aware UTC instant."""
    local = dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(zone))
    return local.astimezone(dt.UTC)


def earliest_fire_time(day: dt.date, hour: int) -> dt.datetime:
    """When ``hour`` o'clock on ``day`` first comes anywhere (UTC+14)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC) - EARLIEST_OFFSET


def local_date(at: dt.datetime, zone: str) -> dt.date:
    return at.astimezone(ZoneInfo(zone)).date()
