"""After migrate: the reminder rules and the beat schedule exist (defaults
where missing; what an admin changed is kept). When an admin changes a rule,
every source it applies to is planned again."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import connection

from .models import ReminderRule, SourceType
from .rules import DEFAULTS, RuleKind

# Which sources a rule's change sends back to the planner (open ones only).
_SOURCES_OF_KIND = {
    RuleKind.FOLLOW_UP_DUE: SourceType.FOLLOW_UP,
    RuleKind.FOLLOW_UP_OVERDUE: SourceType.FOLLOW_UP,
    RuleKind.FOLLOW_UP_ESCALATION: SourceType.FOLLOW_UP,
    RuleKind.REFERRAL_NO_ANSWER: SourceType.REFERRAL,
    RuleKind.REFERRAL_ESCALATION: SourceType.REFERRAL,
    RuleKind.REFERRAL_CHECK_IN: SourceType.REFERRAL,
    RuleKind.REASONABLE_GROUNDS_DUE: SourceType.MILESTONE,
    RuleKind.RECOVERY_REVIEW: SourceType.MILESTONE,
    RuleKind.RECOVERY_END: SourceType.MILESTONE,
    RuleKind.SUPPORT_PLAN_END: SourceType.MILESTONE,
    RuleKind.CONSENT_EXPIRY: SourceType.CONSENT,
    RuleKind.DOCUMENT_EXPIRY: SourceType.SURVIVOR,
    RuleKind.CASE_REVIEW_HIGH: SourceType.CASE,
    RuleKind.CASE_REVIEW_MEDIUM: SourceType.CASE,
    RuleKind.CASE_REVIEW_LOW: SourceType.CASE,
}
_OPEN_SOURCES_SQL = {
    SourceType.FOLLOW_UP: "SELECT id FROM cases_followup WHERE status = 'open'",
    SourceType.REFERRAL: "SELECT id FROM referrals_referral WHERE status IN ('sent', 'completed')",
    SourceType.MILESTONE: "SELECT id FROM cases_milestone WHERE completed_on IS NULL",
    SourceType.CONSENT: "SELECT id FROM cases_consent WHERE revoked_at IS NULL AND expires_at IS NOT NULL",
    SourceType.SURVIVOR: (
        "SELECT DISTINCT survivor_id FROM cases_case WHERE status NOT IN ('Closed', 'ClosedReferred')"
    ),
    SourceType.CASE: "SELECT id FROM cases_case WHERE status NOT IN ('Closed', 'ClosedReferred')",
}


def replan_kind(kind: str) -> int:
    """Send every open source of the rule ``kind`` back to the planner."""
    source_type = _SOURCES_OF_KIND[RuleKind(kind)]
    # The sub-select is one of the constants above.
    sql = (
        "INSERT INTO reminders_planrequest (source_type, source_id, requested_at) "  # noqa: S608
        f"SELECT %s, s.id, now() FROM ({_OPEN_SOURCES_SQL[source_type]}) AS s(id) "
        "ON CONFLICT (source_type, source_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(source_type)])
        return cursor.rowcount


def install_rules() -> None:
    ReminderRule.objects.bulk_create(
        [ReminderRule(kind=kind, unit=d.unit, offsets=list(d.offsets)) for kind, d in DEFAULTS.items()],
        ignore_conflicts=True,
    )


def install_periodic_tasks() -> None:
    """The entries of CELERY_BEAT_SCHEDULE as django-celery-beat rows, where missing."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=int(cast(float, entry["schedule"])), period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.create(name=name, task=entry["task"], interval=interval)


def install_schedule(**kwargs: Any) -> None:
    install_rules()
    install_periodic_tasks()
