"""Local development: `make run`. Never use these settings on a server."""

from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
# The benchmarks (make bench-*; docs/performance.md) are a development tool, not installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-development-only-not-secret")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# No browsable API (it answered 500 on our explicit views): the interactive
# API is Swagger UI at /api/v1/docs/, the same in every setting.
