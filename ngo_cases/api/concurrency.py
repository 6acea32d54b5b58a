"""ETag / If-Match optimistic concurrency for :class:`VersionedModel` rows.

The ETag of a row is ``"v<version>"``. A PATCH, PUT or DELETE must send it in
``If-Match``: without it the answer is 428; when it no longer matches, 412.
The check that decides is made by the database, in the UPDATE itself
(``WHERE id = %s AND version = %s``), so two writers holding the same ETag
cannot both succeed: exactly one row update happens, the other gets 412.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import F, Model, QuerySet
from rest_framework.request import Request

from ngo_cases.db import VersionedModel

from .errors import PreconditionFailed, PreconditionRequired

M = TypeVar("M", bound=VersionedModel)


def etag_for(obj: VersionedModel) -> str:
    return f'"v{obj.version}"'


def _parse_if_match(header: str) -> set[int]:
    versions: set[int] = set()
    for raw in header.split(","):
        tag = raw.strip()
        if tag.startswith("W/"):
            continue  # weak tags never match for If-Match (RFC 9110 13.1.1)
        tag = tag.strip('"')
        if tag.startswith("v") and tag[1:].isdigit() and len(tag) < 12:
            versions.add(int(tag[1:]))
    return versions


def expected_version(request: Request, obj: VersionedModel) -> int:
    """The version the client edits, from If-Match. 428 without the header
    (or with ``*``, which would defeat the check), 412 if it is stale."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    if obj.version not in _parse_if_match(header):
        raise PreconditionFailed()
    return obj.version


def lock_version(queryset: QuerySet[M], pk: Any, expected: int | None) -> M:
    """The versioned-write primitive, part one: the row, locked until the
    transaction ends (``SELECT … FOR UPDATE OF`` its own table, so joined
    rows stay unlocked), if it is still the version the caller read; else
    412. ``expected=None`` for writes that do not edit what a client read
    (an assignment by a supervisor's form still sends it; a signal does not).
    Services decide on the locked row, then :func:`save_version`."""
    locked = queryset.select_for_update(of=("self",)).get(pk=pk)
    if expected is not None and locked.version != expected:
        raise PreconditionFailed()
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
        raise PreconditionFailed()
    obj.refresh_from_db()
    return obj


def versioned_delete(obj: VersionedModel, *, expected: int) -> None:
    deleted, _ = obj._meta.model._default_manager.filter(pk=obj.pk, version=expected).delete()
    if not deleted:
        raise PreconditionFailed()
