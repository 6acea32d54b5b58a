"""Notification texts are rendered when read, in the reader's language:
a case reference, a username, counts and a link — never survivor data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

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
    return str(notification.get_kind_display()), ""


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()
    case_reference = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_text(self, notification: Notification) -> str:
        return render(notification)[0]

    def get_link(self, notification: Notification) -> str:
        return render(notification)[1]

    def get_case_reference(self, notification: Notification) -> Any:
        return notification.case.reference if notification.case is not None else None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=500, required=False)
