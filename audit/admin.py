"""The auditors' screens: the access log, filtered by user, organisation,
object, action and date, exported as CSV (the export is itself logged).
Read-only: nobody adds, changes or deletes an entry here (nor anywhere: the
database refuses it). Entries hold ids, never personal data."""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ngo_cases import access_log

from . import services
from .models import AccessLogEntry, Action, BulkAccessAlert, ChainLink

OBJECT_TYPES = {
    "case": _("Case"),
    "survivor": _("Survivor"),
    "note": _("Case note"),
    "consent": _("Consent"),
    "milestone": _("Milestone"),
    "follow_up": _("Follow-up"),
    "referral": _("Referral"),
    "delivery": _("Service delivered"),
    "access_log": _("Access log"),
    "statistics": _("Statistics"),
}
CASE_REFERENCE = re.compile(r"^C-\d{4}-\d{1,9}$", re.IGNORECASE)
REFERRAL_REFERENCE = re.compile(r"^R-\d{4}-\d{1,9}$", re.IGNORECASE)


def object_type_label(code: str) -> str:
    return str(OBJECT_TYPES.get(code, code.replace("_", " ")))


def role_label(code: str) -> str:
    from accounts.models import Role

    return str(Role(code).label) if code in Role.values else code


class AccessLogChangeList(ChangeList):
    """Looks up, once per page, the words an auditor reads instead of ids:
    case and referral references (never stored in the log, which holds ids)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        annotate_references(list(self.result_list))


def annotate_references(entries: list[AccessLogEntry]) -> None:
    """Sets ``entry.case_refs`` and ``entry.referral_refs`` (reference strings)."""
    from cases.models import Case
    from referrals.models import Referral

    case_ids = {i for e in entries for i in e.case_ids} | {
        i for e in entries if e.object_type == "case" for i in e.object_ids
    }
    referral_ids = {i for e in entries if e.object_type == "referral" for i in e.object_ids}
    cases = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "reference")) if case_ids else {}
    referrals = (
        dict(Referral.objects.filter(pk__in=referral_ids).values_list("pk", "reference")) if referral_ids else {}
    )
    for entry in entries:
        ids = [*entry.case_ids, *(entry.object_ids if entry.object_type == "case" else [])]
        entry.case_refs = sorted({cases[i] for i in ids if i in cases})  # type: ignore[attr-defined]
        entry.referral_refs = sorted(  # type: ignore[attr-defined]
            {referrals[i] for i in entry.object_ids if i in referrals} if entry.object_type == "referral" else set()
        )


def _what(entry: AccessLogEntry) -> str:
    """'Case C-2026-000123', 'Note · C-2026-000123', '3 x Survivor', 'Referral R-2026-000004'."""
    kind = object_type_label(entry.object_type) if entry.object_type else ""
    refs = [*getattr(entry, "referral_refs", []), *getattr(entry, "case_refs", [])]
    count = len(entry.object_ids)
    if refs:
        shown = ", ".join(refs[:3]) + (" …" if len(refs) > 3 else "")
        return f"{kind} {shown}".strip() if entry.object_type in ("case", "referral") else f"{kind} · {shown}"
    if count > 1:
        return f"{count} x {kind}"
    return kind


def _what_with_whom(entry: AccessLogEntry) -> str:
    """What, and for grants and account events whose account it was about."""
    text = _what(entry)
    subject = getattr(entry, "subject", None)
    if subject is not None and subject.pk != entry.actor_id:
        return f"{text} → {subject.username}".strip()
    return text


class UsernameFilter(admin.SimpleListFilter):
    """A text box: the entries by the account with this username."""

    title = _("user")
    parameter_name = "user"
    template = "admin/audit/text_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("", "")]

    def has_output(self) -> bool:
        return True

    def queryset(self, request: HttpRequest, queryset: QuerySet[AccessLogEntry]) -> QuerySet[AccessLogEntry]:
        value = (self.value() or "").strip()
        return queryset.filter(actor__username__iexact=value) if value else queryset

    def choices(self, changelist: Any) -> Iterator[Any]:
        yield {
            "value": self.value() or "",
            "query": [(k, v) for k, v in changelist.params.items() if k != self.parameter_name],
        }


class DateRangeFilter(admin.SimpleListFilter):
    """From-to dates (inclusive), in the auditor's time zone."""

    title = _("date range")
    parameter_name = "from"
    template = "admin/audit/date_range_filter.html"

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any) -> None:
        self.until = params.pop("to", [""])
        self.until = self.until[-1] if isinstance(self.until, list) else self.until
        super().__init__(request, params, model, model_admin)

    def has_output(self) -> bool:
        return True

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("", "")]

    def expected_parameters(self) -> list[str | None]:
        return ["from", "to"]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AccessLogEntry]) -> QuerySet[AccessLogEntry]:
        start, end = _parse_day(self.value()), _parse_day(self.until)
        if start:
            queryset = queryset.filter(at__gte=timezone.make_aware(datetime.combine(start, time.min)))
        if end:
            queryset = queryset.filter(at__lt=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)))
        return queryset

    def choices(self, changelist: Any) -> Iterator[Any]:
        yield {
            "from": self.value() or "",
            "to": self.until or "",
            "query": [(k, v) for k, v in changelist.params.items() if k not in ("from", "to")],
        }


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


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


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from accounts.models import Role

        return [(str(value), str(label)) for value, label in Role.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AccessLogEntry]) -> QuerySet[AccessLogEntry]:
        return queryset.filter(actor_role=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in OBJECT_TYPES.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AccessLogEntry]) -> QuerySet[AccessLogEntry]:
        return queryset.filter(object_type=self.value()) if self.value() else queryset


# The screen's columns, and the CSV's (same order, same words; the CSV adds the ids).
CSV_COLUMNS: list[tuple[Any, Any]] = [
    (_("time"), lambda e: timezone.localtime(e.at).isoformat()),
    (_("user"), lambda e: e.actor.username if e.actor else ""),
    (_("role"), lambda e: role_label(e.actor_role)),
    (_("organisation"), lambda e: e.organisation.name if e.organisation else ""),
    (_("action"), lambda e: e.get_action_display()),
    (_("what"), _what_with_whom),
    (_("result"), lambda e: e.status_code or ""),
    (_("address"), lambda e: e.ip or ""),
    (_("endpoint"), lambda e: e.endpoint),
    (_("detail"), lambda e: e.detail),
    (_("entry"), lambda e: e.pk),
    (_("objects"), lambda e: " ".join(str(i) for i in e.object_ids)),
    (_("cases"), lambda e: " ".join(str(i) for i in e.case_ids)),
    (_("survivors"), lambda e: " ".join(str(i) for i in e.survivor_ids)),
    (_("user id"), lambda e: e.actor_id or ""),
    (_("concerning user id"), lambda e: e.subject_id or ""),
    (_("break-glass grant"), lambda e: e.break_glass_grant_id or ""),
]
DETAIL_FIELDS = [
    "at",
    "actor",
    "actor_role",
    "organisation",
    "ip",
    "endpoint",
    "method",
    "action",
    "object_type",
    "object_ids",
    "case_ids",
    "survivor_ids",
    "subject",
    "break_glass_grant_id",
    "status_code",
    "detail",
]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ["when", "who", "role", "organisation", "action", "what", "status_code", "ip"]
    list_display_links = ["when"]
    list_filter = [
        UsernameFilter,
        DateRangeFilter,
        "action",
        ObjectTypeFilter,
        RoleFilter,
        "organisation",
        CaseFilter,
        SurvivorFilter,
        ObjectFilter,
    ]
    list_select_related = ["actor", "organisation", "subject", "link"]
    search_fields = ["endpoint"]
    search_help_text = _("A username, a case reference (C-2026-000123), a referral reference (R-2026-000045) or an id.")
    show_full_result_count = False
    list_per_page = 100
    readonly_fields = [*DETAIL_FIELDS, "what", "break_glass_reason", "chain_seq", "prev_hash_hex", "hash_hex"]
    fields = tuple(readonly_fields)
    change_list_template = "admin/audit/accesslogentry/change_list.html"

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return AccessLogChangeList

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        entry = super().get_object(request, object_id, from_field)
        if entry is not None:
            annotate_references([entry])
        return entry

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AccessLogEntry], search_term: str
    ) -> tuple[QuerySet[AccessLogEntry], bool]:
        """A case or referral reference, a username, or an id finds the
        entries about it or by it; anything else matches route names."""
        from accounts.models import User
        from cases.models import Case
        from referrals.models import Referral

        term = search_term.strip()
        if not term:
            return queryset, False
        if CASE_REFERENCE.match(term):
            ids = list(Case.objects.filter(reference__iexact=term).values_list("pk", flat=True))
            return queryset.filter(
                Q(case_ids__overlap=ids) | Q(object_ids__overlap=ids)
            ) if ids else queryset.none(), False
        if REFERRAL_REFERENCE.match(term):
            ids = list(Referral.objects.filter(reference__iexact=term).values_list("pk", flat=True))
            return queryset.filter(object_ids__overlap=ids) if ids else queryset.none(), False
        try:
            wanted = uuid.UUID(term)
        except ValueError:
            users = list(User.objects.filter(username__iexact=term).values_list("pk", flat=True))
            if users:
                return queryset.filter(Q(actor_id__in=users) | Q(subject_id__in=users)), False
            return super().get_search_results(request, queryset, term)
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

    @admin.display(description=_("time"), ordering="at")
    def when(self, entry: AccessLogEntry) -> str:
        return timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description=_("user"), ordering="actor__username")
    def who(self, entry: AccessLogEntry) -> str:
        if entry.actor is None:
            return "—"
        url = reverse("admin:audit_accesslogentry_changelist") + "?" + urlencode({"user": entry.actor.username})
        return format_html('<a href="{}">{}</a>', url, entry.actor.username)

    @admin.display(description=_("role"), ordering="actor_role")
    def role(self, entry: AccessLogEntry) -> str:
        return role_label(entry.actor_role)

    @admin.display(description=_("what"))
    def what(self, entry: AccessLogEntry) -> str:
        refs = getattr(entry, "case_refs", [])
        text = _what_with_whom(entry)
        if len(refs) == 1 and entry.object_type != "referral":
            url = reverse("admin:audit_accesslogentry_changelist") + "?" + urlencode({"q": refs[0]})
            return format_html('<a href="{}">{}</a>', url, text)
        return text

    @admin.display(description=_("break-glass reason"))
    def break_glass_reason(self, entry: AccessLogEntry) -> str:
        if entry.break_glass_grant_id is None:
            return ""
        from cases.models import BreakGlassReason
        from ngo_cases.crypto.errors import KeyDestroyed

        sealed = BreakGlassReason.objects.select_related("data_key").filter(grant_id=entry.break_glass_grant_id).first()
        if sealed is None:
            return str(_("(grant no longer exists)"))
        try:
            return sealed.reason or ""
        except KeyDestroyed:
            return str(_("(erased with the survivor)"))

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
        extra_context["time_zone"] = timezone.get_current_timezone_name()
        return super().changelist_view(request, extra_context)

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The entries the changelist shows for the same filters, as CSV with
        the screen's columns and words (times in ISO 8601 with their offset)."""
        if not (self.has_view_permission(request) and request.user.has_perm("audit.export_accesslogentry")):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).select_related("actor", "organisation", "subject").order_by("id")
        count = queryset.count()
        services.record(
            action=Action.EXPORT,
            actor=request.user,
            object_type="access_log",
            detail=f"entries={count} filters={_filters_for_log(request.GET)}"[:200],
        )

        # The rows are written while the response streams, after the request's
        # language and time zone were reset: keep the auditor's for them.
        language, zone = translation.get_language(), timezone.get_current_timezone()

        def rows() -> Iterator[str]:
            with translation.override(language), timezone.override(zone):
                buffer = _Echo()
                writer = csv.writer(buffer)
                yield writer.writerow([str(title) for title, _value in CSV_COLUMNS])
                batch: list[AccessLogEntry] = []
                for entry in queryset.iterator(chunk_size=2000):
                    batch.append(entry)
                    if len(batch) == 2000:
                        yield from _csv_rows(writer, batch)
                        batch = []
                yield from _csv_rows(writer, batch)

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
        response["Cache-Control"] = "no-store"
        return response


def _csv_rows(writer: Any, batch: list[AccessLogEntry]) -> Iterator[str]:
    annotate_references(batch)
    for entry in batch:
        yield writer.writerow([value(entry) for _title, value in CSV_COLUMNS])


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
        return access_log.admin_link(_("access log"), actor__id__exact=alert.user_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
