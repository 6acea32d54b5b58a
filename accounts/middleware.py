"""Browser sessions: the guard (idle sign-out and the lock screen) and the
signed-in user's language and time zone. (Token-authenticated API requests
get their language and zone in the base API class, once DRF has
authenticated them; tokens are neither locked nor idle-timed.)"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ngo_cases import user_locale

from . import services

# What a locked session may still do: say it is locked, unlock, sign out.
LOCKED_SESSION_PATHS = frozenset(
    {"/api/v1/auth/session", "/api/v1/auth/unlock", "/api/v1/auth/logout", "/api/v1/auth/csrf"}
)
# The last-seen time is written at most this often (a session save per request otherwise).
SEEN_RESOLUTION = 15


class SessionGuardMiddleware:
    """Idle sign-out and the lock screen for browser sessions, decided on the
    server so that a closed laptop lid or a stopped script cannot keep a
    session open. A session without a request for NGO_SESSION_IDLE_TIMEOUT
    seconds is ended (and logged); a locked session answers as signed out on
    every path but LOCKED_SESSION_PATHS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(services.SESSION_SEEN_KEY)
            if seen is not None and now - seen > settings.NGO_SESSION_IDLE_TIMEOUT:
                services.session_idle_sign_out(request=request, user=user)
                request.user = AnonymousUser()
            else:
                if seen is None or now - seen >= min(SEEN_RESOLUTION, settings.NGO_SESSION_IDLE_TIMEOUT // 4):
                    request.session[services.SESSION_SEEN_KEY] = now
                if services.session_is_locked(request) and request.path not in LOCKED_SESSION_PATHS:
                    request.user = AnonymousUser()
        return self.get_response(request)


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user_locale.activate_for(request, getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
