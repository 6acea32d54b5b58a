"""Key operations: master key rotation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from .keys import data_key_rewrap, get_keyring
from .models import DataKey


@dataclass
class RotationReport:
    target_version: int
    rewrapped: int = 0
    batches: int = 0
    remaining: int = 0  # keys still on another version (locked by a concurrent run, or the run was limited)
    destroyed: int = 0

    def as_text(self) -> str:
        return (
            f"master key v{self.target_version}: rewrapped {self.rewrapped} data keys in {self.batches} batches; "
            f"{self.remaining} left on older versions; {self.destroyed} destroyed keys skipped"
        )


def master_key_rotate(
    *, to_version: int | None = None, batch_size: int = 500, max_batches: int | None = None
) -> RotationReport:
    """Rewrap every live data key under ``to_version`` (default: the current one).

    Runs while the service runs: each batch is its own short transaction that
    locks only its rows (``FOR UPDATE SKIP LOCKED``); readers keep unwrapping
    with whichever version a row names, as long as both versions are
    configured. Interrupted, it resumes where it stopped: the rows say which
    version they are on.
    """
    keyring = get_keyring()
    target = to_version or keyring.current_version
    keyring.master_cipher(target)  # fails early if the target is not configured
    report = RotationReport(target_version=target)
    pending = DataKey.objects.filter(destroyed_at__isnull=True).exclude(master_version=target)
    while max_batches is None or report.batches < max_batches:
        with transaction.atomic():
            batch = list(pending.order_by("id").select_for_update(skip_locked=True)[:batch_size])
            if not batch:
                break
            for data_key in batch:
                data_key_rewrap(data_key, to_version=target)
            DataKey.objects.bulk_update(batch, ["wrapped_key", "master_version"])
        report.rewrapped += len(batch)
        report.batches += 1
    report.remaining = pending.count()
    report.destroyed = DataKey.objects.filter(destroyed_at__isnull=False).count()
    return report


def master_key_status() -> dict[str, int]:
    """How many live data keys each master version wraps."""
    live = DataKey.objects.filter(destroyed_at__isnull=True).values("master_version").annotate(n=Count("pk"))
    counts = {f"v{row['master_version']}": row["n"] for row in live.order_by("master_version")}
    counts["destroyed"] = DataKey.objects.filter(destroyed_at__isnull=False).count()
    return counts
