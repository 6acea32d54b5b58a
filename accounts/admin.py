"""Admin for staff, organisations and teams (role: admin).

No survivor data is reachable from here: these models hold none, and the
case models' admin (cases app) masks identity for anyone without a grant.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .models import ApiToken, Organisation, Team, TeamMembership, User


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "organisation", "role", "is_active", "last_login"]
    list_filter = ["role", "organisation", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["username"]
    inlines = [TeamMembershipInline]
    readonly_fields = ["last_login", "date_joined", "version", "access_log"]
    fieldsets = (
        (None, {"fields": ("username", "password", "access_log")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "language", "time_zone", "email_digest")}),
        (_("Role"), {"fields": ("organisation", "role", "is_active", "is_staff", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "version")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "organisation", "role", "password1", "password2")}),
    )

    @admin.display(description=_("access log"))
    def access_log(self, user: User) -> str:
        """What this account accessed, and what was done about it (the log
        screen itself is for auditors)."""
        from audit.admin import access_log_link

        return format_html(
            "{} · {}",
            access_log_link(_("what this user accessed"), actor__id__exact=user.pk),
            access_log_link(_("events about this account"), q=user.pk),
        )

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may make superusers; nobody gets one through a form.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "groups"]
        return fields


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "org_type", "region", "is_home"]
    list_filter = ["org_type", "is_home"]
    search_fields = ["name", "slug", "region"]
    readonly_fields = ["version", "created_at"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
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
