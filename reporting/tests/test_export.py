"""The anonymised export (issue 18): CTDC records of consented cases, one
per survivor, k-anonymised on the quasi-identifiers — checked here by an
independent implementation (pycanon) on the downloaded files — encrypted
at rest, logged, and gone when it expires."""

from __future__ import annotations

import csv
import datetime
import io
import json
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas
import pytest
from django.test import override_settings
from django.utils import timezone
from pycanon import anonymity
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AccessLogEntry
from cases.models import Case
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from ngo_cases.crypto.models import DataKey
from reporting import ctdc
from reporting.anonymity import choose
from reporting.models import AnonymisedExport, ExportStatus
from reporting.services import case_facts_refresh, exports_expire
from reporting.tasks import build_export

from .test_dashboard import _admin
from .test_statistics_api import CANARY, _consent

Client = Callable[[User | None], APIClient]
# What someone who knows a survivor could know, as the published columns say it.
QUASI_IDENTIFIERS = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
]


def _survivors(cast: Cast, count: int, *, consent: bool = True, cases: int = 1, **profile: object) -> list[Case]:
    made = []
    country = profile.pop("country", "RUS")
    for _ in range(count):
        survivor = make_survivor(created_by=cast.alice, given_names=CANARY, **profile)
        for _ in range(cases):
            case = make_case(
                opened_by=cast.alice,
                team=cast.team_a,
                survivor=survivor,
                summary=f"{CANARY} summary",
                exploitation_types=["ForcedLabour"],
                labour_industry="F",
                means_of_control=["DebtBondage", "ThreatensFamily"],
                countries_of_exploitation=[country],
            )
            if consent:
                _consent(case, cast.alice)
            made.append(case)
    case_facts_refresh()
    return made


def _population(cast: Cast) -> None:
    """40 consented survivors (one with two cases), some of them rare on
    their quasi-identifiers, and 12 who did not consent."""
    _survivors(cast, 24, gender="Feminine", age_band="18-24", citizenships=["UZB"])
    _survivors(cast, 1, cases=2, gender="Feminine", age_band="18-24", citizenships=["UZB"])
    _survivors(cast, 11, gender="Masculine", age_band="25-34", citizenships=["TJK"])
    _survivors(cast, 3, gender="TransgenderFeminine", age_band="12-17", citizenships=["KGZ"], country="KAZ")
    _survivors(cast, 1, gender="Masculine", age_band="50+", citizenships=["AFG"])
    _survivors(cast, 12, consent=False, gender="Masculine", age_band="35-49", citizenships=["MDA"])


def _ready_export(client: APIClient, **params: str) -> dict:
    response = client.post("/api/v1/statistics/exports/", params, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending" and response.json()["csv_url"] is None
    build_export(response.json()["id"])
    export = client.get(f"/api/v1/statistics/exports/{response.json()['id']}").json()
    assert export["status"] == "ready", export
    return export


def _download(client: APIClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_the_export_is_k_anonymous_one_record_per_consented_survivor(cast: Cast, client_for: Client) -> None:
    _population(cast)
    client = client_for(cast.sam)
    export = _ready_export(client)
    content = _download(client, export["csv_url"])
    frame = pandas.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(ctdc.COLUMNS)
    # 40 consented survivors (the one with two cases is one record); the 12 without consent are nowhere
    assert export["records"] + export["withheld"] == 40
    assert len(frame) == export["records"] > 0
    assert "MDA" not in set(frame["citizenship"])
    # the independent check: every combination of quasi-identifiers is shared by at least k = 11 records
    assert anonymity.k_anonymity(frame, QUASI_IDENTIFIERS) >= 11
    classes = Counter(tuple(row) for row in frame[QUASI_IDENTIFIERS].itertuples(index=False))
    assert min(classes.values()) >= 11 and 1 not in classes.values()
    # the rare ones were generalised or withheld, never published as they are
    assert "KGZ" not in set(frame["citizenship"]) and "AFG" not in set(frame["citizenship"])
    assert export["withheld"] <= 2  # at most 5 % of 40 before generalising further
    # flags as CTDC writes them
    assert set(frame["isForcedLabour"]) == {"1"} and set(frame["typeOfLabourConstruction"]) == {"1"}
    assert set(frame["meansOfControlThreats"]) == {"1"} and set(frame["typeOfSexProstitution"]) == {""}
    assert set(frame["yearOfRegistration"]) <= {str(timezone.now().year), _five_years(timezone.now().year), ""}


def _five_years(year: int) -> str:
    return f"{year - year % 5}-{year - year % 5 + 4}"


def test_the_xlsx_holds_the_same_records_and_says_how_to_cite_them(cast: Cast, client_for: Client) -> None:
    _population(cast)
    client = client_for(cast.sam)
    export = _ready_export(client)
    from_csv = pandas.read_csv(io.BytesIO(_download(client, export["csv_url"])), dtype=str, keep_default_na=False)
    workbook = pandas.read_excel(io.BytesIO(_download(client, export["xlsx_url"])), sheet_name=None, dtype=str)
    records = workbook["records"].fillna("")
    assert list(records.columns) == list(ctdc.COLUMNS)
    assert len(records) == len(from_csv)
    assert anonymity.k_anonymity(records, QUASI_IDENTIFIERS) >= 11
    about = dict(workbook["about"].fillna("").itertuples(index=False, name=None))
    assert about["k"] == "11" and "Home" in about["cite as"] and "k = 11" in export["citation"]


def test_nothing_identifying_in_the_files_or_in_storage(
    cast: Cast, client_for: Client, attachment_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [*_survivors(cast, 12, gender="Feminine", age_band="18-24", citizenships=["UZB"])]
    client = client_for(cast.sam)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    export = _ready_export(client)
    assert not list(scratch.iterdir())  # the workbook's scratch directory is gone
    for url in (export["csv_url"], export["xlsx_url"]):
        content = _download(client, url)
        assert CANARY.encode() not in content
        for case in cases:  # no ids, no references, no dates finer than a year
            for value in (str(case.pk), str(case.survivor_id), case.reference, case.opened_at.date().isoformat()):
                assert value.encode() not in content
    stored = [path.read_bytes() for path in attachment_dir.rglob("*") if path.is_file()]
    assert len(stored) == 2
    for raw in stored:  # encrypted at rest: not even the vocabulary is readable
        assert b"yearOfRegistration" not in raw and b"Feminine" not in raw and b"UZB,RUS" not in raw


def test_fewer_than_k_consented_survivors_publish_nothing(cast: Cast, client_for: Client) -> None:
    _survivors(cast, 10, gender="Feminine", age_band="18-24", citizenships=["UZB"])
    client = client_for(cast.sam)
    export = _ready_export(client)
    assert export["records"] == 0 and export["withheld"] == 10
    rows = list(csv.reader(io.StringIO(_download(client, export["csv_url"]).decode())))
    assert rows == [list(ctdc.COLUMNS)]


def test_requests_and_downloads_are_in_the_access_log_with_parameters_not_values(
    cast: Cast, client_for: Client
) -> None:
    _survivors(cast, 11, gender="Feminine", age_band="18-24", citizenships=["UZB"])
    client = client_for(cast.sam)
    today = timezone.localdate()
    export = _ready_export(
        client, opened_from=str(today.replace(day=1)), opened_to=str(today), team=str(cast.team_a.pk)
    )
    _download(client, export["xlsx_url"])
    asked = AccessLogEntry.objects.get(actor=cast.sam, action="export", object_type="statistics")
    assert json.loads(asked.detail) == {
        "report": "anonymised-export",
        "opened_from": str(today.replace(day=1)),
        "opened_to": str(today),
        "team": str(cast.team_a.pk),
    }
    downloaded = AccessLogEntry.objects.get(actor=cast.sam, action="download", object_type="statistics")
    assert json.loads(downloaded.detail) == {"format": "xlsx"} and [str(i) for i in downloaded.object_ids] == [
        export["id"]
    ]
    assert "Feminine" not in asked.detail + downloaded.detail and CANARY not in asked.detail


def test_exports_expire_their_key_is_destroyed_and_their_files_deleted(
    cast: Cast, client_for: Client, attachment_dir: Path
) -> None:
    _survivors(cast, 11, gender="Feminine", age_band="18-24", citizenships=["UZB"])
    client = client_for(cast.sam)
    export = _ready_export(client)
    row = AnonymisedExport.objects.get(pk=export["id"])
    assert exports_expire() == 0  # not yet
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        assert exports_expire(timezone.now() + datetime.timedelta(hours=24, minutes=1)) == 1
    from attachments.tasks import delete_stored_objects

    delete_stored_objects()
    row.refresh_from_db()
    assert row.status == ExportStatus.EXPIRED and row.csv_object == "" and row.csv_key is None
    assert DataKey.objects.get(pk=str(row.data_key_id)).wrapped_key is None
    assert not [path for path in attachment_dir.rglob("*") if path.is_file()]
    response = client.get(export["csv_url"])
    assert response.status_code == 409 and "expired" in response.json()["detail"]
    listed = client.get("/api/v1/statistics/exports/").json()["results"]
    assert [item["status"] for item in listed] == ["expired"] and listed[0]["csv_url"] is None


def test_a_pending_export_cannot_be_downloaded_and_only_reporters_of_the_organisation_see_it(
    cast: Cast, client_for: Client
) -> None:
    response = client_for(cast.sam).post("/api/v1/statistics/exports/", {}, format="json")
    pending = response.json()
    assert client_for(cast.adam).get(f"/api/v1/statistics/exports/{pending['id']}/csv").status_code == 409
    assert client_for(cast.alice).post("/api/v1/statistics/exports/", {}, format="json").status_code == 403
    assert client_for(cast.pat).get(f"/api/v1/statistics/exports/{pending['id']}").status_code == 403
    assert client_for(cast.root).get("/api/v1/statistics/exports/").status_code == 403
    missing = "00000000-0000-4000-8000-000000000000"
    assert client_for(cast.sam).get(f"/api/v1/statistics/exports/{missing}").status_code == 404


def test_bad_parameters_are_refused_and_nothing_is_asked_for(cast: Cast, client_for: Client) -> None:
    client = client_for(cast.sam)
    response = client.post("/api/v1/statistics/exports/", {"opened_from": "2026-02-01", "opened_to": "2026-01-01"})
    assert response.status_code == 400 and "opened_to" in response.json()["errors"]
    assert client.post("/api/v1/statistics/exports/", {"opened_from": "1066-10-14"}).status_code == 400
    # JSON's types only: false is not a team (DRF's UUIDField would take it as the nil UUID; schemathesis found it)
    wrong_type = client.post("/api/v1/statistics/exports/", {"team": False}, format="json")
    assert wrong_type.status_code == 400 and "team" in wrong_type.json()["errors"]
    assert not AnonymisedExport.objects.exists()


# --- the generalisation search on its own -----------------------------------------------------------

SAME, NOTHING = (lambda value: value), (lambda value: "")


def test_the_search_withholds_within_the_budget_or_generalises() -> None:
    counts: Counter[tuple[str, ...]] = Counter({("a",): 11, ("b",): 3})
    strict = choose(counts, [(SAME, NOTHING)], k=11, max_withheld=0.0)
    assert strict.levels == (1,) and strict.withheld == 0  # one class of 14
    lenient = choose(counts, [(SAME, NOTHING)], k=11, max_withheld=0.25)
    assert lenient.levels == (0,) and lenient.withheld == 3 and not lenient.keeps(("b",)) and lenient.keeps(("a",))


def test_the_search_prefers_the_lowest_generalisation_then_the_fewest_withheld() -> None:
    decade = lambda value: value[:3]  # noqa: E731 - 2024 → 202
    counts: Counter[tuple[str, ...]] = Counter({("2024", "x"): 6, ("2025", "x"): 6, ("2024", "y"): 11})
    choice = choose(counts, [(SAME, decade, NOTHING), (SAME, NOTHING)], k=11, max_withheld=0.0)
    # generalising the year gives (202, x) = 12 and (202, y) = 11; dropping the second gives 2024 = 17, 2025 = 6
    assert choice.levels == (1, 0) and choice.withheld == 0


def test_fewer_than_k_records_in_all_are_all_withheld() -> None:
    counts: Counter[tuple[str, ...]] = Counter({("a",): 5, ("b",): 5})
    choice = choose(counts, [(SAME, NOTHING)], k=11, max_withheld=0.05)
    assert choice.withheld == 10 and not choice.keeps(("",))
    with pytest.raises(ValueError):
        choose(Counter({("a",): 11}), [(SAME,)], k=11, max_withheld=0.0)


@pytest.mark.parametrize("gone", ["file", "key"])
def test_an_export_that_expires_while_read_as_ready_answers_409_not_500(
    cast: Cast, client_for: Client, attachment_dir: Path, gone: str
) -> None:
    """Beat can expire an export between the request reading it as ready
    and the file being opened: its file deleted, or its key destroyed."""
    _survivors(cast, 11, gender="Feminine", age_band="18-24", citizenships=["UZB"])
    client = client_for(cast.sam)
    export = _ready_export(client)
    row = AnonymisedExport.objects.get(pk=export["id"])
    if gone == "file":
        for path in attachment_dir.rglob("*"):
            if path.is_file():
                path.unlink()
    else:
        from ngo_cases.crypto import keys

        keys.data_key_destroy(DataKey.objects.get(pk=str(row.data_key_id)))
    assert AnonymisedExport.objects.get(pk=export["id"]).status == ExportStatus.READY  # beat has not saved yet
    response = client.get(export["csv_url"])
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    assert "expired" in response.json()["detail"]
    admin = _admin(cast.sam)
    page = admin.get(f"/admin/statistics/exports/{export['id']}/xlsx", follow=True)
    assert page.status_code == 200 and page.redirect_chain == [("/admin/statistics/#exports", 302)]
    assert "has expired" in page.content.decode()
