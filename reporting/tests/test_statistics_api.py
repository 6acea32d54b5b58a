"""Statistics over the API: consented cases only, small cells hidden with
their companions, nothing identifying in any answer, every run in the
access log (parameters, never values), labels in the caller's language."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AccessLogEntry
from cases.models import Case, ConsentGiver, ConsentMethod, ConsentScope
from cases.services import consent_record, consent_revoke
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from reporting.models import CaseFact
from reporting.services import case_facts_refresh
from reporting.tasks import refresh_case_facts

Client = Callable[[User | None], APIClient]
CANARY = "Aigerim-CANARY-Statistics"


def _consent(case: Case, by: User, **fields: object) -> object:
    fields.setdefault("given_at", timezone.now() - datetime.timedelta(days=1))
    return consent_record(
        case=case,
        recorded_by=by,
        scope=ConsentScope.REPORTING,
        given_by=ConsentGiver.SURVIVOR,
        method=ConsentMethod.WRITTEN,
        **fields,
    )


def _cases(cast: Cast, count: int, *, gender: str, consent: bool = True, **fields: object) -> list[Case]:
    made = []
    for _ in range(count):
        survivor = make_survivor(created_by=cast.alice, given_names=CANARY, gender=gender)
        case = make_case(
            opened_by=cast.alice, team=cast.team_a, survivor=survivor, summary=f"{CANARY} summary", **fields
        )
        if consent:
            _consent(case, cast.alice)
        made.append(case)
    case_facts_refresh()  # what beat does every few minutes
    return made


def _panel(client: APIClient, name: str, **params: str) -> dict:
    response = client.get(f"/api/v1/statistics/{name}", params)
    assert response.status_code == 200, response.content
    return response.json()


def _row(table: dict, code: str) -> int | None:
    index = [row["code"] for row in table["rows"]].index(code)
    return table["cells"][index][0]


def test_a_cell_of_10_is_hidden_a_cell_of_11_shown_and_only_consented_cases_count(
    cast: Cast, client_for: Client
) -> None:
    _cases(cast, 11, gender="Feminine")
    _cases(cast, 10, gender="Masculine")
    _cases(cast, 10, gender="NonConforming")
    _cases(cast, 12, gender="Masculine", consent=False)  # no reporting consent: in no figure
    table = _panel(client_for(cast.sam), "gender")
    assert _row(table, "Feminine") == 11
    assert _row(table, "Masculine") is None and _row(table, "NonConforming") is None  # 10 each: hidden
    assert table["total"] == 31  # two hidden cells: the total cannot separate them


def test_a_lone_small_cell_takes_a_companion(cast: Cast, client_for: Client) -> None:
    _cases(cast, 11, gender="Feminine")
    _cases(cast, 3, gender="Masculine")
    table = _panel(client_for(cast.sam), "gender")
    assert _row(table, "Masculine") is None and _row(table, "Feminine") is None  # else 14 - 11 = 3
    assert _row(table, "NonSpecifiedUnknown") == 0  # zero is shown
    assert table["k"] == 11


def test_revoked_and_expired_consents_leave_the_figures(cast: Cast, client_for: Client) -> None:
    cases = _cases(cast, 12, gender="Feminine")
    assert _row(_panel(client_for(cast.sam), "gender"), "Feminine") == 12
    consent = cases[0].consents.get()
    consent_revoke(consent=consent, acting_user=cast.alice, expected_version=consent.version)
    assert _row(_panel(client_for(cast.sam), "gender"), "Feminine") == 11  # at once: no rebuild in between
    expired = cases[1].consents.get()
    type(expired).objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    case_facts_refresh()
    assert CaseFact.objects.filter(case_id=cases[1].pk).exists()  # its summary row stays: the moment decides
    assert _row(_panel(client_for(cast.sam), "gender"), "Feminine") is None  # 10 now


def test_new_consents_count_from_the_next_rebuild(cast: Cast, client_for: Client) -> None:
    _cases(cast, 11, gender="Feminine")
    late = _cases(cast, 1, gender="Feminine", consent=False)[0]
    _consent(late, cast.alice)
    assert _row(_panel(client_for(cast.sam), "gender"), "Feminine") == 11  # the summary is minutes behind
    assert refresh_case_facts() == 12  # beat's task
    assert _row(_panel(client_for(cast.sam), "gender"), "Feminine") == 12


def test_multi_valued_fields_count_each_value_and_say_so(cast: Cast, client_for: Client) -> None:
    _cases(cast, 11, gender="Feminine", exploitation_types=["SexualExploitation", "ForcedLabour"])
    table = _panel(client_for(cast.sam), "exploitation-type")
    assert _row(table, "SexualExploitation") == 11 and _row(table, "ForcedLabour") == 11
    assert "several values" in table["note"]


def test_periods_filters_and_the_access_log(cast: Cast, client_for: Client) -> None:
    _cases(cast, 11, gender="Feminine")
    as_sam = client_for(cast.sam)
    today = timezone.localdate()
    table = _panel(as_sam, "cases-by-month", opened_from=str(today.replace(day=1)), opened_to=str(today))
    assert table["rows"][-1]["code"] == f"{today.year}-{today.month:02d}" and table["cells"][-1] == [11]
    assert _panel(as_sam, "gender", team=str(cast.team_b.pk))["total"] == 0
    entry = AccessLogEntry.objects.filter(object_type="statistics").order_by("-id").first()
    assert entry is not None and entry.action == "report"
    assert json.loads(entry.detail) == {"panel": "gender", "team": str(cast.team_b.pk)}
    assert not entry.object_ids and not entry.survivor_ids and not entry.case_ids
    bad = as_sam.get("/api/v1/statistics/gender", {"opened_from": "2026-02-01", "opened_to": "2026-01-01"})
    assert bad.status_code == 400 and "opened_to" in bad.json()["errors"]
    assert as_sam.get("/api/v1/statistics/no-such-panel").status_code == 404


@pytest.mark.parametrize("name", ["gender", "exploitation-type", "citizenship", "identification-outcomes",
                                  "referrals-by-service", "referrals-by-outcome", "cases-by-year"])  # fmt: skip
def test_no_answer_holds_anything_identifying(cast: Cast, client_for: Client, name: str) -> None:
    _cases(cast, 11, gender="Feminine", countries_of_exploitation=["RUS"])
    body = client_for(cast.adam).get(f"/api/v1/statistics/{name}").content.decode()
    assert CANARY not in body
    assert not any(str(case.pk) in body or case.reference in body for case in Case.objects.all())


def test_labels_in_russian(cast: Cast, client_for: Client) -> None:
    cast.sam.language = "ru"
    cast.sam.save(update_fields=["language"])
    table = client_for(cast.sam).get("/api/v1/statistics/gender").json()
    assert table["title"] == "Пол"
    assert {row["label"] for row in table["rows"]} >= {"Женский"}


def test_only_administrators_and_supervisors(cast: Cast, client_for: Client) -> None:
    for persona, status in [("adam", 200), ("sam", 200), ("alice", 403), ("audrey", 403), ("pat", 403)]:
        assert client_for(cast.persona(persona)).get("/api/v1/statistics/gender").status_code == status, persona


def test_identification_times_are_counted_in_bands(cast: Cast, client_for: Client) -> None:
    from cases.models import Milestone
    from cases.services import milestone_record

    for case in _cases(cast, 11, gender="Feminine"):
        milestone = milestone_record(
            case=case, recorded_by=cast.alice, kind="reasonable_grounds", starts_on=datetime.date(2026, 3, 2)
        )
        Milestone.objects.filter(pk=milestone.pk).update(decision="positive", completed_on=datetime.date(2026, 3, 5))
    case_facts_refresh()
    table = _panel(client_for(cast.sam), "identification-times")
    assert [row["code"] for row in table["rows"]] == ["reasonable_grounds", "conclusive_grounds"]
    assert table["columns"][0] == {"code": "0-5", "label": "0-5 days"}
    assert table["cells"][0][0] == 11 and table["cells"][1] == [0] * len(table["columns"])


def test_follow_ups_on_time_and_overdue(cast: Cast, client_for: Client) -> None:
    from cases.models import FollowUp
    from cases.services import follow_up_create

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for case in _cases(cast, 13, gender="Feminine"):
        follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=yesterday, description="")
    ids = list(FollowUp.objects.order_by("id").values_list("id", flat=True))
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    FollowUp.objects.filter(id__in=ids[:11]).update(status="done", completed_at=two_days_ago)
    FollowUp.objects.filter(id=ids[11]).update(status="cancelled")
    case_facts_refresh()
    table = _panel(client_for(cast.sam), "follow-ups")
    assert _row(table, "done_on_time") == 11
    assert _row(table, "open_overdue") is None and _row(table, "cancelled") is None  # one each: hidden
    assert table["total"] == 13


def test_periods_are_bounded(cast: Cast, client_for: Client) -> None:
    as_sam = client_for(cast.sam)
    for params in (
        {"opened_from": "0001-01-01", "opened_to": "9999-12-31"},
        {"opened_to": "9999-12-31"},
        {"opened_from": "1990-01-01", "opened_to": "2100-12-31", "team": "not-a-uuid"},
    ):
        response = as_sam.get("/api/v1/statistics/cases-by-month", params)
        assert response.status_code == 400, params
    wide = _panel(as_sam, "cases-by-year", opened_from="1990-01-01", opened_to="2089-12-31")
    assert len(wide["rows"]) == 100


def test_the_list_of_panels(cast: Cast, client_for: Client) -> None:
    panels = client_for(cast.adam).get("/api/v1/statistics/").json()["panels"]
    assert {"panel": "gender", "title": "Gender"} in panels and len(panels) == 19
