from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Anonymised statistics: counts of consented cases with small cells
    suppressed (docs/statistics.md)."""

    name = "reporting"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"
