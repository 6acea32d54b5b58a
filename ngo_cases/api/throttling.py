"""Rate limits. Keys are user ids or client addresses, never personal data.

The counters live in the shared cache (Redis in production). When the cache
cannot be reached, the limits behave as chosen here rather than answering
500 (the production drill stops Redis for two minutes): the general limits
let requests through, logged — everything the API does still needs a valid
token or session, and every read is still in the access log —; the sign-in
limit refuses with 503 (Retry-After), so that password spraying is never
unthrottled without anyone deciding it; django-axes' per-username lockout
lives in the database and holds either way. docs/operations.md, "Redis".
"""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from ngo_cases.errors import SignInUnavailable

logger = logging.getLogger(__name__)
CACHE_ERRORS = (RedisError, OSError)


class FailOpen:
    """Without the cache, let the request through (and say so in the log)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            allowed: bool = super().allow_request(request, view)  # type: ignore[misc]
        except CACHE_ERRORS as exc:
            logger.warning("rate limit %s not checked: cache unavailable (%s)", self.scope, type(exc).__name__)  # type: ignore[attr-defined]
            return True
        return allowed


class UserThrottle(FailOpen, UserRateThrottle):
    scope = "user"


class AnonThrottle(FailOpen, AnonRateThrottle):
    scope = "anon"


class LoginThrottle(SimpleRateThrottle):
    """Per client address on the login endpoint, on top of django-axes'
    per-username lockout: slows down spraying many usernames from one host.
    Without the cache: 503, never unthrottled."""

    scope = "login"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            logger.warning("sign-in refused: its rate limit's cache is unavailable (%s)", type(exc).__name__)
            raise SignInUnavailable() from None
