"""The statistics dashboard in the admin (/admin/statistics/): every panel
as a table and a chart, filtered by period and team, each downloadable as
CSV and SVG. The home NGO's administrators and supervisors; every page and
every download is written to the access log with its parameters."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.models import Role, Team
from ngo_cases import access_log
from ngo_cases.access_log import Action
from ngo_cases.errors import Conflict, NotFound

from . import charts, selectors, services
from .apis import export_download
from .models import ExportFormat, ExportStatus
from .panels import PANELS, table
from .selectors import EARLIEST, LATEST, Filters

REPORTING_ROLES = (Role.ADMIN, Role.SUPERVISOR)


class DashboardFilterForm(forms.Form):
    opened_from = forms.DateField(
        label=_("Cases opened from"), required=False, widget=forms.DateInput({"type": "date"})
    )
    opened_to = forms.DateField(label=_("Cases opened until"), required=False, widget=forms.DateInput({"type": "date"}))
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, organisation_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        team.queryset = Team.objects.filter(organisation_id=organisation_id).order_by("name")  # type: ignore[attr-defined]
        team.label_from_instance = lambda chosen: chosen.name  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("opened_from"), data.get("opened_to")
        for name in ("opened_from", "opened_to"):
            if data.get(name) and not EARLIEST <= data[name] <= LATEST:
                self.add_error(name, _("Choose a day between 1990 and 2100."))
        if start and end and start > end:
            self.add_error("opened_to", _("The period ends before it starts."))
        return data


def may_report(user: Any) -> bool:
    organisation = getattr(user, "organisation", None)
    return bool(getattr(user, "role", None) in REPORTING_ROLES and organisation is not None and organisation.is_home)


def _log(request: HttpRequest, action: str, detail: dict[str, Any], object_ids: list[Any] | None = None) -> None:
    access_log.record(
        action=action,
        actor=request.user,
        object_type="statistics",
        object_ids=object_ids or [],
        detail=json.dumps(detail, sort_keys=True),
    )


def _reporter(request: HttpRequest) -> Any:
    """The signed-in administrator or supervisor of the home NGO; None: send to the sign-in page."""
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
        return None
    if not admin.site.has_permission(request):
        return None
    if not may_report(request.user):
        raise PermissionDenied
    return request.user


def _filters(form: DashboardFilterForm, organisation_id: Any) -> tuple[Filters, dict[str, str]]:
    """The form's filters (none when invalid) and their parameters as the access log records them."""
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    team = values.get("team")
    filters = Filters(
        organisation_id=organisation_id,
        opened_from=values.get("opened_from"),
        opened_to=values.get("opened_to"),
        team_id=team.pk if team else None,
    )
    return filters, {key: str(value.pk if key == "team" else value) for key, value in values.items() if value}


@never_cache
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """GET /admin/statistics/ (and ?download=csv|svg|png&panel=...)."""
    site = admin.site
    user = _reporter(request)
    if user is None:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    form = DashboardFilterForm(request.GET or None, organisation_id=user.organisation_id)
    filters, params = _filters(form, user.organisation_id)

    download, name = request.GET.get("download"), request.GET.get("panel")
    if download is not None:
        panel = PANELS.get(name or "")
        if panel is None or download not in ("csv", "svg", "png"):
            raise PermissionDenied  # only the links this page draws
        result = table(panel, filters)
        _log(request, Action.EXPORT, {"panel": panel.name, "format": download, **params})
        if download == "csv":
            response = HttpResponse(charts.csv_text(result), content_type="text/csv; charset=utf-8")
        elif download == "png":
            response = HttpResponse(charts.png(result), content_type="image/png")
        else:
            response = HttpResponse(charts.svg(result), content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{panel.name}.{download}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    panels: list[dict[str, Any]] = []
    for panel in PANELS.values():
        result = table(panel, filters)
        panels.append({"table": result, "chart": mark_safe(charts.svg(result, titled=False)), "rows": _rows(result)})  # noqa: S308 - built with escaped labels
    _log(request, Action.REPORT, {"panel": "dashboard", **params})
    query = request.GET.urlencode()
    context = {
        **site.each_context(request),
        "title": _("Statistics"),
        "form": form,
        "panels": panels,
        "query": query,
        "k": settings.NGO_STATISTICS_K,
        "exports": selectors.export_list(organisation_id=user.organisation_id).order_by("-requested_at")[:10],
        "export_hours": settings.NGO_STATISTICS_EXPORT_HOURS,
        "export_filters": params,
    }
    return render(request, "admin/reporting/dashboard.html", context)


@never_cache
def export_request_view(request: HttpRequest) -> HttpResponse:
    """POST /admin/statistics/exports/: an anonymised export of the records the
    dashboard's filters select, prepared by a worker; back to the dashboard."""
    user = _reporter(request)
    if user is None:
        return redirect_to_login(reverse("admin:statistics"), reverse("admin:login"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = DashboardFilterForm(request.POST, organisation_id=user.organisation_id)
    if not form.is_valid():
        messages.error(request, _("Correct the filters first."))
        return redirect(reverse("admin:statistics"))
    filters, _params = _filters(form, user.organisation_id)
    export = services.export_request(requested_by=user, filters=filters)
    _log(request, Action.EXPORT, {"report": "anonymised-export", **export.parameters}, [export.pk])
    messages.success(request, _("The export is being prepared. Reload this page in a moment to download it."))
    return redirect(reverse("admin:statistics") + "#exports")


@never_cache
def export_download_view(request: HttpRequest, export_id: Any, fmt: str) -> HttpResponseBase:
    """GET /admin/statistics/exports/<id>/<csv|xlsx>: a ready export's file."""
    user = _reporter(request)
    if user is None:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if fmt not in ExportFormat.values:
        raise Http404
    try:
        export = selectors.export_get(organisation_id=user.organisation_id, export_id=export_id)
    except NotFound:
        raise Http404 from None
    if export.status != ExportStatus.READY:
        raise Http404
    _log(request, Action.DOWNLOAD, {"format": fmt}, [export.pk])
    try:
        return export_download(export, fmt)
    except Conflict as expired:  # beat expired it since the page was drawn
        messages.error(request, str(expired.message))
        return redirect(reverse("admin:statistics") + "#exports")


def _rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows with their cells and row total, for the template."""
    rows = []
    for index, (row, cells) in enumerate(zip(result["rows"], result["cells"], strict=True)):
        total = result["row_totals"][index] if result["row_totals"] else None
        rows.append({"label": row["label"], "cells": cells, "total": total})
    return rows
