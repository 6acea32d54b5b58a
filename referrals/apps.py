from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    """Partner directory, services and the consent-bound referral workflow.

    Built by the "Referrals" issue. Nothing here yet.
    """

    name = "referrals"
    verbose_name = _("Referrals")
    default_auto_field = "django.db.models.BigAutoField"
