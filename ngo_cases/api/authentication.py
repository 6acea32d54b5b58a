"""How API callers prove who they are.

* Bearer tokens (django-rest-knox, our ``accounts.ApiToken`` model): stored
  as SHA-512 digests, expiring, one per device login, revocable.
* Sessions for the admin and the browsable API. When MFA is required a
  session counts only once django-otp has verified it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from knox.auth import TokenAuthentication
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


class BearerTokenAuthentication(TokenAuthentication):
    """Knox tokens sent as ``Authorization: Bearer <token>``."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        # Knox decodes the token as UTF-8 and would answer 500 on other bytes;
        # anything that is not a plain token is simply an invalid token.
        try:
            token.decode("ascii")
        except UnicodeDecodeError:
            from rest_framework.exceptions import AuthenticationFailed

            raise AuthenticationFailed() from None
        return super().authenticate_credentials(token)


class MfaSessionAuthentication(SessionAuthentication):
    """Session auth (with CSRF) that ignores sessions not verified by OTP
    while ``NGO_MFA_REQUIRED`` is on."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        django_request: HttpRequest = request._request
        if settings.NGO_MFA_REQUIRED and not _otp_verified(django_request):
            return None
        return result


class EnrolmentSessionAuthentication(MfaSessionAuthentication):
    """For the enrolment endpoints and sign-out only: also accepts the session
    of an account that signed in with its password while two-factor sign-in
    is required and not yet set up — the browser's counterpart of the
    enrolment-scoped token. Every other endpoint ignores such a session."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = SessionAuthentication.authenticate(self, request)
        if result is None:
            return None
        if settings.NGO_MFA_REQUIRED and not _otp_verified(request._request) and not user_is_enrolling(result[0]):
            return None
        return result


def user_is_enrolling(user: Any) -> bool:
    """Two-factor sign-in is required and this signed-in account has no
    authenticator yet: its session may enrol and sign out, nothing else."""
    from django_otp import user_has_device

    return bool(
        settings.NGO_MFA_REQUIRED
        and user is not None
        and user.is_authenticated
        and user.is_active
        and not user_has_device(user, confirmed=True)
    )


def session_is_enrolling(request: HttpRequest) -> bool:
    """Whether this browser's session is one signed in for enrolment only."""
    from django.contrib.auth import get_user

    return user_is_enrolling(get_user(request))


# The enrolment endpoints and sign-out: bearer tokens (full or enrolment-scoped) and sessions, enrolling ones too.
ENROLLING_AUTHENTICATION = [BearerTokenAuthentication, EnrolmentSessionAuthentication]


def _otp_verified(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
