"""Reads of accounts data, always for a given user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken, Organisation, TokenScope, User


def user_me(*, fetched_by: User) -> User:
    return User.objects.select_related("organisation").prefetch_related("teams").get(pk=fetched_by.pk)


def token_list(*, fetched_by: User) -> QuerySet[ApiToken]:
    """The caller's own full-scope tokens (devices), newest first."""
    return ApiToken.objects.filter(user=fetched_by, scope=TokenScope.FULL, expiry__gt=timezone.now())


def organisation_by_slug(*, slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)
