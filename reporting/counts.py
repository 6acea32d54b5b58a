"""What every statistics panel counts, and the counts kept ahead for them
(``reporting.models.PanelCount``).

Each panel is written once, as the SQL of its *items*: one row per case of
the summary (CaseFact) — or per value of one of its arrays — or per
follow-up, decision or referral of such a case, with the case's
organisation, team and consent end, the item's day (the due date for
follow-ups, the case's opening otherwise), its partner for referrals, and
the one or two keys it is counted under. From that one query:

- the rebuild keeps counts ahead, grouped by organisation, day, consent
  end, partner and keys (no team: a team's figures are a few thousand
  items, counted live);
- a panel for the whole organisation sums the kept counts, less the items
  of cases withdrawn since the rebuild (``WITHDRAWN``: their reporting
  consent revoked), counted live;
- a team's panel counts its items live, without the withdrawn cases.

The same WHERE on consent end, days and partner applies either way; the
consent's end is compared with now() at every query, so an expired consent
leaves the figures without a rebuild, and a revocation leaves them at once
without touching the summary (it never waits for a rebuild).
docs/performance.md ("Statistics at 1,000,000 cases") says why.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from referrals.models import OPEN_STATUSES, ReferralStatus

from .models import SummaryState

# The columns every items query selects, in this order.
ITEM_COLUMNS = "case_id, organisation_id, team_id, consent_until, day, partner_id, key1, key2"

_FACT = "JOIN reporting_casefact f ON f.case_id = {source}.case_id"
_CASE = "f.case_id, f.organisation_id, f.team_id, f.consent_until"


@dataclass(frozen=True)
class Joined:
    name: str
    items: str  # SELECT … ITEM_COLUMNS …; may use %(zone)s
    by_partner: bool = False  # the filter by partner organisation applies


def _quoted(values: Any) -> str:
    return ", ".join(f"'{value}'" for value in values)


FOLLOW_UPS = Joined(
    "follow-ups",
    f"""SELECT {_CASE}, u.due_on, NULL::uuid,
               CASE WHEN u.status = 'done' AND (u.completed_at AT TIME ZONE %(zone)s)::date <= u.due_on
                         THEN 'done_on_time'
                    WHEN u.status = 'done' THEN 'done_late'
                    WHEN u.status = 'open' THEN 'open'
                    ELSE 'cancelled' END, ''
          FROM cases_followup u {_FACT.format(source="u")}""",
)
IDENTIFICATION_OUTCOMES = Joined(
    "identification-outcomes",
    f"""SELECT {_CASE}, f.opened_on, NULL::uuid, m.kind, m.decision
          FROM cases_milestone m {_FACT.format(source="m")}
         WHERE m.kind IN ('reasonable_grounds', 'conclusive_grounds')""",
)
# Days from the milestone's start (the referral for a decision) to its completion, in DECISION_BANDS.
IDENTIFICATION_TIMES = Joined(
    "identification-times",
    f"""SELECT {_CASE}, f.opened_on, NULL::uuid, m.kind,
               CASE WHEN m.completed_on - m.starts_on <= 5 THEN '0-5'
                    WHEN m.completed_on - m.starts_on <= 30 THEN '6-30'
                    WHEN m.completed_on - m.starts_on <= 90 THEN '31-90'
                    WHEN m.completed_on - m.starts_on <= 180 THEN '91-180'
                    WHEN m.completed_on - m.starts_on <= 365 THEN '181-365'
                    ELSE '366+' END
          FROM cases_milestone m {_FACT.format(source="m")}
         WHERE m.kind IN ('reasonable_grounds', 'conclusive_grounds')
           AND m.decision IN ('positive', 'negative') AND m.completed_on IS NOT NULL""",
)
_SENT = f"r.status <> '{ReferralStatus.DRAFT}'"
REFERRALS_BY_SERVICE = Joined(
    "referrals-by-service",
    f"""SELECT {_CASE}, f.opened_on, r.organisation_id, v.service, ''
          FROM referrals_referral r {_FACT.format(source="r")}
          CROSS JOIN LATERAL unnest(r.services) v(service)
         WHERE {_SENT}""",
    by_partner=True,
)
REFERRALS_BY_ORGANISATION_TYPE = Joined(
    "referrals-by-organisation-type",
    f"""SELECT {_CASE}, f.opened_on, r.organisation_id, o.org_type, ''
          FROM referrals_referral r {_FACT.format(source="r")}
          JOIN accounts_organisation o ON o.id = r.organisation_id
         WHERE {_SENT}""",
    by_partner=True,
)
# Ended referrals by how they ended: a completed one's outcome, declined, withdrawn; open ones as open.
REFERRALS_BY_OUTCOME = Joined(
    "referrals-by-outcome",
    f"""SELECT {_CASE}, f.opened_on, r.organisation_id,
               CASE WHEN r.status IN ({_quoted(OPEN_STATUSES)}) THEN 'open'
                    WHEN r.status = '{ReferralStatus.COMPLETED}' AND r.outcome <> '' THEN r.outcome
                    ELSE r.status END, ''
          FROM referrals_referral r {_FACT.format(source="r")}
         WHERE {_SENT}""",
    by_partner=True,
)

# The case-level panels: the summary's rows themselves, by one field, by
# each value of an array (once under "" when it holds none), or by day.
CASES = Joined("cases", f"SELECT {_CASE}, f.opened_on, NULL::uuid, '', '' FROM reporting_casefact f")
CASE_FIELDS = {
    field: Joined(
        f"field-{field}",
        f"SELECT {_CASE}, f.opened_on, NULL::uuid, coalesce(f.{field}, ''), '' FROM reporting_casefact f",
    )
    for field in ("gender", "age_band", "migration_status", "labour_industry")
} | {
    field: Joined(
        f"values-{field}",
        f"""SELECT {_CASE}, f.opened_on, NULL::uuid, coalesce(v.value, ''), ''
              FROM reporting_casefact f LEFT JOIN LATERAL unnest(f.{field}) v(value) ON true""",
    )
    for field in (
        "citizenships",
        "exploitation_types",
        "sexual_exploitation_types",
        "means_of_control",
        "recruitment_methods",
        "countries_of_exploitation",
    )
}

JOINED = {
    joined.name: joined
    for joined in (
        CASES,
        *CASE_FIELDS.values(),
        FOLLOW_UPS,
        IDENTIFICATION_OUTCOMES,
        IDENTIFICATION_TIMES,
        REFERRALS_BY_SERVICE,
        REFERRALS_BY_ORGANISATION_TYPE,
        REFERRALS_BY_OUTCOME,
    )
}


# Cases taken out since the summary was taken: a reporting consent revoked
# after it (less an hour, for a revoking transaction that began before the
# rebuild's snapshot and committed after it) and none live now. Small; read
# at every query, so a revocation counts at once and never waits for a rebuild.
# ``{since}`` is a parameter's placeholder: the moment is read first
# (withdrawn_since), so the planner sees it and uses the revocations' index.
WITHDRAWN = """
SELECT r.case_id FROM cases_consent r
 WHERE r.scope = 'reporting' AND r.revoked_at IS NOT NULL AND r.revoked_at > {since}
   AND NOT EXISTS (SELECT 1 FROM cases_consent l
                    WHERE l.case_id = r.case_id AND l.scope = 'reporting' AND l.revoked_at IS NULL
                      AND l.given_at <= now() AND coalesce(l.expires_at, 'infinity') > now())
"""
MARGIN = datetime.timedelta(hours=1)


def withdrawn_since() -> datetime.datetime:
    taken_at = SummaryState.objects.values_list("taken_at", flat=True).first()
    return taken_at - MARGIN if taken_at is not None else datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


# --- reading: one panel's counts --------------------------------------------------------------------


def count(joined: Joined, filters: Any, key1: str = "key1") -> dict[tuple[str, str], int]:
    """``{(key1, key2): count}`` of the counted cases' items: the kept
    counts less the withdrawn cases' items for the whole organisation, the
    items counted live for one team. ``key1`` may be an SQL expression of
    key1 and day (a period, or overdue by the due date)."""
    where = ["organisation_id = %(organisation)s", "consent_until > now()"]
    params: dict[str, Any] = {
        "organisation": str(filters.organisation_id),
        "zone": settings.TIME_ZONE,
        "today": timezone.localdate(),
        "panel": joined.name,
        "since": withdrawn_since(),
    }
    for name, condition, value in (
        ("from", "day >= %(from)s", filters.opened_from),
        ("to", "day <= %(to)s", filters.opened_to),
        ("team", "team_id = %(team)s", filters.team_id),
        ("partner", "partner_id = %(partner)s", filters.partner_id if joined.by_partner else None),
    ):
        if value is not None:
            where.append(condition)
            params[name] = value if isinstance(value, datetime.date) else str(value)
    items = f"({joined.items}) items ({ITEM_COLUMNS})"
    matching = " AND ".join(where)
    withdrawn = WITHDRAWN.format(since="%(since)s")
    if filters.team_id is None:
        source = f"""(SELECT key1, key2, day, n FROM reporting_panelcount WHERE panel = %(panel)s AND {matching}
                      UNION ALL
                      SELECT key1, key2, day, -1 FROM {items} WHERE {matching} AND case_id IN ({withdrawn})) kept"""
        total = "sum(n)"
    else:
        source = f"(SELECT * FROM {items} WHERE {matching} AND case_id NOT IN ({withdrawn})) live"
        total = "count(*)"
    sql = f"SELECT {key1}, key2, {total} FROM {source} GROUP BY 1, 2"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(k1, k2): int(n) for k1, k2, n in cursor.fetchall() if n}


# --- keeping them: the rebuild's part -----------------------------------------------------------

_KEYS = "organisation_id, panel, day, consent_until, partner_id, key1, key2"


def keep_all(cursor: Any) -> None:
    """Every panel's counts anew, from the summary as it now is (in the rebuild's transaction)."""
    cursor.execute("DELETE FROM reporting_panelcount")
    for joined in JOINED.values():
        cursor.execute(
            f"""INSERT INTO reporting_panelcount ({_KEYS}, n)
                SELECT organisation_id, %(panel)s, day, consent_until, partner_id, key1, key2, count(*)
                  FROM ({joined.items}) items ({ITEM_COLUMNS})
                 GROUP BY organisation_id, day, consent_until, partner_id, key1, key2""",
            {"zone": settings.TIME_ZONE, "panel": joined.name},
        )
    cursor.execute("ANALYZE reporting_panelcount")
