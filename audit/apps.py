from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The access log (append-only, hash-chained) and, through
    django-pghistory, the change history of every domain model."""

    name = "audit"
    verbose_name = _("Audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ngo_cases import access_log
        from notifications import texts

        from . import checks, notices, services, signals  # noqa: F401 - checks registers the database-role check

        access_log.register(services.record)
        signals.connect()
        texts.register("bulk_access", notices.bulk_access)
