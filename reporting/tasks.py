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


@shared_task(name="reporting.tasks.refresh_case_facts", acks_late=True)
def refresh_case_facts() -> int:
    """Beat, every NGO_STATISTICS_REFRESH_SECONDS: the summary the figures
    count, rebuilt. It replaces every row, so autovacuum (past its 20 %
    threshold) vacuums both tables within a minute or so after."""
    return services.case_facts_refresh()
