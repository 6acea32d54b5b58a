"""Deleting stored objects after their rows are gone; ids and random names
only in arguments and logs."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from .models import StoredObjectDeletion
from .storage import attachment_storage

logger = logging.getLogger(__name__)


@shared_task(name="attachments.tasks.delete_stored_objects", acks_late=True)
def delete_stored_objects(limit: int = 500) -> int:
    """Delete the queued objects from the storage; a failure stays queued for
    the next run (beat runs this hourly as well). Returns how many went."""
    storage = attachment_storage()
    deleted = 0
    with transaction.atomic():
        queued = list(StoredObjectDeletion.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
        for item in queued:
            try:
                storage.delete(item.storage_name)
            except Exception:
                logger.exception("stored attachment object %s not deleted yet", item.pk)
                StoredObjectDeletion.objects.filter(pk=item.pk).update(attempts=item.attempts + 1)
                continue
            item.delete()
            deleted += 1
    if deleted:
        logger.info("%d stored attachment objects deleted", deleted)
    return deleted
