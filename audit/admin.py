"""The auditors' screens: the access log, filtered by user, organisation,
object, action and date, exported as CSV (the export is itself logged).
Read-only: nobody adds, changes or deletes an entry here (nor anywhere: the
database refuses it). Entries hold ids, never personal data."""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AccessLogEntry, Action, BulkAccessAlert, ChainLink

CSV_COLUMNS = [
    "id",
    "at",
    "actor_id",
    "actor_role",
    "organisation_id",
    "ip",
    "endpoint",
    "method",
    "action",
    "object_type",
    "object_ids",
    "case_ids",
    "survivor_ids",
    "subject_id",
    "break_glass_grant_id",
    "status_code",
    "detail",
]


class _IdFilter(admin.SimpleListFilter):
    """``?case=<id>``, ``?survivor=<id>``, ``?object=<id>``: entries about that
    case, survivor or object (links from the case, survivor and user screens)."""

    column = ""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        return [(value, value)] if value else []

    def queryset(self, request: HttpRequest, queryset: QuerySet[AccessLogEntry]) -> QuerySet[AccessLogEntry]:
        value = self.value()
        if not value:
            return queryset
        try:
            wanted = uuid.UUID(value)
        except ValueError:
            return queryset.none()
        return queryset.filter(**{f"{self.column}__contains": [wanted]})


class CaseFilter(_IdFilter):
    title = _("case")
    parameter_name = "case"
    column = "case_ids"


class SurvivorFilter(_IdFilter):
    title = _("survivor")
    parameter_name = "survivor"
    column = "survivor_ids"


class ObjectFilter(_IdFilter):
    title = _("object")
    parameter_name = "object"
    column = "object_ids"


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "at",
        "actor",
        "actor_role",
        "organisation",
        "action",
        "object_type",
        "objects",
        "ip",
        "endpoint",
        "status_code",
    ]
    list_filter = [
        "action",
        "object_type",
        "actor_role",
        "at",
        "organisation",
        CaseFilter,
        SurvivorFilter,
        ObjectFilter,
    ]
    list_select_related = ["actor", "organisation", "link"]
    search_fields = ["endpoint"]
    search_help_text = _("An id (of a case, survivor, referral, note, user…) or a route name.")
    date_hierarchy = "at"
    show_full_result_count = False
    list_per_page = 100
    readonly_fields = [*CSV_COLUMNS, "break_glass_reason", "chain_seq", "prev_hash_hex", "hash_hex"]
    fields = tuple(readonly_fields)
    change_list_template = "admin/audit/accesslogentry/change_list.html"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AccessLogEntry], search_term: str
    ) -> tuple[QuerySet[AccessLogEntry], bool]:
        """An id finds the entries about it or by it; anything else matches route names."""
        try:
            wanted = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        about = (
            Q(object_ids__contains=[wanted])
            | Q(case_ids__contains=[wanted])
            | Q(survivor_ids__contains=[wanted])
            | Q(actor_id=wanted)
            | Q(subject_id=wanted)
            | Q(organisation_id=wanted)
        )
        return queryset.filter(about), False

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters = list(super().get_list_filter(request))
        if "actor__id__exact" in request.GET:
            filters.append("actor")
        return filters

    @admin.display(description=_("objects"))
    def objects(self, entry: AccessLogEntry) -> str:
        count = len(entry.object_ids)
        return str(entry.object_ids[0]) if count == 1 else (_("%(count)d objects") % {"count": count} if count else "")

    @admin.display(description=_("break-glass reason"))
    def break_glass_reason(self, entry: AccessLogEntry) -> str:
        if entry.break_glass_grant_id is None:
            return ""
        from cases.models import CaseUserObjectPermission

        grant = CaseUserObjectPermission.objects.filter(pk=entry.break_glass_grant_id).first()
        return grant.justification if grant else str(_("(grant no longer exists)"))

    @admin.display(description=_("sequence"))
    def chain_seq(self, entry: AccessLogEntry) -> str:
        link = _link(entry)
        return str(link.seq) if link else ""

    @admin.display(description=_("previous hash"))
    def prev_hash_hex(self, entry: AccessLogEntry) -> str:
        link = _link(entry)
        return bytes(link.prev_hash).hex() if link else ""

    @admin.display(description=_("hash"))
    def hash_hex(self, entry: AccessLogEntry) -> str:
        link = _link(entry)
        return bytes(link.hash).hex() if link else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # --- CSV export of the filtered view ---------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        export = path("export.csv", self.admin_site.admin_view(self.export_view), name="audit_accesslogentry_export")
        return [export, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra_context = dict(extra_context or {})
        if request.user.has_perm("audit.export_accesslogentry"):
            query = request.GET.urlencode()
            extra_context["export_url"] = reverse("admin:audit_accesslogentry_export") + (f"?{query}" if query else "")
        return super().changelist_view(request, extra_context)

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The entries the changelist shows for the same filters, as CSV."""
        if not (self.has_view_permission(request) and request.user.has_perm("audit.export_accesslogentry")):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).order_by("id")
        count = queryset.count()
        services.record(
            action=Action.EXPORT,
            actor=request.user,
            object_type="access_log",
            detail=f"entries={count} filters={_filters_for_log(request.GET)}"[:200],
        )

        def rows() -> Iterator[str]:
            buffer = _Echo()
            writer = csv.writer(buffer)
            yield writer.writerow(CSV_COLUMNS)
            for entry in queryset.iterator(chunk_size=2000):
                yield writer.writerow([_csv_value(getattr(entry, column)) for column in CSV_COLUMNS])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
        response["Cache-Control"] = "no-store"
        return response


_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")


def _filters_for_log(params: Any) -> str:
    """The export's filters as codes and ids only: a search term an auditor
    typed (it could be a name) is never written to the log, only that there was one."""
    kept = []
    for key, value in params.items():
        is_code = bool(_CODE.match(value)) and key != "q"
        try:
            uuid.UUID(value)
            is_code = True
        except ValueError:
            pass
        kept.append(f"{key}={value}" if is_code and _CODE.match(key) else f"{key[:20]}=(text)")
    return "&".join(kept)


def _link(entry: AccessLogEntry) -> ChainLink | None:
    """The entry's chain link (none until its transaction has committed)."""
    try:
        return entry.link
    except ChainLink.DoesNotExist:
        return None


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return "" if value is None else value


def access_log_link(label: Any, **params: Any) -> str:
    """A link to the access log filtered by ``params`` (case=…, survivor=…)."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return format_html('<a href="{}?{}">{}</a>', reverse("admin:audit_accesslogentry_changelist"), query, label)


@admin.register(BulkAccessAlert)
class BulkAccessAlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "survivors", "threshold", "window_start", "window_end", "notified_at", "log"]
    list_filter = ["created_at"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "survivors",
        "threshold",
        "window_start",
        "window_end",
        "created_at",
        "notified_at",
        "log",
    ]
    fields = tuple(readonly_fields)

    def get_queryset(self, request: HttpRequest) -> QuerySet[BulkAccessAlert]:
        """Auditors see every alert; a supervisor sees those about the members of their teams."""
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_superuser or getattr(user, "role", "") == "auditor":
            return queryset
        return queryset.filter(user__team_memberships__team__memberships__user=user).distinct()

    @admin.display(description=_("what they read"))
    def log(self, alert: BulkAccessAlert) -> str:
        return access_log_link(_("access log"), actor__id__exact=alert.user_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
