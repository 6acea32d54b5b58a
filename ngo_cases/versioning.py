"""Optimistic concurrency for :class:`VersionedModel` rows: the one
versioned-write primitive the services use (the HTTP half, ETag and
If-Match, is ngo_cases/api/concurrency.py).

A service that changes a versioned row takes it with :func:`lock_version`
(lock, compare the version the caller read: :class:`StaleVersion` if it
moved), decides on the locked row, and writes it with :func:`save_version`
(version + 1). Rows changed without a decision on their current state use
:func:`versioned_update` (one conditional UPDATE) or
:func:`versioned_delete`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import F, Model, QuerySet

from ngo_cases.db import VersionedModel
from ngo_cases.errors import StaleVersion

M = TypeVar("M", bound=VersionedModel)


def lock_version(queryset: QuerySet[M], pk: Any, expected: int | None) -> M:
    """The versioned-write primitive, part one: the row, locked until the
    transaction ends (``SELECT … FOR UPDATE OF`` its own table, so joined
    rows stay unlocked), if it is still the version the caller read; else
    412. ``expected=None`` for writes that do not edit what a client read
    (an assignment by a supervisor's form still sends it; a signal does not).
    Services decide on the locked row, then :func:`save_version`."""
    locked = queryset.select_for_update(of=("self",)).get(pk=pk)
    if expected is not None and locked.version != expected:
        raise StaleVersion()
    return locked


def save_version(locked: M, *fields: str) -> M:
    """Part two: save a row taken with :func:`lock_version`, its version moved
    on by one — every column, or only ``fields`` (and the version)."""
    locked.version += 1
    locked.save(update_fields=[*fields, "version"] if fields else None)
    return locked


def versioned_update(obj: M, *, expected: int, **changes: Any) -> M:
    """Apply ``changes`` if the row is still at ``expected``; else 412.

    Returns the row as re-read from the database after the update.
    """
    # _meta, not type(): a session's user is a lazy proxy (django-otp), whose type is not the model.
    model: type[Model] = obj._meta.model
    updated = model._default_manager.filter(pk=obj.pk, version=expected).update(version=F("version") + 1, **changes)
    if updated != 1:
        raise StaleVersion()
    obj.refresh_from_db()
    return obj


def versioned_delete(obj: VersionedModel, *, expected: int) -> None:
    deleted, _ = obj._meta.model._default_manager.filter(pk=obj.pk, version=expected).delete()
    if not deleted:
        raise StaleVersion()
