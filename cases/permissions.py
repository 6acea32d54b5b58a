"""Who may do what with a case: the one place that decides it.

Access to a case comes only from grants (django-guardian direct foreign-key
models ``CaseUserObjectPermission`` / ``CaseGroupObjectPermission``, each with
a reason and a grantor): the caseworker who opened it (owner), its assignees,
the supervisors of its team (a group grant), referral recipients, and
break-glass grants that expire. Roles, ``is_staff`` and ``is_superuser``
grant nothing: guardian's ``has_perm`` is never asked, because it says yes
to superusers and ignores expiry.

Views never fetch a case themselves: they call :func:`access_case` (one
object) or scope lists with :func:`visible_case_ids` (an indexed
``id IN (user grants UNION ALL group grants)``, not
``get_objects_for_user``; see ../shared/PERFORMANCE.md).

Unseen and nonexistent look the same (404); 403 only when the case is
visible but the action is not allowed.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import BooleanField, Model, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from rest_framework.exceptions import NotFound, PermissionDenied

from accounts.models import User

from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission, Survivor


class CaseAction(enum.StrEnum):
    VIEW = "view_case"  # read the case, its notes, consents, milestones, follow-ups
    WORK = "change_case"  # write them, close
    ASSIGN = "assign_case"  # (re)assign, reopen


_permission_ids: dict[tuple[str, str], int] = {}


def object_permission_id(app_label: str, codename: str) -> int:
    """The auth_permission id of an object permission, cached per process
    (cleared after every migrate or test-database flush, which may renumber
    them). A constant in the scoping SQL lets the planner use the grant index
    with real row estimates."""
    key = (app_label, codename)
    if key not in _permission_ids:
        ids = Permission.objects.filter(content_type__app_label=app_label).values_list("codename", "id")
        _permission_ids.update(((app_label, name), pid) for name, pid in ids)
    return _permission_ids[key]


def permission_id(action: CaseAction) -> int:
    return object_permission_id("cases", str(action))


def forget_permission_ids(**kwargs: Any) -> None:
    _permission_ids.clear()


def grant_ids_sql(
    user_grants: type[Model], group_grants: type[Model], user: User, pid: int, *, group_expiry: bool = False
) -> tuple[str, list[Any]]:
    """SQL selecting the ids of the objects ``user`` holds permission ``pid``
    on through django-guardian direct foreign-key grants: their own grants
    (unexpired) and their groups' grants."""
    user_table = user_grants._meta.db_table
    group_table = group_grants._meta.db_table
    membership_table = User.groups.through._meta.db_table
    group_expires = " AND (g.expires_at IS NULL OR g.expires_at > statement_timestamp())" if group_expiry else ""
    sql = (
        f"SELECT u.content_object_id FROM {user_table} u "
        "WHERE u.user_id = %s AND u.permission_id = %s "
        "AND (u.expires_at IS NULL OR u.expires_at > statement_timestamp()) "
        "UNION ALL "
        f"SELECT g.content_object_id FROM {group_table} g JOIN {membership_table} m ON m.group_id = g.group_id "
        f"WHERE m.user_id = %s AND g.permission_id = %s{group_expires}"
    )
    return sql, [user.pk, pid, user.pk, pid]


def _grant_sql(user: User, action: CaseAction) -> tuple[str, list[Any]]:
    """SQL selecting the ids of the cases ``user`` holds ``action`` on."""
    return grant_ids_sql(CaseUserObjectPermission, CaseGroupObjectPermission, user, permission_id(action))


def visible_case_ids(user: User, action: CaseAction = CaseAction.VIEW) -> RawSQL:
    """For ``filter(pk__in=...)`` / ``filter(case_id__in=...)``."""
    sql, params = _grant_sql(user, action)
    return RawSQL(sql, params)


def _holds(user: User, action: CaseAction, column: str = '"cases_case"."id"') -> RawSQL:
    sql, params = _grant_sql(user, action)
    return RawSQL(f"{column} IN ({sql})", params, output_field=BooleanField())


def cases_visible_to(user: User) -> QuerySet[Case]:
    return Case.objects.filter(pk__in=visible_case_ids(user))


def access_case(user: User, case_id: uuid.UUID | str, *, action: CaseAction = CaseAction.VIEW) -> Case:
    """The case, with its survivor and data key, if ``user`` may see it; else
    404. 403 if they may see it but not do ``action``. One query.

    The case comes back annotated with ``can_work``, ``can_assign`` and
    ``break_glass_grant_id`` (the live break-glass grant it is seen through,
    for the access log)."""
    case = (
        cases_visible_to(user)
        .filter(pk=case_id)
        .select_related("data_key", "survivor", "team")
        .annotate(
            can_work=_holds(user, CaseAction.WORK),
            can_assign=_holds(user, CaseAction.ASSIGN),
            break_glass_grant_id=Subquery(
                CaseUserObjectPermission.objects.filter(
                    content_object=OuterRef("pk"), user=user, reason="break_glass", expires_at__gt=Now()
                ).values("pk")[:1]
            ),
        )
        .first()
    )
    if case is None:
        raise NotFound()
    if action == CaseAction.WORK and not case.can_work:
        raise PermissionDenied()
    if action == CaseAction.ASSIGN and not case.can_assign:
        raise PermissionDenied()
    return case


def case_exists_for_break_glass(user: User, case_id: uuid.UUID | str) -> Case:
    """Break-glass reaches cases outside the user's grants, so only a user
    holding the break-glass permission may learn that a case id exists."""
    if not user_may_break_glass(user):
        raise NotFound()
    case = Case.objects.select_related("data_key", "team").filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def user_holds_model_permission(user: User, app_label: str, codename: str) -> bool:
    """A model-level permission from the user's role group or own
    permissions. Not ``has_perm``: superusers get no implicit access."""
    return user.is_active and (
        user.user_permissions.filter(codename=codename, content_type__app_label=app_label).exists()
        or user.groups.filter(permissions__codename=codename, permissions__content_type__app_label=app_label).exists()
    )


def case_for_break_glass_by_reference(user: User, reference: str) -> Case:
    """The case with this reference, for a break-glass holder (a reference is
    what a colleague reads out on the phone); 404 for everyone else and for
    references that do not exist."""
    if not user_may_break_glass(user):
        raise NotFound()
    case = Case.objects.select_related("data_key", "team").filter(reference__iexact=reference).first()
    if case is None:
        raise NotFound()
    return case


def user_may_break_glass(user: User) -> bool:
    return user_holds_model_permission(user, "cases", "break_glass_case")


# --- survivors ---------------------------------------------------------------------------


def visible_survivor_ids(user: User, action: CaseAction = CaseAction.VIEW) -> RawSQL:
    """Survivors of the cases the user holds ``action`` on, and the survivors
    the user registered (until a case is opened, nobody else can see them)."""
    sql, params = _grant_sql(user, action)
    return RawSQL(
        f'SELECT c.survivor_id FROM "cases_case" c WHERE c.id IN ({sql}) '
        'UNION ALL SELECT s.id FROM "cases_survivor" s WHERE s.created_by_id = %s',
        [*params, user.pk],
    )


def survivor_visible_to_check(user: User, column: str = '"cases_survivorindexentry"."survivor_id"') -> RawSQL:
    """A boolean for one row holding a survivor id: may ``user`` see that
    survivor? Correlated EXISTS checks through the survivor's cases, for
    queries that return a few rows (duplicate search)."""
    user_table = CaseUserObjectPermission._meta.db_table
    group_table = CaseGroupObjectPermission._meta.db_table
    membership_table = User.groups.through._meta.db_table
    pid = permission_id(CaseAction.VIEW)
    sql = (
        f'(EXISTS (SELECT 1 FROM "cases_case" c JOIN {user_table} u ON u.content_object_id = c.id '
        f"WHERE c.survivor_id = {column} AND u.user_id = %s AND u.permission_id = %s "
        "AND (u.expires_at IS NULL OR u.expires_at > statement_timestamp())) "
        f'OR EXISTS (SELECT 1 FROM "cases_case" c JOIN {group_table} g ON g.content_object_id = c.id '
        f"JOIN {membership_table} m ON m.group_id = g.group_id "
        f"WHERE c.survivor_id = {column} AND m.user_id = %s AND g.permission_id = %s) "
        f'OR EXISTS (SELECT 1 FROM "cases_survivor" s WHERE s.id = {column} AND s.created_by_id = %s))'
    )
    return RawSQL(sql, [user.pk, pid, user.pk, pid, user.pk], output_field=BooleanField())


def survivors_visible_to(user: User) -> QuerySet[Survivor]:
    return Survivor.objects.filter(pk__in=visible_survivor_ids(user))


def access_survivor(user: User, survivor_id: uuid.UUID | str, *, action: CaseAction = CaseAction.VIEW) -> Survivor:
    """The survivor with their data key if ``user`` may see them; else 404;
    403 if visible but not editable by them."""
    survivor = (
        survivors_visible_to(user)
        .filter(pk=survivor_id)
        .select_related("data_key")
        .annotate(
            can_work=RawSQL(
                '"cases_survivor"."id" IN (' + visible_survivor_ids(user, CaseAction.WORK).sql + ")",
                visible_survivor_ids(user, CaseAction.WORK).params,
                output_field=BooleanField(),
            )
        )
        .first()
    )
    if survivor is None:
        raise NotFound()
    if action != CaseAction.VIEW and not survivor.can_work:
        raise PermissionDenied()
    return survivor
