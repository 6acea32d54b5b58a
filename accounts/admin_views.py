"""Admin pages of one's own account: language, time zone, digest, and
two-factor sign-in (enrolment with a QR code and recovery codes), plus an
administrator's MFA reset of someone else's account.

The enrolment page is the one page open to a session that signed in with a
password while two-factor sign-in is required and not yet set up (the admin
site sends it here); every other admin page needs a verified session.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ngo_cases.errors import DomainError

from . import services
from .admin_forms import OTP_WIDGET_ATTRS
from .models import Language, User


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(name for name in zoneinfo.available_timezones() if "/" in name and not name.startswith("Etc/"))
    return [("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names)]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_time_zone_choices,
        help_text=_("Dates and times are shown in this time zone, and reminders arrive by its clock."),
    )
    email_digest = forms.BooleanField(
        label=_("Daily email digest"),
        required=False,
        help_text=_("Reminder emails as one digest a day instead of one email each."),
    )


class CodeForm(forms.Form):
    otp = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        widget=forms.TextInput(attrs=OTP_WIDGET_ATTRS),
        help_text=_("The 6-digit code the app shows now."),
    )


def _pending_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def _enrolment_context(user: User) -> dict[str, Any]:
    device = _pending_totp(user)
    if device is None:
        return {}
    enrolment = services.totp_enrolment_of(device)
    # segno draws the QR code as inline SVG: no script, no style, no request elsewhere.
    qr = segno.make(enrolment.otpauth_uri, error="m").svg_inline(
        scale=4, title=str(_("QR code for your authenticator app"))
    )
    return {"secret": enrolment.secret, "qr_svg": mark_safe(qr)}  # noqa: S308 - segno's own SVG markup


@never_cache
@csrf_protect
def account_view(request: HttpRequest) -> HttpResponse:
    """GET/POST /admin/account/: the signed-in person's own account."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    assert isinstance(user, User)  # noqa: S101 - the admin's accounts are ours
    site = admin.site
    enrolling_only = site.needs_enrolment(request)  # type: ignore[attr-defined]
    if not enrolling_only and not site.has_permission(request):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))

    preferences = PreferencesForm(
        initial={"language": user.language, "time_zone": user.time_zone, "email_digest": user.email_digest}
    )
    code_form = CodeForm()
    recovery_codes: list[str] = []
    action = request.POST.get("action") if request.method == "POST" else None

    if action == "preferences" and not enrolling_only:
        preferences = PreferencesForm(request.POST)
        if preferences.is_valid():
            try:
                services.user_update_preferences(user=user, expected_version=user.version, **preferences.cleaned_data)
            except DomainError as exc:  # changed meanwhile in another tab or the workspace
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Your preferences were saved."))
            return HttpResponseRedirect(reverse("admin:account"))
    elif action == "mfa-begin":
        try:
            services.mfa_totp_begin(user=user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("admin:account") + "#two-factor")
    elif action == "mfa-confirm":
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                recovery_codes = services.mfa_totp_confirm(user=user, otp=code_form.cleaned_data["otp"])
            except DomainError as exc:
                code_form.add_error("otp", str(exc.message))
            else:
                device = TOTPDevice.objects.get(user=user, confirmed=True)
                otp_login(request, device)  # this session is now verified
                messages.success(request, _("Two-factor sign-in is on."))
    elif action is not None:
        raise PermissionDenied

    context = {
        **site.each_context(request),
        "title": _("My account"),
        "subtitle": None,
        "account": user,
        "enrolling_only": enrolling_only,
        "preferences": preferences,
        "code_form": code_form,
        "has_mfa": services.user_has_mfa(user),
        "recovery_codes_left": services.recovery_codes_left(user),
        "recovery_codes": recovery_codes,
        "mfa_required": settings.NGO_MFA_REQUIRED,
        **_enrolment_context(user),
    }
    return TemplateResponse(request, "admin/account.html", context)


def mfa_reset_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """GET: confirm; POST: reset the account's two-factor sign-in (logged)."""
    target = model_admin.get_object(request, object_id)
    if target is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)  # type: ignore[attr-defined]
    if not model_admin.has_change_permission(request, target):
        raise PermissionDenied
    if request.method == "POST":
        services.mfa_reset(user=target, acting_user=request.user)  # type: ignore[arg-type]
        messages.success(
            request,
            _("Two-factor sign-in of %(username)s was reset: they set it up again at their next sign-in.")
            % {"username": target.username},
        )
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[target.pk]))
    context = {
        **admin.site.each_context(request),
        "title": _("Reset two-factor sign-in"),
        "subtitle": None,
        "target": target,
        "opts": model_admin.opts,
        "has_mfa": services.user_has_mfa(target),
    }
    return TemplateResponse(request, "admin/accounts/user/mfa_reset.html", context)
