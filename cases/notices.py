"""The text of a break-glass notice (registered with notifications.texts in
CasesConfig.ready): the case reference, the staff username, until when and
a link — never the reason (it may name the survivor) nor survivor data."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.texts import Message


def break_glass(notification: Notification) -> Message:
    case = notification.case
    user = notification.subject_user
    values = {
        "user": user.username if user is not None else "?",
        "reference": case.reference if case is not None else "-",
        "until": (notification.params or {}).get("until", "-"),
    }
    return Message(
        subject=_("Break-glass access to case %(reference)s") % values,
        text=_("%(user)s opened case %(reference)s by break-glass until %(until)s (UTC).") % values,
        link=f"{settings.NGO_PUBLIC_URL}/admin/cases/case/{notification.case_id}/change/",
        note=_("The reason is in the access log."),
    )
