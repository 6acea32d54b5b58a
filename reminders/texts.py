"""Reminder texts, in the reader's language, with "today" in the reader's
time zone. They name a case or referral by its reference and nothing else:
no survivor data can reach a text because none is passed in."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.models import Notification
from notifications.texts import Message

from .rules import RuleKind


def when(day: dt.date, today: dt.date) -> str:
    """'today', 'tomorrow', 'in 3 days', 'yesterday', '5 days ago' — and the date."""
    days = (day - today).days
    if days == 0:
        relative = _("today")
    elif days == 1:
        relative = _("tomorrow")
    elif days == -1:
        relative = _("yesterday")
    elif days > 1:
        relative = ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
    else:
        relative = ngettext("%(n)d day ago", "%(n)d days ago", -days) % {"n": -days}
    return f"{relative} ({day.isoformat()})"


def reminder_text(
    *, kind: str, due_on: dt.date, offset: int, today: dt.date, case_ref: str | None, referral_ref: str | None
) -> str:
    """One sentence. ``case_ref`` is None for partner staff: they know the referral only."""
    w = when(due_on, today)
    case = case_ref or "-"
    referral = referral_ref or "-"
    # Texts are drawn when read: a date already past is told in the past tense.
    past = due_on < today
    if kind == RuleKind.FOLLOW_UP_DUE:
        if past:
            return _("A follow-up on case %(case)s was due %(when)s.") % {"case": case, "when": w}
        return _("A follow-up on case %(case)s is due %(when)s.") % {"case": case, "when": w}
    if kind == RuleKind.FOLLOW_UP_OVERDUE:
        return _("A follow-up on case %(case)s is overdue: it was due %(when)s.") % {"case": case, "when": w}
    if kind == RuleKind.FOLLOW_UP_ESCALATION:
        return _("Escalation: a follow-up on case %(case)s in your team is overdue; it was due %(when)s.") % {
            "case": case,
            "when": w,
        }
    if kind == RuleKind.REFERRAL_NO_ANSWER:
        if case_ref is None:
            return _("Referral %(referral)s, sent %(when)s, is waiting for your answer.") % {
                "referral": referral,
                "when": w,
            }
        return _("Referral %(referral)s on case %(case)s, sent %(when)s, has not been answered.") % {
            "referral": referral,
            "case": case,
            "when": w,
        }
    if kind == RuleKind.REFERRAL_ESCALATION:
        return _("Escalation: referral %(referral)s on case %(case)s, sent %(when)s, is still unanswered.") % {
            "referral": referral,
            "case": case,
            "when": w,
        }
    if kind == RuleKind.REFERRAL_CHECK_IN:
        return _("Check in on case %(case)s: referral %(referral)s was completed %(days)s days ago (%(date)s).") % {
            "case": case,
            "referral": referral,
            "days": offset,
            "date": due_on.isoformat(),
        }
    if kind == RuleKind.REASONABLE_GROUNDS_DUE:
        if past:
            return _("The reasonable-grounds decision on case %(case)s was due %(when)s.") % {"case": case, "when": w}
        return _("The reasonable-grounds decision on case %(case)s is due %(when)s.") % {"case": case, "when": w}
    if kind == RuleKind.RECOVERY_REVIEW:
        if past:
            return _("The recovery period on case %(case)s was due for review %(when)s.") % {"case": case, "when": w}
        return _("The recovery period on case %(case)s is due for review %(when)s.") % {"case": case, "when": w}
    if kind == RuleKind.RECOVERY_END:
        if past:
            return _("The recovery period on case %(case)s ended %(when)s.") % {"case": case, "when": w}
        return _("The recovery period on case %(case)s ends %(when)s.") % {"case": case, "when": w}
    if kind == RuleKind.SUPPORT_PLAN_END:
        if past:
            return _("A support plan item on case %(case)s ended %(when)s.") % {"case": case, "when": w}
        return _("A support plan item on case %(case)s ends %(when)s.") % {"case": case, "when": w}
    if kind == RuleKind.CONSENT_EXPIRY:
        if past:
            return _("A consent on case %(case)s expired %(when)s.") % {"case": case, "when": w}
        return _("A consent on case %(case)s expires %(when)s.") % {"case": case, "when": w}
    if kind == RuleKind.DOCUMENT_EXPIRY:
        if past:
            return _("An identity or visa document on case %(case)s expired %(when)s.") % {"case": case, "when": w}
        return _("An identity or visa document on case %(case)s expires %(when)s.") % {"case": case, "when": w}
    if kind in (RuleKind.CASE_REVIEW_HIGH, RuleKind.CASE_REVIEW_MEDIUM, RuleKind.CASE_REVIEW_LOW):
        if past:
            return _("Case %(case)s was due for its regular review %(when)s (%(rule)s).") % {
                "case": case,
                "when": w,
                "rule": RuleKind(kind).label,
            }
        return _("Case %(case)s is due for its regular review %(when)s (%(rule)s).") % {
            "case": case,
            "when": w,
            "rule": RuleKind(kind).label,
        }
    return str(RuleKind(kind).label) if kind in RuleKind.values else _("Reminder")


def reminder_link(*, case_id: object, referral_id: object | None) -> str:
    if referral_id is not None:
        return f"{settings.NGO_PUBLIC_URL}/api/v1/referrals/{referral_id}"
    return f"{settings.NGO_PUBLIC_URL}/api/v1/cases/{case_id}"


def footer() -> str:
    return _(
        "Sign in to see more. This message never contains personal data. "
        "You can receive one daily digest instead in your preferences (email_digest)."
    )


def reminder(notification: Notification) -> Message:
    """A reminder notification (registered with notifications.texts in
    RemindersConfig.ready), "today" being the active time zone's. Partner
    staff's notifications carry no case (they know the referral only)."""
    params = notification.params or {}
    due = params.get("due")
    text = reminder_text(
        kind=str(params.get("rule", "")),
        due_on=dt.date.fromisoformat(due) if due else timezone.localdate(),
        offset=int(params.get("offset", 0)),
        today=timezone.localdate(),
        case_ref=notification.case.reference if notification.case is not None else None,
        referral_ref=notification.referral.reference if notification.referral is not None else None,
    )
    return Message(
        subject=_("ngo-cases reminder: %(text)s") % {"text": text},
        text=text,
        link=reminder_link(case_id=notification.case_id, referral_id=notification.referral_id),
        note=footer(),
    )
