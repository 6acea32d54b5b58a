"""Auditors in Chromium: who accessed this case, narrowed to a date range,
exported as CSV that matches the screen; the same in Russian."""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from accounts.models import Role, Team, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory, home_organisation, issue_token
from audit.models import AccessLogEntry, Action
from cases.models import Case
from cases.tests.factories import make_case

from .conftest import Browsing
from .test_admin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _read_case(user: User, case: Case) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200


def _setting() -> tuple[Case, Case, User]:
    home = home_organisation()
    team = Team.objects.create(organisation=home, name="Moscow casework")
    alice = UserFactory.create(username="alice", organisation=home, role=Role.CASEWORKER, teams=[team])
    sam = UserFactory.create(username="sam", organisation=home, role=Role.SUPERVISOR, teams=[team])
    case = make_case(opened_by=alice, team=team)
    other = make_case(opened_by=alice, team=team)
    _read_case(alice, case)
    _read_case(sam, case)
    _read_case(alice, other)
    return case, other, sam


def _screen_rows(page: Page) -> list[list[str]]:
    rows = page.locator("#result_list tbody tr")
    return [[cell.strip() for cell in row.locator("td, th").all_inner_texts()] for row in rows.all()]


def test_auditor_finds_who_accessed_a_case_and_exports_it(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    case, other, _sam = _setting()
    UserFactory.create(
        username="audrey", organisation=home_organisation(), role=Role.AUDITOR, time_zone="Europe/Moscow"
    )
    page = open_browser(viewport=(1366, 768)).new_page()
    sign_in(page, "audrey")
    page.get_by_role("link", name="Access log").first.click()
    expect(page.get_by_text("Times are in Europe/Moscow")).to_be_visible()
    page.get_by_role("textbox", name="Search").fill(case.reference)
    page.get_by_role("button", name="Search").click()
    rows = _screen_rows(page)
    users = {row[1] for row in rows}
    assert {"alice", "sam"} <= users
    assert all(case.reference in row[5] for row in rows), rows
    assert not any(other.reference in " ".join(row) for row in rows)
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(page, "audit-case-search")

    # "today" as the auditor's filter reads it: in her zone (after 21:00 UTC it is tomorrow in Moscow)
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo("Europe/Moscow")).isoformat()
    page.get_by_label("From", exact=True).fill(today)
    page.get_by_label("To", exact=True).fill(today)
    page.get_by_role("button", name="Show").nth(1).click()
    assert sorted(_screen_rows(page)) == sorted(rows)
    page.get_by_label("From", exact=True).fill("2001-01-01")
    page.get_by_label("To", exact=True).fill("2001-01-02")
    page.get_by_role("button", name="Show").nth(1).click()
    expect(page.locator("#result_list")).to_have_count(0)
    page.get_by_label("From", exact=True).fill(today)
    page.get_by_label("To", exact=True).fill(today)
    page.get_by_role("button", name="Show").nth(1).click()
    screen = _screen_rows(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these entries (CSV)").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8")
    table = list(csv.reader(io.StringIO(content)))
    header, body = table[0], table[1:]
    assert header[:8] == ["time", "user", "role", "organisation", "action", "what", "result", "address"]
    assert len(body) == len(screen)
    assert sorted(row[1:6] for row in body) == sorted(row[1:6] for row in screen)
    assert sorted(row[0][:19].replace("T", " ") for row in body) == sorted(row[0] for row in screen)
    assert all(row[0].endswith("+03:00") for row in body)  # ISO 8601 in Moscow time, with its offset
    assert AccessLogEntry.objects.filter(action=Action.EXPORT, actor__username="audrey").count() == 1

    # From the case's page: who may see it and why, in words, one click from its log.
    page.goto(f"/admin/cases/case/{case.pk}/change/")
    expect(page.locator(".field-access_list")).to_contain_text("alice: Opened the case")
    expect(page.locator(".field-access_list")).to_contain_text("Moscow casework — team supervisors")
    expect(page.locator(".field-summary_masked")).to_have_count(0)
    screenshot(page, "admin-case")
    page.get_by_role("link", name="who accessed it").click()
    expect(page.locator("#result_list tbody tr").first).to_be_visible()


def test_auditor_reads_the_log_in_russian(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    case, _other, _sam = _setting()
    UserFactory.create(
        username="audrey",
        organisation=home_organisation(),
        role=Role.AUDITOR,
        language="ru",
        time_zone="Asia/Vladivostok",
    )
    page = open_browser(locale="ru-RU").new_page()
    page.goto("/admin/login/")
    page.get_by_label("Имя пользователя").fill("audrey")
    page.get_by_label("Пароль").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Журнал доступа").first.click()
    expect(page.get_by_text("Время указано по часовому поясу Asia/Vladivostok")).to_be_visible()
    page.locator("#searchbar").fill(case.reference)
    page.locator("#changelist-search input[type=submit]").click()
    rows = _screen_rows(page)
    assert {row[2] for row in rows} >= {"Социальный работник", "Руководитель группы"}
    assert {row[4] for row in rows} == {"Просмотр", "Доступ предоставлен"}
    assert all(row[5].startswith("Дело ") for row in rows)
    expect(page.locator("#changelist-form .paginator")).to_contain_text(f"{len(rows)} записей журнала доступа")
    screenshot(page, "audit-case-search-ru")
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo("Asia/Vladivostok")).isoformat()
    page.get_by_label("\u0421", exact=True).fill(today)  # Cyrillic Es: "from"
    page.get_by_label("По", exact=True).fill(today)
    page.get_by_role("button", name="Показать").nth(1).click()
    assert len(_screen_rows(page)) == len(rows)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Выгрузить эти записи (CSV)").click()
    table = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert table[0][:6] == ["время", "пользователь", "роль", "организация", "действие", "что"]
    assert sorted(row[1:6] for row in table[1:]) == sorted(row[1:6] for row in _screen_rows(page)), (
        "\n".join(map(str, table)) + "\n---\n" + "\n".join(map(str, _screen_rows(page)))
    )
    assert all(row[0].endswith("+10:00") for row in table[1:])  # Vladivostok time, with its offset
