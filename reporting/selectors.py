"""The counts behind the statistics panels, and the export's records. Only
cases whose survivor has a live ``reporting`` consent are counted: every
panel reads ``reporting.counts`` (the counts kept ahead for the whole
organisation, the items live for a team), the export ``counted_cases``.
Suppression happens after, on the finished table (reporting/suppression.py)."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear, Now

from accounts.models import OrganisationType
from attachments.storage import attachment_storage
from cases import models as cases
from ngo_cases.crypto import keys, stream
from ngo_cases.errors import NotFound, get_or_not_found
from referrals import models as referrals

from . import counts
from .ctdc import Source
from .models import AnonymisedExport, CaseFact

UNKNOWN = "unknown"


# The dates a period may span: a case is opened in the NGO's lifetime, and a
# period of a century at most keeps a per-month panel to 1,200 rows.
EARLIEST = datetime.date(1990, 1, 1)
LATEST = datetime.date(2100, 12, 31)
LONGEST_PERIOD_DAYS = 100 * 366


@dataclass(frozen=True)
class Filters:
    organisation_id: Any
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None
    team_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None


def counted_cases(filters: Filters) -> QuerySet[CaseFact]:
    """The cases the figures count, from their summary rows (CaseFact): the
    organisation's, with a reporting consent live now (its end compared with
    this moment; cases whose consent was revoked since the rebuild taken
    out: ``counts.WITHDRAWN``), opened in the period, of the team. Its
    primary key is the case's id."""
    queryset = CaseFact.objects.filter(organisation_id=filters.organisation_id, consent_until__gt=Now()).exclude(
        case_id__in=RawSQL(counts.WITHDRAWN.format(since="%s"), [counts.withdrawn_since()])  # noqa: S611 (a constant)
    )
    if filters.opened_from is not None:
        queryset = queryset.filter(opened_on__gte=filters.opened_from)
    if filters.opened_to is not None:
        queryset = queryset.filter(opened_on__lte=filters.opened_to)
    if filters.team_id is not None:
        queryset = queryset.filter(team_id=filters.team_id)
    return queryset


# --- one-way tables: [(code, count)] in the vocabulary's order ---------------------------------


def _complete(counts: dict[Any, int], codes: list[str]) -> list[tuple[str, int]]:
    """Every code of the vocabulary (zeros included), then anything else the data holds, then unknown."""
    rows = [(code, counts.pop(code, 0)) for code in codes]
    unknown = counts.pop(None, 0) + counts.pop("", 0)
    rows += sorted((str(code), count) for code, count in counts.items())
    if unknown:
        rows.append((UNKNOWN, unknown))
    return rows


def by_field(field: str, codes: list[str]) -> Callable[[Filters], list[tuple[str, int]]]:
    """A field of the case or survivor, or a multi-valued one: each case
    once per value it holds (a case with two exploitation types is in both
    rows), and once under ``unknown`` when it holds none."""
    joined = counts.CASE_FIELDS[field]

    def count(filters: Filters) -> list[tuple[str, int]]:
        return _one_way(joined, filters, codes)

    return count


# The labels of _period_label, in SQL.
PERIODS = {"month": "to_char(day, 'YYYY-MM')", "quarter": "to_char(day, 'YYYY-\"Q\"Q')", "year": "to_char(day, 'YYYY')"}


def by_period(unit: str) -> Callable[[Filters], list[tuple[str, int]]]:
    """New cases per month, quarter or year of their opening (the
    organisation's time zone), every period of the range, zeros included."""

    def count(filters: Filters) -> list[tuple[str, int]]:
        found = {label: n for (label, _none), n in counts.count(counts.CASES, filters, key1=PERIODS[unit]).items()}
        labels = _period_range(unit, filters, found)
        return [(label, found.get(label, 0)) for label in labels]

    return count


def _period_label(unit: str, day: datetime.date) -> str:
    if unit == "year":
        return f"{day.year}"
    if unit == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def _period_range(unit: str, filters: Filters, found: dict[str, int]) -> list[str]:
    if filters.opened_from is None or filters.opened_to is None:
        return sorted(found)
    labels: dict[str, None] = {}  # ordered, without repeats
    day = filters.opened_from.replace(day=1)
    while day <= filters.opened_to:
        labels[_period_label(unit, day)] = None
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return list(labels)


# --- panels over the counted cases' follow-ups, decisions and referrals (reporting/counts.py) -----


def identification_outcomes(filters: Filters) -> list[tuple[str, list[tuple[str, int]]]]:
    """Decisions by kind (reasonable, conclusive grounds) and decision: a two-way table."""
    decisions = [cases.Decision.PENDING, cases.Decision.POSITIVE, cases.Decision.NEGATIVE]
    found = counts.count(counts.IDENTIFICATION_OUTCOMES, filters)
    return [(kind, [(decision, found.get((kind, decision), 0)) for decision in decisions]) for kind in DECISION_KINDS]


def _one_way(joined: counts.Joined, filters: Filters, codes: list[str], key1: str = "key1") -> list[tuple[str, int]]:
    return _complete({key: n for (key, _none), n in counts.count(joined, filters, key1).items()}, codes)


def referrals_by_service(filters: Filters) -> list[tuple[str, int]]:
    """Sent referrals, under each service they ask for."""
    return _one_way(counts.REFERRALS_BY_SERVICE, filters, list(referrals.ServiceType.values))


def referrals_by_organisation_type(filters: Filters) -> list[tuple[str, int]]:
    return _one_way(counts.REFERRALS_BY_ORGANISATION_TYPE, filters, list(OrganisationType.values))


def referrals_by_outcome(filters: Filters) -> list[tuple[str, int]]:
    """Sent referrals by how they ended: the outcome of completed ones, declined, withdrawn; open ones as open."""
    codes = ["open", *referrals.Outcome.values, referrals.ReferralStatus.DECLINED, referrals.ReferralStatus.WITHDRAWN]
    return _one_way(counts.REFERRALS_BY_OUTCOME, filters, codes)


DECISION_KINDS = [cases.MilestoneKind.REASONABLE_GROUNDS, cases.MilestoneKind.CONCLUSIVE_GROUNDS]
DECISION_BANDS = [(0, 5, "0-5"), (6, 30, "6-30"), (31, 90, "31-90"), (91, 180, "91-180"), (181, 365, "181-365")]
OVER_A_YEAR = "366+"


def decision_times(filters: Filters) -> list[tuple[str, list[tuple[str, int]]]]:
    """Days from a case's referral for an identification decision (the
    milestone's start) to the decision (its completion), in bands, for the
    reasonable and the conclusive grounds: a two-way table. Only decided
    milestones with a completion date count."""
    found = counts.count(counts.IDENTIFICATION_TIMES, filters)
    bands = band_labels()
    return [(kind, [(band, found.get((kind, band), 0)) for band in bands]) for kind in DECISION_KINDS]


def follow_ups_on_time(filters: Filters) -> list[tuple[str, int]]:
    """Follow-ups of the counted cases: done on time, done late, open and
    overdue, open and not yet due, cancelled (due dates within the period
    when one is given)."""
    codes = ["done_on_time", "done_late", "open_overdue", "open_not_due", "cancelled"]
    return _one_way(counts.FOLLOW_UPS, filters, codes, key1=OVERDUE)


# An open follow-up is overdue once its due date is past (the organisation's today).
OVERDUE = "CASE WHEN key1 <> 'open' THEN key1 WHEN day < %(today)s THEN 'open_overdue' ELSE 'open_not_due' END"


def band_labels() -> list[str]:
    return [label for _low, _high, label in DECISION_BANDS] + [OVER_A_YEAR]


# --- the anonymised export ------------------------------------------------------------------------


def export_sources(filters: Filters) -> Iterator[Source]:
    """One source per survivor: the latest of her counted cases (a survivor
    with two cases in the period is one record, as k counts people)."""
    rows = (
        counted_cases(filters)
        .order_by("survivor_id", "-opened_on", "-case_id")
        .distinct("survivor_id")
        .annotate(year=ExtractYear("opened_on"))
        .values_list(*(field.name for field in dataclasses.fields(Source)))  # the summary's names
    )
    for row in rows.iterator(chunk_size=5000):
        yield Source(*row)


def export_list(*, organisation_id: Any) -> QuerySet[AnonymisedExport]:
    return AnonymisedExport.objects.filter(organisation_id=organisation_id).select_related(
        "organisation", "requested_by", "data_key"
    )


def export_get(*, organisation_id: Any, export_id: Any) -> AnonymisedExport:
    """One of the organisation's exports; another's, or none, is NotFound."""
    return get_or_not_found(export_list(organisation_id=organisation_id), pk=export_id)


def export_plaintext(export: AnonymisedExport, fmt: str) -> Iterator[bytes]:
    """A ready export's file, decrypted one chunk at a time as it is read."""
    name, wrapped = (export.csv_object, export.csv_key) if fmt == "csv" else (export.xlsx_object, export.xlsx_key)
    if export.data_key is None or wrapped is None:
        raise NotFound()
    identifier = export.file_id(fmt)
    file_key = stream.unwrap_file_key(keys.data_cipher(export.data_key), identifier, bytes(wrapped))
    raw = attachment_storage().open(name, "rb")

    def blocks() -> Iterator[bytes]:
        with raw:
            while block := raw.read(64 * 1024):
                yield block

    return stream.decrypt(file_key, identifier, blocks())
