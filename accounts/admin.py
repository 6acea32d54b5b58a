"""Admin for staff, organisations and teams (role: admin).

No survivor data is reachable from here: these models hold none, and the
case models' admin (cases app) masks identity for anyone without a grant.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import partial
from typing import Any

from axes.models import AccessLog as AxesAccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ngo_cases import access_log
from ngo_cases.admin_history import ChangeHistoryMixin

from . import admin_views, services
from .admin_forms import AdminLoginForm, StaffChangeForm, StaffCreationForm
from .models import ApiToken, Organisation, Team, TeamMembership, User

# The sign-in form and the "My account" page of the admin site (ngo_cases.admin_site imports no app).
admin.site.login_form = AdminLoginForm
admin.site.extra_urls.append(path("account/", admin_views.account_view, name="account"))  # type: ignore[attr-defined]
# The request whose page is being drawn, for read-only fields that depend on who reads.
current_request: ContextVar[HttpRequest | None] = ContextVar("accounts_admin_request", default=None)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(ChangeHistoryMixin, DjangoUserAdmin):
    """Staff accounts. Made by the same service as ``create_staff``: the role
    decides admin access and groups (never set by hand), the role must fit
    the organisation, the time zone starts as the organisation's."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "organisation", "role", "is_active", "mfa_on", "last_login"]
    list_filter = ["role", "organisation", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["username"]
    inlines = [TeamMembershipInline]
    readonly_fields = ["last_login", "date_joined", "version", "access_log", "admin_access", "mfa_status"]
    fieldsets = (
        (None, {"fields": ("username", "password", "access_log")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "language", "time_zone", "email_digest")}),
        (_("Role"), {"fields": ("organisation", "role", "is_active", "admin_access")}),
        (_("Two-factor sign-in"), {"fields": ("mfa_status",)}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "version")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "organisation",
                    "role",
                    "email",
                    "language",
                    "time_zone",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        has_mfa = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).select_related("organisation").annotate(has_mfa=Exists(has_mfa))

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Readers get no "Reset password" button (it would lead to a 403).
            return [
                (name, {**options, "fields": tuple(f for f in options["fields"] if f != "password")})
                for name, options in fieldsets
            ]
        return fieldsets

    def get_urls(self) -> list[Any]:
        reset = path(
            "<path:object_id>/mfa-reset/",
            self.admin_site.admin_view(partial(admin_views.mfa_reset_view, self)),
            name="accounts_user_mfa_reset",
        )
        return [reset, *super().get_urls()]

    @admin.display(description=_("access log"))
    def access_log(self, user: User) -> str:
        """What this account accessed, and what was done about it (the log
        screen itself is for auditors)."""
        return format_html(
            "{} · {}",
            access_log.admin_link(_("what this user accessed"), actor__id__exact=user.pk),
            access_log.admin_link(_("events about this account"), q=user.pk),
        )

    @admin.display(description=_("admin access"))
    def admin_access(self, user: User) -> str:
        if user.is_superuser:
            return str(_("Yes: the bootstrap superuser (still no survivor data without a grant)."))
        if user.is_staff:
            return str(_("Yes, by role: the admin screens of the role, listed in docs/admin.md."))
        return str(_("No, by role: works in the workspace."))

    @admin.display(description=_("two-factor"), boolean=True)
    def mfa_on(self, user: User) -> bool:
        return bool(getattr(user, "has_mfa", False))

    @admin.display(description=_("status"))
    def mfa_status(self, user: User) -> str:
        if services.user_has_mfa(user):
            left = services.recovery_codes_left(user)
            status = ngettext(
                "On: authenticator app confirmed, %(count)d recovery code left.",
                "On: authenticator app confirmed, %(count)d recovery codes left.",
                left,
            ) % {"count": left}
        else:
            status = str(_("Not set up."))
        explanation = _(
            "Each person sets up their own authenticator app under “My account”, or at their first sign-in "
            "when two-factor sign-in is required. An administrator cannot see or set anyone's key, only reset it."
        )
        request = current_request.get()
        if request is not None and self.has_change_permission(request, user):
            url = reverse("admin:accounts_user_mfa_reset", args=[user.pk])
            return format_html(
                '{}<div class="help">{}</div><p><a class="button" href="{}">{}</a></p>',
                status,
                explanation,
                url,
                _("Reset two-factor sign-in"),
            )
        return format_html('{}<div class="help">{}</div>', status, explanation)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        token = current_request.set(request)
        try:
            response = super().changeform_view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # the read-only fields are drawn now, while the request is known
            return response
        finally:
            current_request.reset(token)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            services.staff_flags_apply(user=obj)
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        user = services.staff_create(
            username=data["username"],
            password=data["password1"],
            organisation=data["organisation"],
            role=data["role"],
            email=data.get("email") or "",
            language=data.get("language") or "en",
            time_zone=data.get("time_zone") or None,
        )
        # The admin goes on with the object it built (inlines, the log, the redirect).
        for field in User._meta.concrete_fields:
            setattr(obj, field.attname, getattr(user, field.attname))
        obj._state.adding = False
        obj._state.db = user._state.db


@admin.register(Organisation)
class OrganisationAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "org_type", "region", "is_home"]
    list_filter = ["org_type", "is_home"]
    search_fields = ["name", "slug", "region"]
    readonly_fields = ["version", "created_at"]


@admin.register(Team)
class TeamAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Signed-in devices; deleting one signs that device out."""

    list_display = ["user", "device", "scope", "created", "expiry"]
    list_filter = ["scope"]
    search_fields = ["user__username", "device"]
    fields = ["user", "device", "scope", "created", "expiry"]
    readonly_fields = ["user", "device", "scope", "created", "expiry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.token_revoke(token=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            services.token_revoke(token=token, acting_user=request.user)


# django-otp's own device admins show an authenticator's secret (config page,
# QR code) to whoever may view devices, and answer 500 for a missing device.
# An administrator must be able to reset a lost authenticator (delete), never
# to read one: these read-only registrations replace them.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
# django-axes' log of successful sign-ins is off (AXES_DISABLE_ACCESS_LOG): sign-ins
# are in the audit log, and two screens called "access log" confused auditors.
admin.site.unregister(AxesAccessLog)


class _DeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = ["user", "name", "confirmed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(_DeviceAdmin):
    """Authenticator apps. Delete one to let its owner enrol again."""


@admin.register(StaticDevice)
class StaticDeviceAdmin(_DeviceAdmin):
    """Recovery code sets (stored hashed)."""
