"""System check: no data key that the erasure ledger names is alive, i.e. the
database was not restored from a backup older than an erasure without the
erasures being applied again (``apply_erasures``). Runs with ``check
--database default`` when ``NGO_ERASURE_LEDGER_PATH`` is set and exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.database)
def erased_keys_stay_destroyed(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    path = getattr(settings, "NGO_ERASURE_LEDGER_PATH", None)
    if not databases or "default" not in databases or not path or not Path(path).exists():
        return []
    from .erasures import alive_in_ledger, ledger_read

    try:
        alive = alive_in_ledger(ledger_read(Path(path)))
    except ValueError as exc:
        return [Error(f"The erasure ledger cannot be read: {exc}.", id="ngo_cases.E003")]
    if not alive:
        return []
    return [
        Error(
            f"{len(alive)} data key(s) that the erasure ledger names as destroyed are alive in this database: it was "
            "restored from a backup taken before those erasures.",
            hint="Run `manage.py apply_erasures <ledger file>` before starting the service "
            "(docs/operations.md, 'Backup and restore').",
            id="ngo_cases.E002",
        )
    ]
