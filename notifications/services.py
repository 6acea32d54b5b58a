"""Writing notifications: once per event and recipient (database constraint),
so a retried task never notifies twice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import Notification


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    key: str,
    case: Any = None,
    referral: Any = None,
    subject_user: Any = None,
    params: dict[str, Any] | None = None,
) -> int:
    """Create the notification for each recipient who does not have it yet."""
    rows = [
        Notification(
            recipient=recipient,
            kind=kind,
            key=key,
            case=case,
            referral=referral,
            subject_user=subject_user,
            params=params or {},
        )
        for recipient in recipients
    ]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


@transaction.atomic
def mark_read(*, recipient: User, notification_ids: Iterable[Any] | None = None) -> int:
    """Mark the recipient's notifications read (all of them when no ids)."""
    queryset = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())
