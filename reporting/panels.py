"""The statistics panels: what each counts, its rows (and columns) in
words, and the table as it may be published (suppressed, optionally
rounded). docs/statistics.md says what each figure means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import TextChoices
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganisationType
from cases import models as cases
from referrals import models as referrals

from . import selectors
from .selectors import UNKNOWN, Filters
from .suppression import protect

ISIC_SECTIONS = [chr(code) for code in range(ord("A"), ord("U") + 1)]


@dataclass(frozen=True)
class Panel:
    name: str
    title: Any
    count: Callable[[Filters], Any]
    labels: dict[str, Any] = field(default_factory=dict)
    column_labels: dict[str, Any] = field(default_factory=dict)
    note: Any = ""
    two_way: bool = False
    unit: Any = None  # "cases" unless said

    def unit_words(self) -> str:
        return str(self.unit if self.unit is not None else _("cases"))

    def label(self, code: str) -> str:
        if code == UNKNOWN:
            return str(_("Unknown or not recorded"))
        return str(self.labels.get(code, code))


def _words(choices: type[TextChoices]) -> dict[str, Any]:
    return dict(choices.choices)


# "6-30 days" in the language of the request that reads it, not of the import.
_days = lazy(lambda band: gettext("%(band)s days") % {"band": band}, str)

MULTI = _("A case with several values is counted under each; the rows add up to more than the cases.")


def _one_way(name: str, title: Any, field_name: str, choices: type[TextChoices], *, array: bool = False) -> Panel:
    codes = list(choices.values)
    count = selectors.by_field(field_name, codes)
    return Panel(name, title, count, _words(choices), note=MULTI if array else "")


PANELS: dict[str, Panel] = {
    panel.name: panel
    for panel in [
        Panel("cases-by-month", _("New cases per month"), selectors.by_period("month")),
        Panel("cases-by-quarter", _("New cases per quarter"), selectors.by_period("quarter")),
        Panel("cases-by-year", _("New cases per year"), selectors.by_period("year")),
        _one_way(
            "exploitation-type", _("Type of exploitation"), "exploitation_types", cases.ExploitationType, array=True
        ),
        _one_way(
            "sexual-exploitation-type",
            _("Type of sexual exploitation"),
            "sexual_exploitation_types",
            cases.SexualExploitationType,
            array=True,
        ),
        Panel(
            "labour-industry",
            _("Industry of forced labour (ISIC section)"),
            selectors.by_field("labour_industry", ISIC_SECTIONS),
        ),
        _one_way("means-of-control", _("Means of control"), "means_of_control", cases.MeansOfControl, array=True),
        _one_way(
            "recruitment-method", _("Recruitment method"), "recruitment_methods", cases.RecruitmentMethod, array=True
        ),
        _one_way("gender", _("Gender"), "gender", cases.Gender),
        _one_way("age-band", _("Age band"), "age_band", cases.AgeBand),
        Panel("citizenship", _("Citizenship"), selectors.by_field("citizenships", []), note=MULTI),
        _one_way("migration-status", _("Migration status"), "migration_status", cases.MigrationStatus),
        Panel(
            "country-of-exploitation",
            _("Country of exploitation"),
            selectors.by_field("countries_of_exploitation", []),
            note=_(
                "Countries (ISO 3166 alpha-3): regions are free text, kept encrypted, and are not counted. "
                "A case exploited in several countries is counted under each."
            ),
        ),
        Panel(
            "identification-outcomes",
            _("Identification decisions"),
            selectors.identification_outcomes,
            labels=_words(cases.MilestoneKind),
            column_labels=_words(cases.Decision),
            two_way=True,
            unit=_("decisions"),
        ),
        Panel(
            "identification-times",
            _("Days from referral to an identification decision"),
            selectors.decision_times,
            labels=_words(cases.MilestoneKind),
            column_labels={label: _days(label) for label in selectors.band_labels()},
            note=_(
                "From the day the case was referred for the decision (the milestone's start) to the day it was "
                "decided (its completion); decided milestones with both dates only."
            ),
            two_way=True,
            unit=_("decisions"),
        ),
        Panel(
            "follow-ups",
            _("Follow-ups on time and overdue"),
            selectors.follow_ups_on_time,
            {
                "done_on_time": _("Done by the due date"),
                "done_late": _("Done after the due date"),
                "open_overdue": _("Open and overdue"),
                "open_not_due": _("Open, not yet due"),
                "cancelled": _("Cancelled"),
            },
            note=_("Follow-ups of the counted cases; the period filter applies to their due dates."),
            unit=_("follow-ups"),
        ),
        Panel(
            "referrals-by-service",
            _("Referrals by service"),
            selectors.referrals_by_service,
            _words(referrals.ServiceType),
            note=_("Sent referrals; one asking for several services is counted under each."),
            unit=_("referrals"),
        ),
        Panel(
            "referrals-by-organisation-type",
            _("Referrals by type of receiving organisation"),
            selectors.referrals_by_organisation_type,
            _words(OrganisationType),
            unit=_("referrals"),
        ),
        Panel(
            "referrals-by-outcome",
            _("Referrals by outcome"),
            selectors.referrals_by_outcome,
            {
                "open": _("Not ended yet"),
                **_words(referrals.Outcome),
                referrals.ReferralStatus.DECLINED: _("Declined"),
                referrals.ReferralStatus.WITHDRAWN: _("Withdrawn"),
            },
            unit=_("referrals"),
        ),
    ]
}


def table(panel: Panel, filters: Filters) -> dict[str, Any]:
    """The panel as it may be published: suppressed with k =
    NGO_STATISTICS_K, rounded to NGO_STATISTICS_ROUND_TO when set."""
    k, round_to = settings.NGO_STATISTICS_K, settings.NGO_STATISTICS_ROUND_TO
    if panel.two_way:
        data = panel.count(filters)
        rows = [code for code, _cells in data]
        columns = [code for code, _count in data[0][1]] if data else []
        counts = [[count for _code, count in cells] for _code, cells in data]
    else:
        pairs = panel.count(filters)
        rows, columns = [code for code, _count in pairs], ["count"]
        counts = [[count] for _code, count in pairs]
    if not rows:
        return _result(panel, [], columns, [], [], [], 0, 0, k, round_to)
    published = protect(counts, k=k, round_to=round_to)
    return _result(
        panel,
        rows,
        columns,
        published.cells,
        published.row_totals,
        published.column_totals,
        published.total,
        published.hidden,
        k,
        round_to,
    )


def _result(
    panel: Panel,
    rows: list[str],
    columns: list[str],
    cells: list[list[int | None]],
    row_totals: list[int | None],
    column_totals: list[int | None],
    total: int | None,
    hidden: int,
    k: int,
    round_to: int,
) -> dict[str, Any]:
    column_words = panel.column_labels or {"count": panel.unit_words()}
    return {
        "panel": panel.name,
        "title": str(panel.title),
        "note": str(panel.note),
        "unit": panel.unit_words(),
        "k": k,
        "rounded_to": round_to if round_to > 1 else None,
        "rows": [{"code": code, "label": panel.label(code)} for code in rows],
        "columns": [{"code": code, "label": str(column_words.get(code, code))} for code in columns],
        "cells": cells,
        "row_totals": row_totals,
        "column_totals": column_totals,
        "total": total,
        "hidden": hidden,
    }
