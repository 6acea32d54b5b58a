"""The access log as the base package sees it: what can be recorded and
who is acting, with the writer plugged in by the audit app.

Every "who looked at whose file" row is written through :func:`record`.
The base API class, the grants mechanism and accounts' services call it
without importing the audit app: audit registers its writer in
``AuditConfig.ready`` (audit/services.py writes the row, in the caller's
transaction). With no writer registered, :func:`record` raises: the log
fails closed, it never silently drops a row.

The request context (client address, route name, method, acting user) is
kept in context variables set by :class:`AccessContextMiddleware` and the
base API class, for rows written by code that does not see the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    SEARCH = "search", _("Search")
    EXPORT = "export", _("Export")
    LETTER = "letter", _("Referral letter")
    DOWNLOAD = "download", _("Downloaded a file")
    REPORT = "report", _("Ran a statistics report")
    DELETE = "delete", _("Deleted")
    ADMIN_VIEW = "admin_view", _("Admin view")
    LOGIN = "auth.login", _("Signed in")
    LOGIN_FAILED = "auth.login_failed", _("Sign-in failed")
    MFA_FAILED = "auth.mfa_failed", _("Two-factor code refused")
    LOCKOUT = "auth.lockout", _("Locked out")
    TOKEN_CREATED = "auth.token_created", _("Token created")
    TOKEN_REVOKED = "auth.token_revoked", _("Token revoked")
    LOGOUT_ALL = "auth.logout_all", _("Signed out everywhere")
    SESSION_LOCKED = "auth.session_locked", _("Screen locked")
    SESSION_UNLOCKED = "auth.session_unlocked", _("Screen unlocked")
    SESSION_IDLE = "auth.session_idle", _("Signed out after inactivity")
    MFA_RESET = "auth.mfa_reset", _("Two-factor sign-in reset")
    GRANT_CREATED = "grant.created", _("Access granted")
    GRANT_REVOKED = "grant.revoked", _("Access withdrawn")


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None
    endpoint: str
    method: str


@dataclass
class AccessReport:
    """What one API response shows of survivor data, gathered while the view
    runs and written as one row when the response is final (the base API
    class). Ids only: never a name, a search term or a free-text reason."""

    ids: list[Any] = field(default_factory=list)
    case_ids: list[Any] = field(default_factory=list)
    survivor_ids: list[Any] = field(default_factory=list)
    action: str | None = None
    break_glass_grant_id: int | None = None
    detail: str = ""

    def add(
        self,
        ids: Iterable[Any] = (),
        *,
        case_ids: Iterable[Any] = (),
        survivor_ids: Iterable[Any] = (),
        action: str | None = None,
        break_glass_grant_id: int | None = None,
        detail: str = "",
    ) -> None:
        self.ids.extend(ids)
        self.case_ids.extend(case_ids)
        self.survivor_ids.extend(survivor_ids)
        self.action = action or self.action
        self.break_glass_grant_id = break_glass_grant_id or self.break_glass_grant_id
        self.detail = detail or self.detail


Writer = Callable[..., None]
_writer: list[Writer] = []


def register(writer: Writer) -> None:
    """Called once, by the audit app's ready()."""
    _writer[:] = [writer]


def record(*, action: str, **fields: Any) -> None:
    """Write one access-log row in the current transaction, ids only: the
    registered writer's keywords (audit.services.record: actor, object_type,
    object_ids, case_ids, survivor_ids, subject, break_glass_grant_id,
    status_code, detail, meta)."""
    if not _writer:
        raise ImproperlyConfigured("No access-log writer is registered (is the audit app installed?)")
    _writer[0](action=action, **fields)


def admin_link(label: Any, **params: Any) -> str:
    """A link to the access log's admin screen (the audit app's) filtered by
    ``params`` (case=…, survivor=…, actor__id__exact=…)."""
    from django.urls import reverse
    from django.utils.html import format_html

    query = "&".join(f"{key}={value}" for key, value in params.items())
    return format_html('<a href="{}?{}">{}</a>', reverse("admin:audit_accesslogentry_changelist"), query, label)


# --- who is acting, from where ------------------------------------------------------------

_current: ContextVar[RequestMeta | None] = ContextVar("access_log_request_meta", default=None)
_actor: ContextVar[Any] = ContextVar("access_log_actor", default=None)


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


class AccessContextMiddleware:
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
