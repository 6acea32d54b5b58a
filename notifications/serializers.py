"""Notification texts are rendered when read, in the reader's language:
a case reference, a username, counts and a link — never survivor data."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ngo_cases.api import serializers

from .models import Kind, Notification


def render(notification: Notification) -> tuple[str, str]:
    """(text, link) of a notification."""
    params = notification.params or {}
    if notification.kind == Kind.BREAK_GLASS and notification.case is not None:
        text = _("%(user)s opened case %(reference)s by break-glass until %(until)s (UTC).") % {
            "user": notification.subject_user.username if notification.subject_user else "?",
            "reference": notification.case.reference,
            "until": params.get("until", "-"),
        }
        return text, f"{settings.NGO_PUBLIC_URL}/admin/cases/case/{notification.case_id}/change/"
    if notification.kind == Kind.BULK_ACCESS:
        text = _("%(user)s read %(count)s different survivors' files in %(minutes)s minutes.") % {
            "user": notification.subject_user.username if notification.subject_user else "?",
            "count": params.get("count", "?"),
            "minutes": params.get("minutes", "?"),
        }
        return text, f"{settings.NGO_PUBLIC_URL}/admin/audit/bulkaccessalert/"
    if notification.kind == Kind.REMINDER:
        return _render_reminder(notification, params)
    return str(notification.get_kind_display()), ""


def _render_reminder(notification: Notification, params: dict[str, Any]) -> tuple[str, str]:
    from reminders.texts import reminder_link, reminder_text

    due = params.get("due")
    text = reminder_text(
        kind=str(params.get("rule", "")),
        due_on=datetime.date.fromisoformat(due) if due else timezone.localdate(),
        offset=int(params.get("offset", 0)),
        today=timezone.localdate(),
        case_ref=notification.case.reference if notification.case is not None else None,
        referral_ref=notification.referral.reference if notification.referral is not None else None,
    )
    return text, reminder_link(case_id=notification.case_id, referral_id=notification.referral_id)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()
    case_reference = serializers.SerializerMethodField()
    referral_reference = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_text(self, notification: Notification) -> str:
        return render(notification)[0]

    def get_link(self, notification: Notification) -> str:
        return render(notification)[1]

    def get_case_reference(self, notification: Notification) -> Any:
        return notification.case.reference if notification.case is not None else None

    def get_referral_reference(self, notification: Notification) -> Any:
        return notification.referral.reference if notification.referral is not None else None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=500, required=False)
