"""Where the current request came from, for log rows written by services
(sign-in, grants) that do not see the request. Set by AuditContextMiddleware."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None
    endpoint: str
    method: str


_current: ContextVar[RequestMeta | None] = ContextVar("audit_request_meta", default=None)
_actor: ContextVar[Any] = ContextVar("audit_actor", default=None)


def set_actor(user: Any) -> None:
    """Who is acting in this request (the base API class sets it once the
    bearer token is checked; the admin's session user is set by the middleware)."""
    _actor.set(user if getattr(user, "is_authenticated", False) else None)


def actor() -> Any:
    return _actor.get()


def request_meta(request: HttpRequest) -> RequestMeta:
    """The client address (REMOTE_ADDR: the proxy in front sets it, see
    docs/operations.md), the route name (never the path's values) and method."""
    match = getattr(request, "resolver_match", None)
    endpoint = match.view_name if match is not None else ""
    return RequestMeta(ip=request.META.get("REMOTE_ADDR") or None, endpoint=endpoint, method=request.method or "")


def current() -> RequestMeta | None:
    return _current.get()


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(
            RequestMeta(ip=request.META.get("REMOTE_ADDR") or None, endpoint="", method=request.method or "")
        )
        # The session user (admin); the base API class replaces it with the
        # bearer token's user. Both are reset when the request ends, so a
        # later request or task in this thread never inherits this actor.
        user = getattr(request, "user", None)
        actor_token = _actor.set(user if getattr(user, "is_authenticated", False) else None)
        try:
            return self.get_response(request)
        finally:
            _actor.reset(actor_token)
            _current.reset(token)

    def process_view(self, request: HttpRequest, *args: object, **kwargs: object) -> None:
        _current.set(request_meta(request))
