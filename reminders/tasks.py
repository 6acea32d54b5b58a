"""Celery tasks of the reminders. Arguments are ids only; every task
re-reads the database, so a retried or duplicated task does no harm.
None uses a countdown or ETA: what waits, waits in the database."""

from __future__ import annotations

import logging
import time

from celery import shared_task

from . import planner, services

logger = logging.getLogger(__name__)


@shared_task(name="reminders.tasks.plan_reminders")
def plan_reminders() -> int:
    started = time.monotonic()
    planned = planner.plan_pending()
    if planned:
        logger.info("reminders planned: %d sources in %.2f s", planned, time.monotonic() - started)
    return planned


@shared_task(name="reminders.tasks.dispatch_reminders")
def dispatch_reminders() -> int:
    counts = services.dispatch_due()
    return counts.enqueued


@shared_task(name="reminders.tasks.deliver_reminders", acks_late=True)
def deliver_reminders(delivery_ids: list[int]) -> int:
    """One failure (a mail server refusing, say) does not hold back the others
    in the task: it stays unsent and the dispatcher enqueues it again."""
    sent = 0
    for delivery_id in delivery_ids:
        try:
            sent += services.deliver_one(int(delivery_id))
        except Exception as exc:  # logged by id and type only: a message could name a recipient
            logger.warning(
                "reminder delivery %s failed (%s); it will be enqueued again", delivery_id, type(exc).__name__
            )
    return sent


@shared_task(name="reminders.tasks.send_digests")
def send_digests() -> int:
    ready = services.collect_digests()
    for digest_id in ready:
        send_digest.delay(digest_id)
    if ready:
        logger.info("reminder digests enqueued: %d", len(ready))
    return len(ready)


@shared_task(name="reminders.tasks.send_digest", acks_late=True)
def send_digest(digest_id: int) -> int:
    return services.send_digest(int(digest_id))
