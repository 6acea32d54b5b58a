"""The admin site: requires an OTP-verified session when MFA is required.

django-otp's OTPAdminSite does the verification; when ``NGO_MFA_REQUIRED``
is off (local development) a session is enough, but an account that has an
authenticator is still asked for its code (accounts.admin_forms). The
setting is read per request so that tests can switch it. The sign-in form
and the "My account" page belong to the accounts app, which installs them
(accounts/admin.py); this module imports no app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.admin import OTPAdminSite


class NgoAdminSite(OTPAdminSite):
    site_header = _("ngo-cases administration")
    site_title = _("ngo-cases")
    index_title = _("Administration")
    site_url = "/"
    login_template = "admin/login.html"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        # Pages that apps add to the site (the accounts app's "My account"),
        # registered from their admin modules; they check access themselves.
        self.extra_urls: list[Any] = []

    def get_urls(self) -> list[Any]:
        return [*self.extra_urls, *super().get_urls()]

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.NGO_MFA_REQUIRED:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        if self.needs_enrolment(request):
            # Signed in with a password, two-factor sign-in required and not yet
            # set up: the one page open to this session is the enrolment page.
            return HttpResponseRedirect(reverse("admin:account"))
        return response

    @staticmethod
    def needs_enrolment(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return bool(
            settings.NGO_MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and not user.is_verified()
            and not user_has_device(user, confirmed=True)
        )
