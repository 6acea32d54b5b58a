"""The admin's "History" button, showing the change history that the
database records (django-pghistory event tables), not Django's admin log.

Each row: when, who (the username from the event's context), what happened
(created, changed, deleted) and which fields changed. Values are never
shown: encrypted columns hold ciphertext, and other columns of a case are
case content that administrators without a grant may not read (SPEC 1).
Only admins whose models are tracked add this mixin; elsewhere the button
is hidden (templates/admin/change_form_object_tools.html).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

HISTORY_LIMIT = 200
LABELS = {"insert": _("Created"), "update": _("Changed"), "delete": _("Deleted")}
IGNORED = {"version", "updated_at"}


class ChangeHistoryMixin:
    """Add to a ModelAdmin of a model decorated with ``@tracked()``."""

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        context["change_history"] = True
        return super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        import pghistory.models

        model_admin: Any = self
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None:
            return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
        if not model_admin.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        # Admins that log what their pages show (cases, survivors) log this one too.
        log_view = getattr(model_admin, "_audit", None)
        if log_view is not None:
            log_view(request, [obj])
        events = list(pghistory.models.Events.objects.tracks(obj).order_by("-pgh_created_at")[:HISTORY_LIMIT])
        user_ids = {str((event.pgh_context or {}).get("user")) for event in events if event.pgh_context}
        names = dict(
            get_user_model()
            .objects.filter(pk__in=[u for u in user_ids if u and u != "None"])
            .values_list("pk", "username")
        )
        rows = []
        for event in events:
            user_id = (event.pgh_context or {}).get("user")
            rows.append(
                {
                    "at": event.pgh_created_at,
                    "what": LABELS.get(event.pgh_label, event.pgh_label),
                    "who": names.get(_as_uuid(user_id), "—") if user_id else "—",
                    "fields": _changed_fields(obj, event) if event.pgh_label == "update" else "",
                }
            )
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("Change history: %s") % obj,
            "subtitle": None,
            "object": obj,
            "opts": model_admin.opts,
            "rows": rows,
            "limit": HISTORY_LIMIT,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/ngo_change_history.html", context)


def _as_uuid(value: Any) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return value


def _changed_fields(obj: Any, event: Any) -> str:
    names = []
    for name in sorted((event.pgh_diff or {}).keys()):
        if name in IGNORED:
            continue
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        names.append(str(capfirst(getattr(field, "verbose_name", name))))
    return ", ".join(names)
