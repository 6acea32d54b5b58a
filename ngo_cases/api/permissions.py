"""Coarse, role-level permission classes. They decide who may call an
endpoint at all; which objects a caller may see is decided by each object
type's access helper (``<app>/permissions.py``) and selectors."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import Role, TokenScope

from .errors import MfaEnrolmentRequired


def _token_scope(request: Request) -> str | None:
    return getattr(request.auth, "scope", None)


class IsStaffMember(BasePermission):
    """Default for every endpoint: an authenticated, active user with a role,
    using a full-scope token or a (verified) session."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if _token_scope(request) == TokenScope.MFA_ENROLMENT:
            raise MfaEnrolmentRequired()
        return getattr(user, "role", "") in Role.values


class IsStaffMemberOrEnrolling(BasePermission):
    """For the MFA enrolment endpoints: also accepts an enrolment-scoped token."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", "") in Role.values)


class HasRole(BasePermission):
    """``HasRole.of(Role.ADMIN, Role.SUPERVISOR)``: only those roles may call."""

    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *roles: str) -> type[HasRole]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request: Request, view: Any) -> bool:
        return IsStaffMember().has_permission(request, view) and request.user.role in self.roles  # type: ignore[union-attr]
