"""Reads of notifications: always the requesting user's own."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User

from .models import Notification


def inbox(*, fetched_by: User, unread: bool = False) -> QuerySet[Notification]:
    queryset = Notification.objects.filter(recipient=fetched_by).select_related("case", "referral", "subject_user")
    return queryset.filter(read_at__isnull=True) if unread else queryset


def unread_count(*, fetched_by: User) -> int:
    return Notification.objects.filter(recipient=fetched_by, read_at__isnull=True).count()
