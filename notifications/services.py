"""Telling people: the one fan-out every kind of notification goes through.

In-app notifications are written once per event and recipient (database
constraint), so a retried task never notifies twice; emails are drawn in
each recipient's language from the same registered text (notifications/
texts.py) and never hold survivor data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import User

from .models import Notification
from .texts import Message, render


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    key: str,
    case: Any = None,
    referral: Any = None,
    subject_user: Any = None,
    params: dict[str, Any] | None = None,
    in_app: bool = True,
    email: bool = False,
    email_header: str = "",
) -> int:
    """Tell each recipient about one event (``key``): in the app (once per
    recipient and key) and, with ``email``, by mail to those with an
    address. Returns how many were told: notifications created, or emails
    sent when ``email`` is set."""
    people = list(recipients)
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
        for recipient in people
    ]
    created = len(Notification.objects.bulk_create(rows, ignore_conflicts=True)) if in_app else 0
    if not email:
        return created
    sent = 0
    for row in rows:
        if row.recipient.email:
            email_message(row, header=email_header or key).send()
            sent += 1
    return sent


def email_message(notification: Notification, *, header: str) -> EmailMessage:
    """The email of one notification, in its recipient's language and time zone."""
    message = rendered(notification)
    body = "\n\n".join(part for part in (message.text, message.link, message.note) if part)
    return email(notification.recipient, message.subject, body, header=header)


def email(recipient: User, subject: str, body: str, *, header: str) -> EmailMessage:
    """A plain-text email to one person; ``header`` (X-NGO-Cases) names the
    event by ids for the mail log, never by content."""
    return EmailMessage(subject=subject[:200], body=body, to=[recipient.email], headers={"X-NGO-Cases": header})


def rendered(notification: Notification) -> Message:
    """The message in the recipient's language and time zone (for emails and digests)."""
    recipient = notification.recipient
    with translation.override(recipient.language), timezone.override(recipient.time_zone or "UTC"):
        return render(notification)


@transaction.atomic
def mark_read(*, recipient: User, notification_ids: Iterable[Any] | None = None) -> int:
    """Mark the recipient's notifications read (all of them when no ids)."""
    queryset = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())
