"""The beat scheduler: django-celery-beat's database scheduler, so that the
schedule is visible and adjustable in the admin (Periodic tasks).

django-celery-beat writes ``CELERY_BEAT_SCHEDULE`` over the database rows at
every beat start, which would undo an admin's change at the next restart.
This scheduler only installs the entries that are missing.
"""

from __future__ import annotations

from typing import Any

from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler


class Scheduler(DatabaseScheduler):
    def update_from_dict(self, mapping: dict[str, Any]) -> None:
        existing = set(PeriodicTask.objects.filter(name__in=list(mapping)).values_list("name", flat=True))
        super().update_from_dict({name: entry for name, entry in mapping.items() if name not in existing})
