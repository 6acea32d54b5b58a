from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    """Encrypted files on survivors, cases and shared referrals: scans of
    documents, photos, certificates (docs/attachments.md)."""

    name = "attachments"
    verbose_name = _("Attachments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases import signals as case_signals

        from . import services

        case_signals.survivor_erased.connect(services.on_survivor_erased, dispatch_uid="attachments-erasure")
