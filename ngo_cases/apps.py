from axes import apps as axes_apps
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_celery_beat import apps as celery_beat_apps
from django_otp.plugins.otp_static import apps as otp_static_apps
from django_otp.plugins.otp_totp import apps as otp_totp_apps


class NgoAdminConfig(AdminConfig):
    """django.contrib.admin on our site, which asks for an OTP when MFA is required."""

    default_site = "ngo_cases.admin_site.NgoAdminSite"


# Third-party apps under names a person reads in the admin's sidebar (the
# labels, tables and migrations stay theirs).
class AxesConfig(axes_apps.AppConfig):
    verbose_name = _("Sign-in lockouts")


class OtpTotpConfig(otp_totp_apps.DefaultConfig):
    verbose_name = _("Authenticator apps")


class OtpStaticConfig(otp_static_apps.DefaultConfig):
    verbose_name = _("Recovery codes")


class CeleryBeatConfig(celery_beat_apps.BeatConfig):
    verbose_name = _("Scheduled tasks")
