from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CryptoConfig(AppConfig):
    name = "ngo_cases.crypto"
    label = "crypto"
    verbose_name = _("Encryption keys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from . import checks  # noqa: F401 - registers the erasure ledger's check
        from .keys import reset_keyring

        setting_changed.connect(reset_keyring)
