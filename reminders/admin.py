"""Admins tune the reminder rules here; the beat schedule itself is under
"Periodic tasks" (django-celery-beat). A saved rule sends every open source
it applies to back to the planner, so the plan follows at once."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ReminderRule
from .signals import replan_kind


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "enabled", "offsets", "unit", "description", "updated_at"]
    list_editable = ["enabled"]
    fields = ["kind", "unit", "description", "enabled", "offsets"]
    readonly_fields = ["kind", "unit", "description"]

    @admin.display(description=_("meaning of the offsets"))
    def description(self, rule: ReminderRule) -> str:
        return rule.description

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per kind, installed by migrate

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch a rule off instead

    def save_model(self, request: HttpRequest, obj: ReminderRule, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        queued = replan_kind(obj.kind)
        messages.info(request, _("%(count)d open items will be planned again.") % {"count": queued})
