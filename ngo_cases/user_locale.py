"""The signed-in user's language and time zone, for one request (the
session middleware for the admin and workspace pages; the base API class
once a bearer token names the user)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation


def activate_for(request: Any, user: Any) -> None:
    if not getattr(user, "is_authenticated", False):
        return
    language = getattr(user, "language", None)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
    time_zone = getattr(user, "time_zone", None)
    if time_zone:
        timezone.activate(time_zone)
