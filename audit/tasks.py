"""Bulk-access detection: a beat task reads the access log for users who
read more distinct survivors than allowed in the window, raises one alert
per user and window, and mails the organisation's auditors and the user's
supervisors (ids, counts and a link; never a name)."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User

from .models import BulkAccessAlert

logger = logging.getLogger(__name__)

_HEAVY_READERS = """
SELECT e.actor_id, count(DISTINCT s) AS survivors
FROM audit_accesslogentry e CROSS JOIN LATERAL unnest(e.survivor_ids) AS s
WHERE e.at >= %s AND e.actor_id IS NOT NULL
GROUP BY e.actor_id
HAVING count(DISTINCT s) > %s
"""


@shared_task(name="audit.tasks.detect_bulk_access")
def detect_bulk_access() -> int:
    """One alert per user per window: a user already alerted within the
    window is not alerted again until it has passed."""
    now = timezone.now()
    window = timedelta(minutes=settings.NGO_BULK_ACCESS_WINDOW_MINUTES)
    threshold = settings.NGO_BULK_ACCESS_SURVIVORS
    with connection.cursor() as cursor:
        cursor.execute(_HEAVY_READERS, [now - window, threshold])
        heavy = cursor.fetchall()
    raised = 0
    for user_id, survivors in heavy:
        with transaction.atomic():
            if BulkAccessAlert.objects.filter(user_id=user_id, window_end__gt=now - window).exists():
                continue
            alert = BulkAccessAlert.objects.create(
                user_id=user_id, window_start=now - window, window_end=now, survivors=survivors, threshold=threshold
            )
            transaction.on_commit(partial(notify_bulk_access.delay, alert.pk))
            raised += 1
    logger.info("bulk-access check: %d users over %d survivors, %d alerts raised", len(heavy), threshold, raised)
    return raised


@shared_task(name="audit.tasks.notify_bulk_access", acks_late=True)
def notify_bulk_access(alert_id: int) -> int:
    claimed = BulkAccessAlert.objects.filter(pk=alert_id, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return 0
    alert = BulkAccessAlert.objects.select_related("user").get(pk=alert_id)
    user = alert.user
    recipients = User.objects.filter(is_active=True, role=Role.AUDITOR, organisation=user.organisation_id) | (
        User.objects.filter(
            is_active=True, role=Role.SUPERVISOR, team_memberships__team__memberships__user=user
        ).exclude(pk=user.pk)
    )
    from notifications.services import notify

    sent = notify(
        recipients=recipients.distinct(),
        kind="bulk_access",
        key=f"bulk_access:{alert.pk}",
        subject_user=user,
        params={
            "count": alert.survivors,
            "minutes": settings.NGO_BULK_ACCESS_WINDOW_MINUTES,
            "threshold": alert.threshold,
        },
        email=True,
    )
    logger.info("bulk-access alert %s: notified %d people", alert_id, sent)
    return sent
