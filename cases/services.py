"""Writes of the cases domain. Typed, keyword-only, transactional, with the
acting user (HackSoft style). The survivor's API arrives with the cases issue;
these services are what it will call."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from ngo_cases.crypto.blind_index import IndexKind, blind_index
from ngo_cases.crypto.keys import data_key_create, data_key_destroy

from .models import Survivor, SurvivorIndexEntry

logger = logging.getLogger(__name__)

IDENTITY_FIELDS = (
    "given_names",
    "middle_names",
    "family_name",
    "aliases",
    "date_of_birth",
    "place_of_birth",
    "phone",
    "email",
    "address",
    "identity_documents",
)
PROFILE_FIELDS = ("gender", "birth_year", "age_band", "citizenships", "languages", "migration_status")


def _index_values(survivor: Survivor) -> Iterable[tuple[str, bytes]]:
    full_name = " ".join(part for part in (survivor.given_names, survivor.middle_names, survivor.family_name) if part)
    short_name = " ".join(part for part in (survivor.given_names, survivor.family_name) if part)
    names: list[Any] = [full_name, short_name, *(survivor.aliases or [])]
    candidates: list[tuple[str, Any]] = [(IndexKind.NAME, name) for name in names]
    candidates.append((IndexKind.DATE_OF_BIRTH, survivor.date_of_birth))
    candidates.append((IndexKind.PHONE, survivor.phone))
    for document in survivor.identity_documents or []:
        if isinstance(document, dict):
            candidates.append((IndexKind.DOCUMENT, document.get("number")))
    seen: set[tuple[str, bytes]] = set()
    for kind, value in candidates:
        if isinstance(value, (str, date)) or value is None:
            digest = blind_index(kind, value) if value not in ("", None) else None
            if digest is not None and (kind, digest) not in seen:
                seen.add((kind, digest))
                yield kind, digest


def _reindex(survivor: Survivor) -> None:
    SurvivorIndexEntry.objects.filter(survivor=survivor).delete()
    SurvivorIndexEntry.objects.bulk_create(
        SurvivorIndexEntry(survivor=survivor, kind=kind, value=value) for kind, value in _index_values(survivor)
    )


@transaction.atomic
def survivor_create(*, created_by: User, **fields: Any) -> Survivor:
    """Register a survivor with a fresh data key. ``fields`` are identity and
    profile fields by name; anything else is refused."""
    unknown = set(fields) - set(IDENTITY_FIELDS) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"survivor_create got unknown fields: {sorted(unknown)}")
    data_key = data_key_create()
    data_key.save()
    survivor = Survivor(data_key=data_key, created_by=created_by, **fields)
    survivor.full_clean(exclude=["data_key", "created_by"])
    survivor.save()
    _reindex(survivor)
    return survivor


@transaction.atomic
def survivor_update(*, survivor: Survivor, acting_user: User, expected_version: int, **changes: Any) -> Survivor:
    """Change identity or profile fields, guarded by the version the caller read."""
    unknown = set(changes) - set(IDENTITY_FIELDS) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"survivor_update got unknown fields: {sorted(unknown)}")
    locked = Survivor.objects.select_for_update().select_related("data_key").get(pk=survivor.pk)
    if locked.version != expected_version:
        from ngo_cases.api.errors import PreconditionFailed

        raise PreconditionFailed()
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["data_key", "created_by"])
    locked.version = expected_version + 1
    locked.save()
    if set(changes) & set(IDENTITY_FIELDS):
        _reindex(locked)
    return locked


@transaction.atomic
def survivor_erase(*, survivor: Survivor, acting_user: User) -> Survivor:
    """Crypto-shredding: destroy the survivor's data key and blind indexes.

    Afterwards nothing encrypted with that key can be read again, in the live
    tables, in history tables or in any backup of case data; the
    non-identifying profile stays for statistics. The erasure is recorded
    (who, when, which survivor id) without personal data.
    """
    locked = Survivor.objects.select_for_update().select_related("data_key").get(pk=survivor.pk)
    if locked.erased_at is not None:
        return locked
    data_key_destroy(locked.data_key)
    SurvivorIndexEntry.objects.filter(survivor=locked).delete()
    Survivor.objects.filter(pk=locked.pk).update(
        erased_at=timezone.now(), erased_by=acting_user, version=F("version") + 1
    )
    logger.info("survivor %s erased by user %s", locked.pk, acting_user.pk)
    locked.refresh_from_db()
    return locked
