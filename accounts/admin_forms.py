"""Forms of the admin: sign-in with the one-time code, and staff accounts
made and changed through the same rules as ``create_staff``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ngo_cases.errors import Invalid

from . import services
from .models import User

OTP_WIDGET_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "autocapitalize": "off",
    "spellcheck": "false",
    "size": "12",
}


class AdminLoginForm(AdminAuthenticationForm):
    """Username, password and, where two-factor sign-in applies, the code.

    The code field is shown when MFA is required for everyone, or once a
    correct password was given for an account that has an authenticator.
    Accounts whose role has no admin screens are told so plainly (only after
    a correct password, so the answer reveals nothing to a guesser).
    """

    otp_token = forms.CharField(
        label=_("One-time code"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs=OTP_WIDGET_ATTRS),
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct username and password. Note that both fields may be case-sensitive."
        ),
        "no_admin": _(
            "This admin is for administrators, auditors and supervisors. Caseworkers, coordinators and "
            "partner staff do their work in the workspace at %(workspace)s."
        ),
        "otp_required": _("This account uses two-factor sign-in: enter the one-time code from your authenticator app."),
        "otp_invalid": _("That one-time code is wrong or was already used. Enter the code your app shows now."),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.asks_for_code = bool(settings.NGO_MFA_REQUIRED or self.data.get("otp_token"))

    def confirm_login_allowed(self, user: Any) -> None:
        if not user.is_active:
            raise ValidationError(self.error_messages["inactive"], code="inactive")
        if not user.is_staff:
            raise ValidationError(self.error_messages["no_admin"], code="no_admin", params={"workspace": "/"})
        if not services.user_has_mfa(user):
            return  # MFA required but not set up: signed in for enrolment only (NgoAdminSite)
        self.asks_for_code = True
        code = self.cleaned_data.get("otp_token") or ""
        if not code:
            raise ValidationError(self.error_messages["otp_required"], code="otp_required")
        device = services.mfa_device_for_code(user, code)
        if device is None:
            if self.request is not None:
                services.mfa_code_refused(request=self.request, username=user.get_username())
            raise ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        # django-otp's user_logged_in handler marks the session verified by this device.
        user.otp_device = device


class StaffCreationForm(forms.ModelForm):
    """Add user: what ``create_staff`` asks, checked by the same service."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password. Give it to the person by a safe channel."),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "organisation", "role", "email", "language", "time_zone"]
        help_texts = {
            "role": _(
                "Caseworkers, supervisors, auditors and administrators work for the home NGO; partner "
                "caseworkers for a partner organisation; coordinators run either's referral desk."
            ),
            "time_zone": _("Leave empty for the organisation's time zone."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].required = True
        self.fields["time_zone"].required = False
        self.fields["time_zone"].initial = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organisation, role = cleaned.get("organisation"), cleaned.get("role")
        if organisation is not None and role:
            try:
                services.staff_role_check(role=role, organisation=organisation)
            except Invalid as exc:
                self.add_error(None, exc.as_django())
        if organisation is not None and not cleaned.get("time_zone"):
            cleaned["time_zone"] = organisation.time_zone
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            probe = User(username=cleaned.get("username") or "", email=cleaned.get("email") or "")
            try:
                validate_password(password1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class StaffChangeForm(UserChangeForm):
    """Change user: the role must still fit the organisation."""

    class Meta:
        model = User
        field_classes = UserChangeForm.Meta.field_classes
        # what the admin may change; admin access and groups follow the role
        fields = [
            *("username", "password", "first_name", "last_name", "email", "language", "time_zone"),
            *("email_digest", "organisation", "role", "is_active"),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "role" in cleaned or "organisation" in cleaned:
            try:
                services.staff_role_check(
                    role=cleaned.get("role", self.instance.role),
                    organisation=cleaned.get("organisation", self.instance.organisation),
                    is_superuser=self.instance.is_superuser,
                )
            except Invalid as exc:
                self.add_error(None, exc.as_django())
        return cleaned
