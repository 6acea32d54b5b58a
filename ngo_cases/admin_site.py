"""The admin site: requires an OTP-verified session when MFA is required.

django-otp's OTPAdminSite does the verification; when ``NGO_MFA_REQUIRED``
is off (local development) the plain admin login is used. The setting is read
per request so that tests can switch it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class NgoAdminSite(OTPAdminSite):
    site_header = _("ngo-cases administration")
    site_title = _("ngo-cases")
    index_title = _("Administration")

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.NGO_MFA_REQUIRED:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        self.login_form = OTPAdminAuthenticationForm if settings.NGO_MFA_REQUIRED else AdminAuthenticationForm
        return super().login(request, extra_context)
