"""The admin in Chromium: administrators and auditors sign in and out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Organisation, Role, User
from accounts.tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def home() -> Organisation:
    return OrganisationFactory.create(name="Home NGO", slug="home", is_home=True)


def test_admin_signs_in_and_out(page: Page, screenshot: Callable[[Page, str], Path]) -> None:
    admin: User = UserFactory.create(username="adam", organisation=home(), role=Role.ADMIN)
    page.goto("/admin/login/")
    screenshot(page, "admin-login")
    sign_in(page, admin.username)
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    screenshot(page, "admin-index")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url("/admin/login/?next=/admin/")
