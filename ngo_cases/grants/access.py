"""Grants of one object type: the scoping SQL, its boolean forms, the
writes that make and withdraw grants, and the access list.

An object type with grants declares its two grant models (see
:mod:`ngo_cases.grants.models`) and one ``ObjectGrants`` for them::

    CASE_GRANTS = ObjectGrants(CaseUserObjectPermission, CaseGroupObjectPermission)

Its permissions module builds everything else on that: the ids a user may
see (``ids``), whether a row is held (``held``), the one-query access
helper. Its services make grants with ``grant_user`` / ``grant_group`` and
withdraw them with ``QuerySet.delete()`` (each row's post_delete writes the
access log, audit.signals).

Scoping is an indexed ``id IN (user grants UNION ALL group grants)``, not
guardian's ``get_objects_for_user`` (../shared/PERFORMANCE.md). Guardian's
``has_perm`` is never asked: it says yes to superusers and ignores expiry.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Model, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .models import GroupGrant, UserGrant, grants_created

_permission_ids: dict[tuple[str, str], int] = {}


def forget_permission_ids(**kwargs: Any) -> None:
    """Connected to post_migrate: a migrate or a test flush may renumber them."""
    _permission_ids.clear()


def permission_id(app_label: str, codename: str) -> int:
    """The auth_permission id of an object permission, cached per process. A
    constant in the scoping SQL lets the planner use the grant index with
    real row estimates."""
    key = (app_label, codename)
    if key not in _permission_ids:
        ids = Permission.objects.filter(content_type__app_label=app_label).values_list("codename", "id")
        _permission_ids.update(((app_label, name), pid) for name, pid in ids)
    return _permission_ids[key]


def holds_model_permission(user: Any, app_label: str, codename: str) -> bool:
    """A model-level permission (break-glass, consent override) from the
    user's role group or own permissions. Not ``has_perm``: superusers get
    no implicit access."""
    return bool(user.is_active) and (
        user.user_permissions.filter(codename=codename, content_type__app_label=app_label).exists()
        or user.groups.filter(permissions__codename=codename, permissions__content_type__app_label=app_label).exists()
    )


def in_sql(column: str, subquery: RawSQL) -> RawSQL:
    """``column IN (subquery)`` as a boolean expression, for annotate/filter."""
    return RawSQL(f"{column} IN ({subquery.sql})", subquery.params, output_field=BooleanField())


@dataclass(frozen=True)
class AccessEntry:
    """One line of an object's access list: who (a user or a group), why,
    which permissions, until when. Expired grants are never listed."""

    user: Any
    group: str | None
    reason: str
    reason_label: str
    granted_by: Any
    granted_at: datetime.datetime
    expires_at: datetime.datetime | None
    permissions: list[str] = field(default_factory=list)
    team: Any = None  # the team whose supervisors the group is
    referral: str | None = None  # the referral's reference, for referral grants
    justification: str | None = ""  # the break-glass reason; None once the survivor was erased


@dataclass(frozen=True)
class ObjectGrants:
    # Concrete subclasses of UserGrant and GroupGrant. Typed Any: django-stubs
    # cannot type the managers of an abstract model's subclasses.
    user_model: Any
    group_model: Any

    # Cached: the scoping SQL is built on every request that reads a case or referral.
    @cached_property
    def object_model(self) -> type[Model]:
        model: type[Model] = self.user_model._meta.get_field("content_object").related_model
        return model

    @cached_property
    def app_label(self) -> str:
        return self.object_model._meta.app_label

    # --- reading: SQL ------------------------------------------------------------------

    def permission_id(self, codename: str) -> int:
        return permission_id(self.app_label, str(codename))

    @cached_property
    def _group_expires(self) -> bool:
        return any(f.name == "expires_at" for f in self.group_model._meta.concrete_fields)

    def ids_sql(self, user: Any, codename: str) -> tuple[str, list[Any]]:
        """SQL selecting the ids of the objects ``user`` holds ``codename`` on:
        their own unexpired grants and their groups' grants."""
        membership = get_user_model().groups.through._meta.db_table
        group_expires = " AND (g.expires_at IS NULL OR g.expires_at > statement_timestamp())"
        pid = self.permission_id(codename)
        sql = (
            f"SELECT u.content_object_id FROM {self.user_model._meta.db_table} u "
            "WHERE u.user_id = %s AND u.permission_id = %s "
            "AND (u.expires_at IS NULL OR u.expires_at > statement_timestamp()) "
            "UNION ALL "
            f"SELECT g.content_object_id FROM {self.group_model._meta.db_table} g "
            f"JOIN {membership} m ON m.group_id = g.group_id "
            f"WHERE m.user_id = %s AND g.permission_id = %s{group_expires if self._group_expires else ''}"
        )
        return sql, [user.pk, pid, user.pk, pid]

    def ids(self, user: Any, codename: str) -> RawSQL:
        """For ``filter(pk__in=...)`` or ``filter(case_id__in=...)``."""
        return RawSQL(*self.ids_sql(user, codename))

    def held(self, user: Any, codename: str, column: str | None = None) -> RawSQL:
        """A boolean: does ``user`` hold ``codename`` on the object whose id
        is ``column`` (default: the object table's own id)?"""
        column = column or f'"{self.object_model._meta.db_table}"."id"'
        return in_sql(column, self.ids(user, codename))

    def held_exists_sql(self, user: Any, codename: str, column: str) -> tuple[str, list[Any]]:
        """The same as :meth:`held` as correlated EXISTS checks, for queries
        that test a few rows (no materialised id list)."""
        membership = get_user_model().groups.through._meta.db_table
        pid = self.permission_id(codename)
        group_expires = " AND (g.expires_at IS NULL OR g.expires_at > statement_timestamp())"
        sql = (
            f"(EXISTS (SELECT 1 FROM {self.user_model._meta.db_table} u WHERE u.content_object_id = {column} "
            "AND u.user_id = %s AND u.permission_id = %s "
            "AND (u.expires_at IS NULL OR u.expires_at > statement_timestamp())) "
            f"OR EXISTS (SELECT 1 FROM {self.group_model._meta.db_table} g JOIN {membership} m "
            f"ON m.group_id = g.group_id WHERE g.content_object_id = {column} AND m.user_id = %s "
            f"AND g.permission_id = %s{group_expires if self._group_expires else ''}))"
        )
        return sql, [user.pk, pid, user.pk, pid]

    # --- writing -------------------------------------------------------------------------

    def permissions(self, codenames: Iterable[str]) -> list[Permission]:
        """The Permission rows, in the order asked."""
        wanted = [str(c) for c in codenames]
        content_type = ContentType.objects.get_for_model(self.object_model)
        found = {p.codename: p for p in Permission.objects.filter(content_type=content_type, codename__in=wanted)}
        return [found[codename] for codename in wanted]

    def grant_user(
        self,
        obj: Model,
        user: Any,
        codenames: Iterable[str],
        *,
        reason: str,
        granted_by: Any,
        expires_at: datetime.datetime | None = None,
    ) -> list[UserGrant]:
        """Give ``user`` ``codenames`` on ``obj``. A permission already held
        keeps its grant and reason, unless that grant was an expiring one:
        then it takes the new reason and expiry. Each new row is logged by
        its post_save (audit.signals)."""
        grants = []
        for permission in self.permissions(codenames):
            grant, created = self.user_model.objects.get_or_create(
                user=user,
                permission=permission,
                content_object=obj,
                defaults={"reason": reason, "granted_by": granted_by, "expires_at": expires_at},
            )
            if not created and grant.expires_at is not None:
                grant.reason, grant.granted_by, grant.granted_at = reason, granted_by, timezone.now()
                grant.expires_at = expires_at
                grant.save()
            grants.append(grant)
        return grants

    def grant_group(
        self, obj: Model, group: Any, codenames: Iterable[str], *, reason: str, granted_by: Any
    ) -> list[GroupGrant]:
        """Give ``group`` the permissions it does not hold yet on ``obj`` (one
        INSERT), and log them."""
        held = set(
            self.group_model.objects.filter(content_object=obj, group=group).values_list("permission_id", flat=True)
        )
        grants = self.group_model.objects.bulk_create(
            self.group_model(group=group, permission=p, content_object=obj, reason=reason, granted_by=granted_by)
            for p in self.permissions(codenames)
            if p.pk not in held
        )
        grants_created.send(sender=self.group_model, grants=grants)
        return grants

    def set_user(self, obj: Model, user: Any, codenames: Iterable[str], *, reason: str, granted_by: Any) -> None:
        """Make ``user``'s permissions on ``obj`` exactly ``codenames`` (the
        admin's object-permission screen); new ones get ``reason``."""
        wanted = {str(c) for c in codenames}
        rows = self.user_model.objects.filter(content_object=obj, user=user)
        current = set(rows.values_list("permission__codename", flat=True))
        rows.filter(permission__codename__in=current - wanted).delete()
        if wanted - current:
            self.grant_user(obj, user, sorted(wanted - current), reason=reason, granted_by=granted_by)

    def set_group(self, obj: Model, group: Any, codenames: Iterable[str], *, reason: str, granted_by: Any) -> None:
        wanted = {str(c) for c in codenames}
        rows = self.group_model.objects.filter(content_object=obj, group=group)
        current = set(rows.values_list("permission__codename", flat=True))
        rows.filter(permission__codename__in=current - wanted).delete()
        self.grant_group(obj, group, sorted(wanted - current), reason=reason, granted_by=granted_by)

    # --- the access list -----------------------------------------------------------------------

    def access_entries(self, objects: Q, *, per_object: bool = False) -> list[AccessEntry]:
        """Who holds live grants on the objects matched by ``objects`` (a Q
        on the grant rows, e.g. ``Q(content_object=case)``) and why:
        permissions merged per holder and reason (and object, with
        ``per_object``); user grants first, each in the order granted."""
        now = timezone.now()
        live = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        entries: dict[tuple[Any, ...], AccessEntry] = {}
        for model, holder in ((self.user_model, "user"), (self.group_model, "group")):
            rows = model.objects.filter(objects).select_related(holder, "permission", *model.entry_related)
            if any(f.name == "expires_at" for f in model._meta.concrete_fields):
                rows = rows.filter(live)
            for grant in rows.order_by("granted_at", "pk"):
                key = (holder, getattr(grant, f"{holder}_id"), grant.reason, per_object and grant.content_object_id)
                entry = entries.get(key)
                if entry is None:
                    entry = entries[key] = AccessEntry(
                        user=grant.user if holder == "user" else None,
                        group=grant.group.name if holder == "group" else None,
                        reason=grant.reason,
                        reason_label=_reason_label(model, grant.reason),
                        granted_by=grant.granted_by_id,
                        granted_at=grant.granted_at,
                        expires_at=getattr(grant, "expires_at", None),
                        **grant.access_entry_extras(),
                    )
                entry.permissions.append(grant.permission.codename)
        for entry in entries.values():
            entry.permissions.sort()
        return list(entries.values())


def _reason_label(model: type[Model], reason: str) -> str:
    choices = dict(model._meta.get_field("reason").choices or [])  # type: ignore[union-attr]
    return str(choices.get(reason, reason))
