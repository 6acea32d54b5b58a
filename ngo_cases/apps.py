from django.contrib.admin.apps import AdminConfig


class NgoAdminConfig(AdminConfig):
    """django.contrib.admin on our site, which asks for an OTP when MFA is required."""

    default_site = "ngo_cases.admin_site.NgoAdminSite"
