"""The Celery app: worker and a single beat. Configuration comes from the
Django settings (``CELERY_*``); see docs/operations.md."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ngo_cases.settings.local")

app = Celery("ngo_cases")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _prepare_filesystem_broker() -> None:
    """The embedded broker keeps its messages in folders; create them."""
    from pathlib import Path

    if str(app.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = (app.conf.broker_transport_options or {}).get(key)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)


app.on_after_configure.connect(lambda sender, **kwargs: _prepare_filesystem_broker(), weak=False)
