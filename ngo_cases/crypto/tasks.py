"""Beat's copy of the erasure ledger (ngo_cases/crypto/erasures.py)."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from .erasures import ledger_write

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def write_erasure_ledger() -> int:
    """Write the ledger to ``NGO_ERASURE_LEDGER_PATH`` (nothing when unset); the number of keys in it."""
    path = settings.NGO_ERASURE_LEDGER_PATH
    if not path:
        return 0
    count = ledger_write(Path(path))
    logger.info("erasure ledger written: %s destroyed keys", count)
    return count
