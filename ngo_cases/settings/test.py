"""Test settings: the real PostgreSQL (DATABASE_URL) and the configured broker."""

import base64
import os

from .base import *  # noqa: F403
from .base import NGO_BLIND_INDEX_KEY, NGO_MASTER_KEYS, REST_FRAMEWORK

# The benchmarks (make bench-*; docs/performance.md) are a development tool, not installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]
SECRET_KEY = "test-only-not-secret"  # noqa: S105
# Argon2 is the production hasher (asserted in accounts/tests); tests create
# hundreds of users, so they hash with a fast one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker process started by a test may be given a file-based backend it can share.
EMAIL_BACKEND = os.environ.get("NGO_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"user": "100000/hour", "anon": "100000/hour", "login": "100000/hour"}
NGO_MFA_REQUIRED = False

# Keys come from the environment (local_stack makes var/keys); a bare
# `pytest` with DATABASE_URL gets throwaway keys for this process.
if not NGO_MASTER_KEYS:
    NGO_MASTER_KEYS = "1:" + base64.b64encode(os.urandom(32)).decode()
if not NGO_BLIND_INDEX_KEY:
    NGO_BLIND_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()
