"""Reads of accounts data, always for a given user."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.utils import timezone

from .models import ApiToken, Organisation, Role, TeamMembership, TokenScope, User

# Who appears among colleagues: the people work is assigned to.
COLLEAGUE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.COORDINATOR, Role.PARTNER_CASEWORKER)


def user_me(*, fetched_by: User) -> User:
    return User.objects.select_related("organisation").prefetch_related("teams").get(pk=fetched_by.pk)


def token_list(*, fetched_by: User) -> QuerySet[ApiToken]:
    """The caller's own full-scope tokens (devices), newest first."""
    return ApiToken.objects.filter(user=fetched_by, scope=TokenScope.FULL, expiry__gt=timezone.now())


def organisation_by_slug(*, slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def colleague_list(*, fetched_by: User, filters: dict[str, Any] | None = None) -> QuerySet[Any, Any]:
    """Active staff of the caller's own organisation who can be given work
    (cases, follow-ups, referrals): names, role and team ids, one query.
    Nobody outside the organisation; never auditors or administrators."""
    filters = filters or {}
    if fetched_by.organisation_id is None:  # the bootstrap superuser
        return User.objects.none().values("id")
    queryset = User.objects.filter(organisation_id=fetched_by.organisation_id, is_active=True, role__in=COLLEAGUE_ROLES)
    if filters.get("role"):
        queryset = queryset.filter(role__in=filters["role"])
    if filters.get("team"):
        queryset = queryset.filter(team_memberships__team_id=filters["team"])
    team_ids = ArraySubquery(TeamMembership.objects.filter(user=OuterRef("pk")).order_by("team_id").values("team_id"))
    return queryset.annotate(team_ids=team_ids).values("id", "username", "first_name", "last_name", "role", "team_ids")
