"""Answer signed-in admin and browsable-API users in their own language and
time zone. (Token-authenticated API requests get the same in the base API
class, once DRF has authenticated them.)"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "language", None)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
            time_zone = getattr(user, "time_zone", None)
            if time_zone:
                timezone.activate(time_zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
