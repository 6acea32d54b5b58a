"""The anonymised export's background work; export ids only in arguments and logs."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reporting.tasks.build_export", acks_late=True)
def build_export(export_id: str) -> None:
    services.export_build(export_id)


@shared_task(name="reporting.tasks.expire_exports", acks_late=True)
def expire_exports() -> int:
    """Beat, every 15 minutes: exports past their hours lose their key and files."""
    return services.exports_expire()
