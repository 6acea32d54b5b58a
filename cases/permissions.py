"""Who may do what with a case: the one place that decides it.

Access to a case comes only from grants (``CASE_GRANTS``: the grant
mechanism of ngo_cases.grants over ``CaseUserObjectPermission`` /
``CaseGroupObjectPermission``, each with a reason and a grantor): the caseworker who opened it (owner), its assignees,
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

from django.db.models import BooleanField, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now

from accounts.models import User
from ngo_cases.errors import NotAllowed, NotFound
from ngo_cases.grants.access import ObjectGrants, holds_model_permission, in_sql

from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission, Survivor


class CaseAction(enum.StrEnum):
    VIEW = "view_case"  # read the case, its notes, consents, milestones, follow-ups
    WORK = "change_case"  # write them, close
    ASSIGN = "assign_case"  # (re)assign, reopen


CASE_GRANTS = ObjectGrants(CaseUserObjectPermission, CaseGroupObjectPermission)


def permission_id(action: CaseAction) -> int:
    return CASE_GRANTS.permission_id(action)


def visible_case_ids(user: User, action: CaseAction = CaseAction.VIEW) -> RawSQL:
    """For ``filter(pk__in=...)`` / ``filter(case_id__in=...)``."""
    return CASE_GRANTS.ids(user, action)


def cases_visible_to(user: User) -> QuerySet[Case]:
    return Case.objects.filter(pk__in=visible_case_ids(user))


def access_case(user: User, case_id: uuid.UUID | str, action: CaseAction = CaseAction.VIEW) -> Case:
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
            can_work=CASE_GRANTS.held(user, CaseAction.WORK),
            can_assign=CASE_GRANTS.held(user, CaseAction.ASSIGN),
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
        raise NotAllowed()
    if action == CaseAction.ASSIGN and not case.can_assign:
        raise NotAllowed()
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
    return holds_model_permission(user, "cases", "break_glass_case")


# --- survivors ---------------------------------------------------------------------------


def visible_survivor_ids(user: User, action: CaseAction = CaseAction.VIEW) -> RawSQL:
    """Survivors of the cases the user holds ``action`` on, and the survivors
    the user registered (until a case is opened, nobody else can see them)."""
    sql, params = CASE_GRANTS.ids_sql(user, action)
    return RawSQL(
        f'SELECT c.survivor_id FROM "cases_case" c WHERE c.id IN ({sql}) '
        'UNION ALL SELECT s.id FROM "cases_survivor" s WHERE s.created_by_id = %s',
        [*params, user.pk],
    )


def survivor_visible_to_check(user: User, column: str = '"cases_survivorindexentry"."survivor_id"') -> RawSQL:
    """A boolean for one row holding a survivor id: may ``user`` see that
    survivor? Correlated EXISTS checks through the survivor's cases, for
    queries that return a few rows (duplicate search)."""
    held, params = CASE_GRANTS.held_exists_sql(user, CaseAction.VIEW, "c.id")
    sql = (
        f'(EXISTS (SELECT 1 FROM "cases_case" c WHERE c.survivor_id = {column} AND {held}) '
        f'OR EXISTS (SELECT 1 FROM "cases_survivor" s WHERE s.id = {column} AND s.created_by_id = %s))'
    )
    return RawSQL(sql, [*params, user.pk], output_field=BooleanField())


def survivors_visible_to(user: User) -> QuerySet[Survivor]:
    return Survivor.objects.filter(pk__in=visible_survivor_ids(user))


def access_survivor(user: User, survivor_id: uuid.UUID | str, action: CaseAction = CaseAction.VIEW) -> Survivor:
    """The survivor with their data key if ``user`` may see them; else 404;
    403 if visible but not editable by them."""
    survivor = (
        survivors_visible_to(user)
        .filter(pk=survivor_id)
        .select_related("data_key")
        .annotate(can_work=in_sql('"cases_survivor"."id"', visible_survivor_ids(user, CaseAction.WORK)))
        .first()
    )
    if survivor is None:
        raise NotFound()
    if action != CaseAction.VIEW and not survivor.can_work:
        raise NotAllowed()
    return survivor
