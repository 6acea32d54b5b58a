"""The erasure ledger: crypto-shredding that holds across backups.

Erasure destroys a survivor's data key (docs/security.md, "Erasure"). A key
backup taken before the erasure still holds the wrapped key, so restoring
that backup would bring the survivor back. The ledger closes that gap: the
ids of every destroyed data key (random UUIDs and times — nothing about a
person), written on beat's schedule by a worker to ``NGO_ERASURE_LEDGER_PATH`` outside the
database and kept with the audit chain's exported head, never with the
dumps. After a restore, ``apply_erasures`` destroys again every key the
ledger names, and the system check ``ngo_cases.E002`` keeps the service from
starting while a key the ledger names is alive. docs/operations.md, "Backup
and restore", has the procedure; docs/security.md the threat model.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

from .models import DataKey

HEADER = "# ngo-cases erasure ledger v1: ids of destroyed data keys and when (UTC); no personal data"


def ledger_text() -> str:
    rows = DataKey.objects.filter(destroyed_at__isnull=False).order_by("destroyed_at", "id")
    lines = [HEADER, *(f"{row.id} {row.destroyed_at.isoformat()}" for row in rows.only("id", "destroyed_at"))]  # type: ignore[union-attr]
    return "\n".join(lines) + "\n"


def ledger_write(path: Path) -> int:
    """Write the ledger atomically (a new file renamed over the old one); the number of keys in it."""
    text = ledger_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".erasures-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    Path(temporary).chmod(0o600)
    Path(temporary).replace(path)
    return text.count("\n") - 1


def ledger_read(path: Path) -> list[uuid.UUID]:
    """The key ids a ledger file names; ValueError on a line that is not one."""
    ids = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            ids.append(uuid.UUID(line.split()[0]))
        except ValueError:
            raise ValueError(f"line {number} of the erasure ledger is not a key id") from None
    return ids


def alive_in_ledger(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Keys the ledger says were destroyed that this database still holds alive: a restore from before an erasure."""
    return list(DataKey.objects.filter(pk__in=ids, destroyed_at__isnull=True).values_list("pk", flat=True))
