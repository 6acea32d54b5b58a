"""Tasks of the cases app: ids in, state re-read, no PII in arguments or mail."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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
    until = grant.expires_at.strftime("%Y-%m-%d %H:%M") if grant.expires_at else "-"
    from notifications.services import notify

    notify(
        recipients=list(recipients),
        kind="break_glass",
        key=f"break_glass:{grant.pk}",
        case=case,
        subject_user=grant.user,
        params={"until": until},
    )
    sent = 0
    for recipient in recipients:
        if not recipient.email:
            continue
        with translation.override(recipient.language):
            subject = _("Break-glass access to case %(reference)s") % {"reference": case.reference}
            body = _(
                "%(user)s opened case %(reference)s by break-glass until %(until)s (UTC).\n"
                "The reason is in the access log.\n%(link)s"
            ) % {
                "user": grant.user.username,
                "reference": case.reference,
                "until": grant.expires_at.strftime("%Y-%m-%d %H:%M") if grant.expires_at else "-",
                "link": f"{settings.NGO_PUBLIC_URL}/admin/cases/case/{case.pk}/change/",
            }
        send_mail(subject, body, None, [recipient.email])
        sent += 1
    logger.info("break-glass grant %s: notified %d people", grant_id, sent)
    return sent
