"""Coarse, role-level permission classes. They decide who may call an
endpoint at all; which objects a caller may see is decided by each object
type's access helper (``<app>/permissions.py``) and selectors."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request

from ngo_cases.errors import MfaEnrolmentRequired


def _has_staff_role(user: Any) -> bool:
    """The user model says whether the account has a role (accounts.User.has_staff_role)."""
    return bool(getattr(user, "has_staff_role", False))


class IsStaffMember(BasePermission):
    """Default for every endpoint: an authenticated, active user with a role,
    using a full-scope token or a (verified) session."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if getattr(request.auth, "enrolment_only", False):  # accounts.ApiToken
            raise MfaEnrolmentRequired()
        return _has_staff_role(user)


class IsStaffMemberOrEnrolling(BasePermission):
    """For the MFA enrolment endpoints: also accepts an enrolment-scoped token."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and _has_staff_role(user))


class PublicRoute(AllowAny):
    """The named escape hatch from the base's IsStaffMember: routes that must
    answer before sign-in (sign-in itself, the CSRF cookie, health, the API's
    404). A view opts in with ``base_permission = PublicRoute``."""


# The classes below narrow IsStaffMember, which the base API class always
# checks first (ApiBase.get_permissions): they assume a signed-in staff member.


class HasRole(BasePermission):
    """``HasRole.of(Role.ADMIN, Role.SUPERVISOR)``: only those roles may call."""

    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *roles: str) -> type[HasRole]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(request.user, "role", None) in self.roles


class IsHomeStaff(BasePermission):
    """Staff of the home NGO (any role); partner organisations' staff and the
    bootstrap superuser (no organisation) are refused."""

    def has_permission(self, request: Request, view: Any) -> bool:
        organisation = getattr(request.user, "organisation", None)
        return bool(organisation is not None and organisation.is_home)


class HomeRole(HasRole):
    """``HomeRole.of(Role.COORDINATOR)``: those roles, in the home NGO only."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and IsHomeStaff().has_permission(request, view)


class ReadOrWrite(BasePermission):
    """``ReadOrWrite.of(read=IsHomeStaff, write=HomeRole.of(...))``: one
    class for safe methods, another for writes."""

    read: type[BasePermission] = BasePermission
    write: type[BasePermission] = BasePermission

    @classmethod
    def of(cls, *, read: type[BasePermission], write: type[BasePermission]) -> type[ReadOrWrite]:
        return type(f"ReadOrWrite_{read.__name__}_{write.__name__}", (cls,), {"read": read, "write": write})

    def has_permission(self, request: Request, view: Any) -> bool:
        chosen = self.read if request.method in ("GET", "HEAD", "OPTIONS") else self.write
        return chosen().has_permission(request, view)
