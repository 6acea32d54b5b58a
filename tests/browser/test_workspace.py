"""The workspace in Chromium (first slice, issue 14): a caseworker signs in
with the session API and CSRF, sees her cases, signs out; nothing about a
survivor is left in the browser's storage."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role, Team
from accounts.tests.factories import TEST_PASSWORD, UserFactory, home_organisation
from cases.tests.factories import make_case, make_survivor
from workspace.management.commands.seed_demo import demo_password

from .conftest import Browsing, browser_storage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANARY_NAME = "Zarina-CANARY-Yusupova"
CANARY_SUMMARY = "CANARY-SUMMARY-brick-factory-Podolsk"


def _caseworker_with_a_case(language: str = "en") -> str:
    home = home_organisation()
    team = Team.objects.create(organisation=home, name="Moscow casework")
    alice = UserFactory.create(
        username="alice", organisation=home, role=Role.CASEWORKER, teams=[team], language=language
    )
    survivor = make_survivor(created_by=alice, given_names=CANARY_NAME)
    return make_case(opened_by=alice, team=team, survivor=survivor, summary=CANARY_SUMMARY).reference


def _sign_in(
    page: Page, password: str = TEST_PASSWORD, *, labels: tuple[str, str, str] = ("Username", "Password", "Sign in")
) -> None:
    page.get_by_label(labels[0]).fill("alice")
    page.get_by_label(labels[1]).fill(password)
    page.get_by_role("button", name=labels[2]).click()


def test_a_caseworker_signs_in_sees_her_cases_and_signs_out(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    reference = _caseworker_with_a_case()
    page = open_browser().new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "workspace-sign-in")
    _sign_in(page, "a wrong password")
    expect(page.get_by_role("alert")).to_contain_text("username or password is wrong")
    _sign_in(page)
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    expect(page.get_by_role("cell", name=reference)).to_be_visible()
    screenshot(page, "workspace-my-cases")
    assert urlsplit(page.url).path == "/" and not urlsplit(page.url).query  # nothing in the address
    storage = browser_storage(page)
    assert "CANARY" not in storage and "alice" not in storage.replace("sessionid", "")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()  # the session really ended


def test_the_workspace_speaks_russian_to_a_russian_caseworker(open_browser: Callable[..., Browsing]) -> None:
    reference = _caseworker_with_a_case(language="ru")
    page = open_browser(locale="ru-RU").new_page()
    page.goto("/")
    _sign_in(page, labels=("Имя пользователя", "Пароль", "Войти"))
    expect(page.get_by_role("heading", name="Мои дела")).to_be_visible()
    expect(page.get_by_role("cell", name=reference)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_the_first_screen_after_sign_in_on_the_demo_data(open_browser: Callable[..., Browsing]) -> None:
    """A figure, not a limit (PERFORMANCE.md): the time from "Sign in" to the
    caseworker's list on the demo data, printed for docs/performance.md."""
    import time

    from django.core.management import call_command

    call_command("seed_demo", "--force", stdout=io.StringIO())
    page = open_browser().new_page()
    page.goto("/")
    page.get_by_label("Username").fill("caseworker")
    page.get_by_label("Password").fill(demo_password("caseworker"))
    started = time.perf_counter()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("row").nth(1)).to_be_visible()
    print(
        f"\nfirst screen after sign-in (demo data, live test server): {(time.perf_counter() - started) * 1000:.0f} ms"
    )
