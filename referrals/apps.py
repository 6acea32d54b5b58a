from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    """Partner directory, services offered and the consent-bound referral
    workflow (docs/referrals.md)."""

    name = "referrals"
    verbose_name = _("Referrals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases import selectors as case_selectors
        from cases import signals

        from . import selectors, services

        case_selectors.ACCESS_LIST_EXTENSIONS.append(selectors.referral_access_entries)
        signals.consent_revoked.connect(services.on_consent_revoked, dispatch_uid="referrals_consent_revoked")
        signals.survivor_erased.connect(services.on_survivor_erased, dispatch_uid="referrals_survivor_erased")
