"""Notifications as the API shows them: the text is drawn when read, in the
reader's language, by the renderer registered for its kind (texts.py)."""

from __future__ import annotations

from typing import Any

from ngo_cases.api import serializers

from .models import Notification
from .texts import render


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
        return render(notification).text

    def get_link(self, notification: Notification) -> str:
        return render(notification).link

    def get_case_reference(self, notification: Notification) -> Any:
        return notification.case.reference if notification.case is not None else None

    def get_referral_reference(self, notification: Notification) -> Any:
        return notification.referral.reference if notification.referral is not None else None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=500, required=False)
