"""Settings shared by every environment. local/test/production adjust these.

Everything an operator sets comes from the environment (see
docs/operations.md for the full list); secrets accept a ``*_FILE`` variant.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
import pghistory
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("NGO_VAR_DIR") or BASE_DIR / "var")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "ngo_cases.apps.NgoAdminConfig",  # django.contrib.admin with MFA when required
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "ngo_cases.apps.OtpTotpConfig",
    "ngo_cases.apps.OtpStaticConfig",
    "ngo_cases.apps.AxesConfig",
    "ngo_cases.crypto",
    "ngo_cases.grants",
    "accounts",
    "cases",
    "referrals",
    "attachments",
    "reporting",
    "audit",
    "notifications",
    "reminders",
    "workspace",
    "ngo_cases.apps.CeleryBeatConfig",
    "pgtrigger",
    "pghistory",
]

MIDDLEWARE = [
    "ngo_cases.client_address.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionGuardMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "ngo_cases.access_log.AccessContextMiddleware",
    "pghistory.middleware.HistoryMiddleware",
]

ROOT_URLCONF = "ngo_cases.urls"
APPEND_SLASH = False  # a missing slash is a 404, never a redirect that drops a POST body
WSGI_APPLICATION = "ngo_cases.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env() -> dict[str, object]:
    url = env_str("DATABASE_URL")
    if url is None:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set. `make run` and `make test` start an embedded "
            "PostgreSQL and set it; for other commands use "
            "`.venv/bin/python -m ngo_cases.local_stack exec -- <command>`."
        )
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0)))
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("ngo-cases runs on PostgreSQL only.")
    # Every request runs in one transaction: the audit log row of a read is
    # written in the same transaction as the response (SPEC section 5).
    config["ATOMIC_REQUESTS"] = True
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies legacy hashes, never writes
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Sessions and cookies (the admin and the browsable API) ---------------
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "ngo_cases.api.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": with no-referrer Chromium sends
# `Origin: null` on a same-origin form POST and Django's CSRF check refuses
# every admin sign-in (docs/decisions.md "Referrer-Policy"). Other sites
# still receive no Referer, so no URL of ours leaks to them.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# One strict Content-Security-Policy on every response (django-csp): scripts,
# styles, images and fonts from this origin only; no inline script, no eval,
# no frames, no plugins. A view that needs a stricter one sets its own header
# (the referral letter), which the middleware leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Attachments' ciphertext (attachments/storage.py): the filesystem under var/ here; production
# chooses filesystem or S3-compatible object storage (settings/production.py, docs/operations.md).
ATTACHMENTS_STORAGE = {
    "BACKEND": "attachments.storage.PrivateFileSystemStorage",
    "OPTIONS": {"location": str(Path(env_str("NGO_ATTACHMENTS_DIR") or VAR_DIR / "attachments"))},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": ATTACHMENTS_STORAGE,
}
STATICFILES_DIRS = [BASE_DIR / "ngo_cases" / "static"]
# Files browsers ask for at the site's root (favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "ngo_cases" / "public"

# --- Caches (throttling, lockout counters live in the database) -----------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Django REST framework ------------------------------------------------
# Request limits (ngo_cases/api/parsers.py): larger bodies answer 413, deeper
# JSON 400, before the parser could fail.
NGO_API_MAX_BODY_BYTES = env_int("NGO_API_MAX_BODY_BYTES", 1024 * 1024)
NGO_API_MAX_JSON_DEPTH = env_int("NGO_API_MAX_JSON_DEPTH", 32)
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ngo_cases.api.authentication.BearerTokenAuthentication",
        "ngo_cases.api.authentication.MfaSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ngo_cases.api.permissions.IsStaffMember"],
    "DEFAULT_PAGINATION_CLASS": "ngo_cases.api.pagination.CursorPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["ngo_cases.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "ngo_cases.api.throttling.UserThrottle",
        "ngo_cases.api.throttling.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_USER", "1200/hour"),
        "anon": env_str("API_THROTTLE_ANON", "120/hour"),
        "login": env_str("API_THROTTLE_LOGIN", "30/minute"),
    },
    "EXCEPTION_HANDLER": "ngo_cases.api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "ngo_cases.api.openapi.ApiSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles key on REMOTE_ADDR, which TrustedProxyMiddleware has set to
    # the client's address; DRF must not read X-Forwarded-For itself.
    "NUM_PROXIES": 0,
}

KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model label, not a secret
# knox's own migrations create its AuthToken table even when the model is
# swapped for ours; without them Django creates nothing for a swapped model.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 10)),
    "TOKEN_LIMIT_PER_USER": env_int("API_TOKEN_LIMIT_PER_USER", 10),
    "AUTO_REFRESH": False,
}
# The short-lived token a user gets when MFA is required but not yet set up:
# it opens the MFA enrolment endpoints and nothing else.
MFA_ENROLMENT_TOKEN_TTL = timedelta(minutes=15)

SPECTACULAR_SETTINGS = {
    "TITLE": "ngo-cases API",
    "DESCRIPTION": "Case management for an anti-trafficking NGO. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # one component per vocabulary, whatever the field is called
    "ENUM_NAME_OVERRIDES": {"ServiceTypeEnum": "referrals.models.ServiceType"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and Swagger UI describe the API, never data: public, so
    # that every client author (and every caseworker's IT helper) can read
    # them; Swagger UI's "Authorize" takes a bearer token for trying calls.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# --- MFA and lockout -------------------------------------------------------
# When true, every account must have a confirmed TOTP device: API logins need
# an `otp`, the admin asks for one, and sessions not verified by OTP are refused.
NGO_MFA_REQUIRED = env_bool("NGO_MFA_REQUIRED", False)
# A browser session (workspace or admin) without a request for this long is
# signed out by the server; the workspace warns a minute before (docs/workspace.md).
NGO_SESSION_IDLE_TIMEOUT = env_int("NGO_SESSION_IDLE_TIMEOUT", 15 * 60)
# "application": `check --database default` fails when the connected role could
# empty, alter or switch off the audit trail (audit/checks.py); "owner" for the
# migration step, which runs as the tables' owner. Production defaults to
# "application"; development and tests connect as a superuser.
NGO_DATABASE_ROLE = env_str("NGO_DATABASE_ROLE", "")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "ngo-cases")
MFA_RECOVERY_CODE_COUNT = 10

AXES_ENABLED = True
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
# Lock by username: a targeted guess at one staff account is stopped whatever
# the source address. See docs/security.md for the trade-off.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that without ip_address an attacker rotating user agents or
# cookies escapes the lockout. That applies to lockouts keyed on those; ours is
# keyed on the username, which rotation does not change. Adding ip_address
# would lock every colleague behind an office NAT after five typos; spraying
# from one address is slowed by the per-address LoginThrottle instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ngo_cases.api.errors.lockout_response"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "ngo_cases.client_address.client_address"
# Sign-ins are in our own access log (auth.login, hash-chained). django-axes'
# log of successful logins would duplicate it, and it creates a session for
# every API sign-in only to hash the session key: off.
AXES_DISABLE_ACCESS_LOG = True

# --- The client's address (ngo_cases/client_address.py) ----------------------
# X-Forwarded-For is believed only from these proxies (addresses or CIDR
# networks, comma-separated), e.g. "127.0.0.1,10.0.0.0/8". Default: none.
NGO_TRUSTED_PROXIES = env_list("NGO_TRUSTED_PROXIES")

# --- Encryption at rest (docs/security.md) ------------------------------------
# Never in the repository or the database. `make run` / `make test` create
# local keys under var/keys/ when these are unset; production refuses to
# start without them.
NGO_MASTER_KEYS = env_str("NGO_MASTER_KEYS")  # "<version>:<base64 32 bytes>,..."
NGO_MASTER_KEY_CURRENT = env_int("NGO_MASTER_KEY_CURRENT", 0) or None  # default: highest version
NGO_BLIND_INDEX_KEY = env_str("NGO_BLIND_INDEX_KEY")  # base64 32 bytes
# The erasure ledger (ngo_cases/crypto/erasures.py): the destroyed data keys' ids, written by beat to this
# path outside the database, applied again after a restore. Unset: not written, not checked.
NGO_ERASURE_LEDGER_PATH = env_str("NGO_ERASURE_LEDGER_PATH")
NGO_DEFAULT_PHONE_REGION = env_str("NGO_DEFAULT_PHONE_REGION", "RU")

# --- cases ---------------------------------------------------------------------
NGO_BREAK_GLASS_HOURS = env_int("NGO_BREAK_GLASS_HOURS", 4)
# Attachments (ngo_cases/uploads.py): an image with more pixels than this is refused
# before it is decoded (a 40-megapixel camera makes 40,000,000; a decompression bomb far more).
NGO_ATTACHMENT_MAX_PIXELS = env_int("NGO_ATTACHMENT_MAX_PIXELS", 60_000_000)
# The largest file an upload may carry (413 above it), in bytes.
NGO_ATTACHMENT_MAX_BYTES = env_int("NGO_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
# clamd's socket ("/run/clamav/clamd.ctl" or "tcp://host:3310"): every upload is scanned before
# it is stored. Unset: no scan, and /healthz says so.
NGO_CLAMD_SOCKET = env_str("NGO_CLAMD_SOCKET", "")
NGO_CLAMD_TIMEOUT_SECONDS = env_int("NGO_CLAMD_TIMEOUT_SECONDS", 30)
NGO_REFERRAL_CONSENT_DAYS = env_int("NGO_REFERRAL_CONSENT_DAYS", 90)
NGO_RECOVERY_PERIOD_DAYS = env_int("NGO_RECOVERY_PERIOD_DAYS", 30)
# Change history (django-pghistory, ngo_cases/history.py): event tables refuse
# UPDATE and DELETE; the request's context (user, URL) is stored in each event.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()

# Bulk-access alert: more distinct survivors read than this within the window.
NGO_BULK_ACCESS_SURVIVORS = env_int("NGO_BULK_ACCESS_SURVIVORS", 50)
NGO_BULK_ACCESS_WINDOW_MINUTES = env_int("NGO_BULK_ACCESS_WINDOW_MINUTES", 60)

# Statistics (docs/statistics.md): no shown count below k; shown counts rounded to a multiple of this (0: off).
NGO_STATISTICS_K = env_int("NGO_STATISTICS_K", 11)
NGO_STATISTICS_ROUND_TO = env_int("NGO_STATISTICS_ROUND_TO", 0)
# The anonymised export: hours its files are kept, and the share of records (percent) it may withhold
# before it generalises further (docs/statistics.md, "The export").
NGO_STATISTICS_EXPORT_HOURS = env_int("NGO_STATISTICS_EXPORT_HOURS", 24)
NGO_STATISTICS_EXPORT_MAX_WITHHELD_PERCENT = env_int("NGO_STATISTICS_EXPORT_MAX_WITHHELD_PERCENT", 5)

# Days a receiving organisation still sees a declined or completed referral (withdrawn: none).
NGO_REFERRAL_GRACE_DAYS = env_int("NGO_REFERRAL_GRACE_DAYS", 7)
# Reminders (docs/reminders.md). Offsets and cadences are set in the admin (reminder rules).
NGO_REMINDER_HOUR = env_int("NGO_REMINDER_HOUR", 8)  # date reminders arrive at this local hour
NGO_HOLIDAYS_COUNTRY = env_str("NGO_HOLIDAYS_COUNTRY", "")  # e.g. RU: public holidays are not working days
NGO_REMINDER_LATE_DAYS = env_int("NGO_REMINDER_LATE_DAYS", 2)  # not created when this late (imported history)
NGO_REMINDER_REDELIVER_SECONDS = env_int("NGO_REMINDER_REDELIVER_SECONDS", 600)  # enqueue again when unsent
NGO_REMINDER_BATCH = env_int("NGO_REMINDER_BATCH", 500)
NGO_DIGEST_HOUR = env_int("NGO_DIGEST_HOUR", 7)  # the daily digest leaves at this local hour
# Links in emails and notifications (case reference and a link, never PII).
NGO_PUBLIC_URL = env_str("NGO_PUBLIC_URL", "http://127.0.0.1:8000")

# --- Celery ----------------------------------------------------------------
# With no CELERY_BROKER_URL the broker is kombu's filesystem transport under
# var/broker: worker, beat and web share it on one machine with no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
if CELERY_BROKER_URL is None:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The schedule lives in the database (django-celery-beat), visible and
# adjustable in the admin. The entries below are installed when missing and
# never overwrite what an admin changed (ngo_cases.beat.Scheduler).
CELERY_BEAT_SCHEDULER = "ngo_cases.beat:Scheduler"
CELERY_TIMEZONE = "UTC"
CELERY_RESULT_EXPIRES = None
CELERY_BEAT_SCHEDULE = {
    "plan-reminders": {
        "task": "reminders.tasks.plan_reminders",
        "schedule": float(env_int("NGO_REMINDER_PLAN_SECONDS", 60)),
    },
    "dispatch-reminders": {
        "task": "reminders.tasks.dispatch_reminders",
        "schedule": float(env_int("NGO_REMINDER_DISPATCH_SECONDS", 180)),
    },
    "send-digests": {
        "task": "reminders.tasks.send_digests",
        "schedule": float(env_int("NGO_DIGEST_CHECK_SECONDS", 900)),
    },
    "purge-expired-api-tokens": {
        "task": "accounts.tasks.purge_expired_tokens",
        "schedule": float(env_int("TOKEN_PURGE_INTERVAL_SECONDS", 3600)),
    },
    "write-erasure-ledger": {
        "task": "ngo_cases.crypto.tasks.write_erasure_ledger",
        "schedule": float(env_int("NGO_ERASURE_LEDGER_SECONDS", 300)),
    },
    "detect-bulk-access": {
        "task": "audit.tasks.detect_bulk_access",
        "schedule": float(env_int("NGO_BULK_ACCESS_CHECK_SECONDS", 300)),
    },
    # Stored attachment objects whose rows are gone, retried until the storage confirms (attachments.md).
    "delete-stored-attachments": {
        "task": "attachments.tasks.delete_stored_objects",
        "schedule": float(env_int("NGO_ATTACHMENT_DELETE_SECONDS", 3600)),
    },
    # The summary the statistics count, rebuilt (statistics.md; performance.md "Statistics").
    "refresh-statistics": {
        "task": "reporting.tasks.refresh_case_facts",
        "schedule": float(env_int("NGO_STATISTICS_REFRESH_SECONDS", 600)),
    },
    # Anonymised exports past their hours: keys destroyed, files deleted (statistics.md).
    "expire-statistics-exports": {
        "task": "reporting.tasks.expire_exports",
        "schedule": float(env_int("NGO_STATISTICS_EXPIRE_SECONDS", 900)),
    },
}

# --- Email -----------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ngo-cases@localhost")

# --- Logging: counts and ids only, never request bodies --------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
