"""Tasks of the cases app: ids in, state re-read, no PII in arguments or mail."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from accounts.models import Role, User

from .models import CaseUserObjectPermission, GrantReason

logger = logging.getLogger(__name__)


@shared_task(name="cases.tasks.notify_break_glass", acks_late=True)
def notify_break_glass(grant_id: str) -> int:
    """Tell the case's team supervisors and the organisation's auditors that
    someone opened the case by break-glass. The mail holds the case
    reference, the staff username and a link, never the reason (it may name
    the survivor) nor any survivor data. Claimed with a conditional update,
    so a retried task does not mail twice."""
    claimed = CaseUserObjectPermission.objects.filter(
        pk=grant_id, reason=GrantReason.BREAK_GLASS, notified_at__isnull=True
    ).update(notified_at=timezone.now())
    if not claimed:
        return 0
    grant = CaseUserObjectPermission.objects.select_related("content_object__team", "user").get(pk=grant_id)
    case = grant.content_object
    recipients = User.objects.filter(is_active=True).filter(
        team_memberships__team=case.team, role=Role.SUPERVISOR
    ) | User.objects.filter(is_active=True, role=Role.AUDITOR, organisation=case.organisation_id)
    recipients = recipients.distinct()
    from notifications.services import notify

    sent = notify(
        recipients=recipients,
        kind="break_glass",
        key=f"break_glass:{grant.pk}",
        case=case,
        subject_user=grant.user,
        params={"until": grant.expires_at.strftime("%Y-%m-%d %H:%M") if grant.expires_at else "-"},
        email=True,
    )
    logger.info("break-glass grant %s: notified %d people", grant_id, sent)
    return sent
