"""The counts kept ahead for the panels over follow-ups, identification
decisions and referrals (reporting/counts.py): what the whole organisation
reads from them equals what is counted live, item by item, for its teams —
after a rebuild, after a revocation (no rebuild between), and when a
consent's end passes."""

from __future__ import annotations

import datetime
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Team
from cases.models import Case, FollowUp, Milestone
from cases.services import consent_revoke, follow_up_create, milestone_record
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from referrals.models import Referral
from referrals.tests.factories import make_draft, make_sent
from reporting import counts
from reporting.models import PanelCount
from reporting.selectors import OVERDUE, Filters, counted_cases
from reporting.services import FACTS_LOCK, case_facts_refresh

from .test_statistics_api import _consent


def _case_with_items(cast: Cast, team: Team, *, consent: bool = True, **consent_fields: Any) -> Case:
    """A case with five follow-ups (each state), two identification decisions and three referrals."""
    opened_by = cast.alice if team == cast.team_a else cast.charlie
    case = make_case(opened_by=opened_by, team=team, survivor=make_survivor(created_by=opened_by))
    if consent:
        _consent(case, opened_by, **consent_fields)
    today = timezone.localdate()
    due = [today - datetime.timedelta(days=3), today - datetime.timedelta(days=1), today + datetime.timedelta(days=5)]
    made = [
        follow_up_create(case=case, created_by=opened_by, assignee=opened_by, due_on=day, description="")
        for day in (*due, due[0], due[0])
    ]
    FollowUp.objects.filter(pk=made[3].pk).update(
        status="done", completed_at=timezone.now() - datetime.timedelta(days=5)
    )
    FollowUp.objects.filter(pk=made[4].pk).update(status="cancelled")
    FollowUp.objects.filter(pk=made[0].pk).update(status="done", completed_at=timezone.now())  # late
    started = today - datetime.timedelta(days=40)
    rg = milestone_record(case=case, recorded_by=opened_by, kind="reasonable_grounds", starts_on=started)
    Milestone.objects.filter(pk=rg.pk).update(decision="positive", completed_on=started + datetime.timedelta(days=4))
    milestone_record(case=case, recorded_by=opened_by, kind="conclusive_grounds", starts_on=started)
    completed = make_sent(case, cast.partner_org, opened_by, services=["shelter", "medical"])
    Referral.objects.filter(pk=completed.pk).update(
        status="completed", outcome="Provided", completed_at=timezone.now(), ended_at=timezone.now()
    )
    make_sent(case, cast.partner_org, opened_by, consent=False, services=["legal_aid"])
    make_draft(case, cast.partner_org, opened_by)  # never sent: in no figure
    return case


def _kept_and_live(cast: Cast, **period: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    kept, live = {}, {}
    for name, joined in counts.JOINED.items():
        key1 = OVERDUE if joined is counts.FOLLOW_UPS else "key1"
        kept[name] = counts.count(joined, Filters(cast.home.pk, **period), key1)
        by_team: dict[tuple[str, str], int] = {}
        for team in (cast.team_a, cast.team_b):
            for key, n in counts.count(joined, Filters(cast.home.pk, team_id=team.pk, **period), key1).items():
                by_team[key] = by_team.get(key, 0) + n
        live[name] = by_team
    return kept, live


def test_the_whole_organisation_reads_the_kept_counts_and_they_equal_the_items_counted_live(cast: Cast) -> None:
    for _ in range(2):
        _case_with_items(cast, cast.team_a)
    _case_with_items(cast, cast.team_b)
    _case_with_items(cast, cast.team_a, consent=False)  # no reporting consent: in no figure
    case_facts_refresh()
    assert PanelCount.objects.exists()
    kept, live = _kept_and_live(cast)
    assert kept == live
    assert kept["follow-ups"] == {
        ("done_late", ""): 3,
        ("done_on_time", ""): 3,
        ("open_overdue", ""): 3,
        ("open_not_due", ""): 3,
        ("cancelled", ""): 3,
    }
    assert kept["identification-outcomes"] == {
        ("reasonable_grounds", "positive"): 3,
        ("conclusive_grounds", "pending"): 3,
    }
    assert kept["identification-times"] == {("reasonable_grounds", "0-5"): 3}
    assert kept["referrals-by-service"] == {("shelter", ""): 3, ("medical", ""): 3, ("legal_aid", ""): 3}
    assert kept["referrals-by-organisation-type"] == {("Shelter", ""): 6}
    assert kept["referrals-by-outcome"] == {("Provided", ""): 3, ("open", ""): 3}
    assert kept["cases"] == {("", ""): 3} and kept["field-gender"] == {("Feminine", ""): 3}
    assert kept["values-citizenships"] == {("UZB", ""): 3} and kept["values-sexual_exploitation_types"] == {("", ""): 3}
    # Filters: follow-ups by due date, the rest by the case's opening; the partner only for referrals.
    today = timezone.localdate()
    kept, live = _kept_and_live(cast, opened_from=today - datetime.timedelta(days=2), opened_to=today)
    assert kept == live and kept["follow-ups"] == {("open_overdue", ""): 3}
    assert kept["referrals-by-service"][("shelter", "")] == 3
    tomorrow = today + datetime.timedelta(days=1)
    kept, live = _kept_and_live(cast, opened_from=tomorrow, opened_to=tomorrow + datetime.timedelta(days=10))
    assert kept == live and kept["follow-ups"] == {("open_not_due", ""): 3} and not kept["referrals-by-service"]
    elsewhere = Filters(cast.home.pk, partner_id=cast.home.pk)
    assert counts.count(counts.REFERRALS_BY_OUTCOME, elsewhere) == {}
    assert sum(counts.count(counts.FOLLOW_UPS, elsewhere).values()) == 15


def test_a_revocation_takes_its_items_out_at_once_without_touching_the_kept_counts(cast: Cast) -> None:
    first, second, _third = (_case_with_items(cast, cast.team_a) for _ in range(3))
    _consent(second, cast.alice)  # a second reporting consent: revoking one leaves the case counted
    case_facts_refresh()
    kept_rows = sorted(PanelCount.objects.values_list("panel", "day", "key1", "key2", "n"))
    consent = first.consents.get(scope="reporting")
    consent_revoke(consent=consent, acting_user=cast.alice, expected_version=consent.version)
    kept, live = _kept_and_live(cast)
    assert kept == live and kept["follow-ups"][("cancelled", "")] == 2
    assert kept["referrals-by-service"] == {("shelter", ""): 2, ("medical", ""): 2, ("legal_aid", ""): 2}
    one_of_two = second.consents.filter(scope="reporting").first()
    assert one_of_two is not None
    consent_revoke(consent=one_of_two, acting_user=cast.alice, expected_version=one_of_two.version)
    kept, live = _kept_and_live(cast)
    assert kept == live and kept["follow-ups"][("cancelled", "")] == 2  # its other consent is live
    assert sorted(PanelCount.objects.values_list("panel", "day", "key1", "key2", "n")) == kept_rows
    assert case_facts_refresh() == 2  # the next rebuild leaves the first case out for good
    assert _kept_and_live(cast)[0] == kept


def test_a_consent_past_its_end_stays_in_the_kept_counts_but_is_not_counted(cast: Cast) -> None:
    """The end is compared with the time of the query, not of the rebuild
    (the tests run in one transaction, whose now() stands still: the
    consent's end is set in the past before the rebuild instead)."""
    _case_with_items(cast, cast.team_a)
    ended = _case_with_items(cast, cast.team_a, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    case_facts_refresh()
    until = ended.consents.get(scope="reporting").expires_at
    assert until is not None
    assert PanelCount.objects.filter(consent_until=until, panel="identification-outcomes").exists()
    kept, live = _kept_and_live(cast)
    assert kept == live and kept["identification-outcomes"][("conclusive_grounds", "pending")] == 1


@pytest.mark.django_db(transaction=True)
def test_a_revocation_does_not_wait_for_a_running_rebuild(cast: Cast) -> None:
    """A rebuild holds its lock and every summary row it is replacing until
    it commits (a minute at a million cases); a revocation must not wait:
    it is written, and leaves the figures, while the rebuild runs."""
    cases = [_case_with_items(cast, cast.team_a) for _ in range(2)]
    case_facts_refresh()
    rebuild = psycopg.connect(**_dsn(), autocommit=False)
    try:
        with rebuild.cursor() as other:  # what a running rebuild holds
            other.execute("SELECT pg_advisory_xact_lock(%s)", [FACTS_LOCK])
            other.execute("DELETE FROM reporting_casefact")
            other.execute("DELETE FROM reporting_panelcount")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting fails the test instead of hanging it
        consent = cases[0].consents.get(scope="reporting")
        consent_revoke(consent=consent, acting_user=cast.alice, expected_version=consent.version)
        kept, live = _kept_and_live(cast)
        assert kept == live and kept["follow-ups"][("cancelled", "")] == 1
        assert counted_cases(Filters(cast.home.pk)).count() == 1
    finally:
        rebuild.rollback()
        rebuild.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def _dsn() -> dict[str, Any]:
    settings = connection.settings_dict
    return {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "host": settings["HOST"],
        "port": settings["PORT"],
        "password": settings["PASSWORD"],
    }
