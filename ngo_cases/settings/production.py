"""Production: everything that matters comes from the environment, and the
service refuses to start without its secrets. See docs/operations.md."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_required, env_str

DEBUG = False
SECRET_KEY = env_required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

env_required("CELERY_BROKER_URL")  # no embedded broker in production
REDIS_URL = env_required("REDIS_URL")  # shared cache: throttling across workers
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

NGO_MFA_REQUIRED = env_bool("NGO_MFA_REQUIRED", True)
NGO_DATABASE_ROLE = env_str("NGO_DATABASE_ROLE", "application")  # "owner" only for migrate
NGO_MASTER_KEYS = env_required("NGO_MASTER_KEYS")
NGO_BLIND_INDEX_KEY = env_required("NGO_BLIND_INDEX_KEY")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes from the load balancer / compose speak plain HTTP
if env_bool("DJANGO_BEHIND_TLS_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Attachments' ciphertext: "filesystem" (NGO_ATTACHMENTS_DIR, a volume of its own) or "s3"
# (any S3-compatible object storage through django-storages; docs/operations.md).
if env_str("NGO_ATTACHMENT_STORAGE", "filesystem") == "s3":
    ATTACHMENTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required("NGO_S3_BUCKET"),
            "endpoint_url": env_str("NGO_S3_ENDPOINT_URL") or None,
            "region_name": env_str("NGO_S3_REGION") or None,
            "access_key": env_str("NGO_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("NGO_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("NGO_S3_PREFIX", "attachments"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "no-store"},
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "attachments": ATTACHMENTS_STORAGE,
}
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
