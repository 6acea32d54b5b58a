"""Housekeeping tasks of accounts. Tasks take ids (or nothing), re-read state
and are safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from .models import ApiToken

logger = logging.getLogger(__name__)


@shared_task(name="accounts.tasks.purge_expired_tokens")
def purge_expired_tokens() -> int:
    deleted, _ = ApiToken.objects.filter(expiry__lt=timezone.now()).delete()
    logger.info("purged %d expired API tokens", deleted)
    return deleted
