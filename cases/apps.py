from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Survivors (identity encrypted, blind-indexed), cases, grants, notes,
    consents, milestones, follow-ups and their API."""

    name = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications import texts

        from . import notices

        texts.register("break_glass", notices.break_glass)
