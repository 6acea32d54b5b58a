"""The statistics dashboard in Chromium (issue 18): a supervisor opens it
from the admin, narrows it to her team and a period, sees small counts
marked hidden (never zero, never the number) with their charts, and
downloads a panel as CSV; no survivor's name anywhere on the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import Cast
from reporting.models import AnonymisedExport
from reporting.tasks import build_export
from reporting.tests.test_statistics_api import CANARY, _cases

from .conftest import Browsing
from .test_admin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_reads_and_downloads_the_statistics(
    cast: Cast, open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    _cases(cast, 12, gender="Feminine", exploitation_types=["ForcedLabour"], countries_of_exploitation=["RUS"])
    _cases(cast, 4, gender="Masculine", exploitation_types=["SexualExploitation"])
    page = open_browser(viewport=(1366, 900)).new_page()
    sign_in(page, "sam")
    page.get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", name="Gender")).to_be_visible()
    page.get_by_label("Team").select_option(label="Team A")
    page.get_by_label("Cases opened from").fill(str(timezone.localdate().replace(day=1)))
    page.get_by_label("Cases opened until").fill(str(timezone.localdate()))
    page.get_by_role("button", name="Show").click()
    gender = page.locator("section", has=page.get_by_role("heading", name="Gender", exact=True))
    expect(gender.get_by_role("row", name="Masculine hidden")).to_be_visible()
    expect(gender.locator("tr.statistics-total")).to_contain_text("16")
    expect(gender.locator("svg")).to_be_visible()
    assert CANARY not in page.content()
    page.get_by_role("heading", name="Type of exploitation").scroll_into_view_if_needed()
    screenshot(page, "admin-statistics")
    with page.expect_download() as download:
        gender.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert ["Masculine", "hidden"] in rows and ["Total", "16"] in rows
    # no horizontal scrolling at the laptop width
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # the chart as PNG
    with page.expect_download() as download:
        gender.get_by_role("link", name="Download chart (PNG)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"\x89PNG")


def test_a_supervisor_prepares_and_downloads_an_anonymised_export(
    cast: Cast, open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    _cases(cast, 12, gender="Feminine", exploitation_types=["ForcedLabour"], countries_of_exploitation=["RUS"])
    page = open_browser(viewport=(1366, 900)).new_page()
    sign_in(page, "sam")
    page.get_by_role("link", name="Statistics").click()
    page.get_by_label("Team").select_option(label="Team A")
    page.get_by_role("button", name="Show").click()
    exports = page.locator("#exports")
    exports.get_by_role("button", name="Prepare an anonymised export").click()
    expect(page.get_by_text("The export is being prepared.")).to_be_visible()
    expect(exports.get_by_role("cell", name="Being prepared")).to_be_visible()
    build_export(str(AnonymisedExport.objects.get().pk))  # the worker's part
    page.reload()
    expect(exports.get_by_role("cell", name="12 (0 withheld)")).to_be_visible()
    exports.scroll_into_view_if_needed()
    screenshot(page, "admin-statistics-export")
    with page.expect_download() as download:
        exports.get_by_role("link", name="CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:3] == ["yearOfRegistration", "Datasource", "gender"] and len(rows) == 13
    assert CANARY not in str(rows)
    with page.expect_download() as download:
        exports.get_by_role("link", name="XLSX").click()
    assert Path(download.value.path()).read_bytes().startswith(b"PK")
