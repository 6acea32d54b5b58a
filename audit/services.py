"""Writing the access log. One row per call: a request's reads are gathered
by the base API class and written once (ngo_cases/api/base.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection

from ngo_cases import access_log as context

from .models import AccessLogEntry, Action


def _ids(values: Iterable[Any]) -> list[uuid.UUID]:
    seen: dict[uuid.UUID, None] = {}
    for value in values:
        if value is not None:
            seen.setdefault(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)), None)
    return list(seen)


def _array(values: Iterable[Any]) -> str:
    """A uuid[] literal: one text parameter instead of one adapted value per id
    (measured: adapting 150 UUIDs costs more than the INSERT itself)."""
    return "{" + ",".join(str(value) for value in _ids(values)) + "}"


_INSERT = (
    f"INSERT INTO {AccessLogEntry._meta.db_table} (at, actor_id, actor_role, organisation_id, ip, endpoint, method, "  # noqa: S608
    "action, object_type, object_ids, case_ids, survivor_ids, subject_id, break_glass_grant_id, status_code, detail) "
    "VALUES (now(), %s, %s, %s, %s, %s, %s, %s, %s, %s::uuid[], %s::uuid[], %s::uuid[], %s, %s, %s, %s)"
)


def record(
    *,
    action: str,
    actor: Any = None,
    object_type: str = "",
    object_ids: Iterable[Any] = (),
    case_ids: Iterable[Any] = (),
    survivor_ids: Iterable[Any] = (),
    subject: Any = None,
    break_glass_grant_id: int | None = None,
    status_code: int | None = None,
    detail: str = "",
    meta: context.RequestMeta | None = None,
) -> None:
    """Write one access-log row in the current transaction (one INSERT). Ids
    only: never a name, a search term or a free-text reason."""
    meta = meta or context.current()
    actor = actor if actor is not None else context.actor()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [
                getattr(actor, "pk", None),
                getattr(actor, "role", "") or "",
                getattr(actor, "organisation_id", None),
                meta.ip if meta else None,
                meta.endpoint if meta else "",
                meta.method if meta else "",
                str(action),
                object_type,
                _array(object_ids),
                _array(case_ids),
                _array(survivor_ids),
                getattr(subject, "pk", subject),
                break_glass_grant_id,
                status_code,
                detail[:200],
            ],
        )


def record_grants(grants: Iterable[Any], *, created: bool) -> None:
    """A row per grant (ngo_cases.grants) made or withdrawn: which object,
    its case, for whom (a user, or a group in ``detail``), the reason and
    the permission."""
    for grant in grants:
        target = grant.content_object
        group_id = getattr(grant, "group_id", None)
        detail = f"reason={grant.reason} permission={grant.permission.codename}"
        if group_id is not None:
            detail += f" group={group_id}"
        record(
            action=Action.GRANT_CREATED if created else Action.GRANT_REVOKED,
            actor=grant.granted_by if created and context.actor() is None else None,
            object_type=target._meta.model_name,
            object_ids=[grant.content_object_id],
            case_ids=[getattr(target, grant.case_attribute)],
            subject=getattr(grant, "user_id", None),
            detail=detail,
        )
