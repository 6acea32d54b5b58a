"""Rate limits. Keys are user ids or client addresses, never personal data."""

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class UserThrottle(UserRateThrottle):
    scope = "user"


class AnonThrottle(AnonRateThrottle):
    scope = "anon"


class LoginThrottle(SimpleRateThrottle):
    """Per client address on the login endpoint, on top of django-axes'
    per-username lockout: slows down spraying many usernames from one host."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
