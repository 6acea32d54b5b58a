"""The statistics dashboard in the admin (/admin/statistics/): every panel
as a table and a chart, filtered by period and team, each downloadable as
CSV and SVG. The home NGO's administrators and supervisors; every page and
every download is written to the access log with its parameters."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.models import Role, Team
from ngo_cases import access_log
from ngo_cases.access_log import Action

from . import charts
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


def _log(request: HttpRequest, action: str, detail: dict[str, Any]) -> None:
    access_log.record(
        action=action,
        actor=request.user,
        object_type="statistics",
        object_ids=[],
        detail=json.dumps(detail, sort_keys=True),
    )


@never_cache
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """GET /admin/statistics/ (and ?download=csv|svg&panel=...)."""
    site = admin.site
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not site.has_permission(request):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    user: Any = request.user
    if not may_report(user):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None, organisation_id=user.organisation_id)
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    team = values.get("team")
    filters = Filters(
        organisation_id=user.organisation_id,
        opened_from=values.get("opened_from"),
        opened_to=values.get("opened_to"),
        team_id=team.pk if team else None,
    )
    params = {key: str(value.pk if key == "team" else value) for key, value in values.items() if value}

    download, name = request.GET.get("download"), request.GET.get("panel")
    if download is not None:
        panel = PANELS.get(name or "")
        if panel is None or download not in ("csv", "svg"):
            raise PermissionDenied  # only the links this page draws
        result = table(panel, filters)
        _log(request, Action.EXPORT, {"panel": panel.name, "format": download, **params})
        if download == "csv":
            response = HttpResponse(charts.csv_text(result), content_type="text/csv; charset=utf-8")
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
    }
    return render(request, "admin/reporting/dashboard.html", context)


def _rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows with their cells and row total, for the template."""
    rows = []
    for index, (row, cells) in enumerate(zip(result["rows"], result["cells"], strict=True)):
        total = result["row_totals"][index] if result["row_totals"] else None
        rows.append({"label": row["label"], "cells": cells, "total": total})
    return rows
