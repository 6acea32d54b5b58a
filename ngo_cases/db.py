"""Model building blocks shared by every app."""

from __future__ import annotations

import uuid

from django.db import connection, models


class UUIDModel(models.Model):
    """Public ids are UUIDs (SPEC section 6), known before the first save."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """A row whose updates are guarded by ETag/If-Match.

    ``version`` goes up by one on every update, through
    :func:`ngo_cases.api.concurrency.lock_version` and ``save_version`` (lock,
    compare, decide, save) or ``versioned_update`` (one conditional UPDATE).
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


def next_reference(counter: type[models.Model], prefix: str, year: int) -> str:
    """``<prefix>-<year>-<6 digits>`` from a per-year counter table (columns
    ``year`` and ``last``), bumped with an atomic upsert: the counter row
    stays locked until the transaction ends, so two writers never share a
    number. Call inside a transaction."""
    table = counter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 - table name from model meta
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"{prefix}-{year}-{number:06d}"
