"""Two-factor sign-in in the workspace, in Chromium (issue 14): set up from
My account (QR code and key, a current code, recovery codes shown once), then
the next sign-in asks for a code; where the organisation requires two-factor
sign-in, the first sign-in opens nothing but the enrolment until it is done."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.models import Role, Team
from accounts.tests.factories import TEST_PASSWORD, UserFactory, home_organisation
from accounts.tests.test_mfa import code_for

from .conftest import Browsing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _alice() -> Any:
    home = home_organisation()
    team = Team.objects.create(organisation=home, name="Moscow casework")
    return UserFactory.create(username="alice", organisation=home, role=Role.CASEWORKER, teams=[team])


def _password(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _code_from_the_screen(page: Page) -> str:
    """What the person's authenticator app would show for the key on the screen."""
    secret = page.locator("#mfa-secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _enrol_on_screen(page: Page) -> list[str]:
    page.get_by_role("button", name="Set up an authenticator app").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    page.get_by_label("One-time code").fill(_code_from_the_screen(page))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) >= 8 and all(len(code) == 11 for code in codes)
    return codes


def test_a_caseworker_sets_up_two_factor_sign_in_from_my_account(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    alice = _alice()
    browsing = open_browser()
    browsing.expect_refusal(401, "/api/v1/auth/session")  # the second sign-in first asks for the code
    page = browsing.new_page()
    _password(page)
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    page.get_by_role("button", name="My account").click()
    expect(page.get_by_text("Two-factor sign-in is off")).to_be_visible()
    screenshot(page, "workspace-account")
    codes = _enrol_on_screen(page)
    screenshot(page, "workspace-recovery-codes")
    page.get_by_role("button", name="I have written them down").click()
    expect(page.get_by_text(f"Two-factor sign-in is on. Recovery codes left: {len(codes)}.")).to_be_visible()
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).count() == 1
    assert "".join(codes) not in page.content()  # shown once

    page.get_by_role("button", name="Sign out", exact=True).click()
    # the sign-in form comes back once the server has ended the session (navigating before that raced it)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _password(page)
    # the form comes back asking for the code, with what was typed kept
    expect(page.get_by_label("Username")).to_have_value("alice")
    page.get_by_label("One-time code").fill(code_for(alice, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()


def test_where_two_factor_sign_in_is_required_the_first_sign_in_sets_it_up(
    open_browser: Callable[..., Browsing], settings: Any, screenshot: Callable[[Page, str], Path]
) -> None:
    settings.NGO_MFA_REQUIRED = True
    alice = _alice()
    browsing = open_browser()
    browsing.expect_refusal(403, "/api/v1/auth/session")
    page = browsing.new_page()
    _password(page)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in first")).to_be_visible()
    expect(page.get_by_text("Your organisation requires a code")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    screenshot(page, "workspace-mfa-required")
    # a reload comes back to the enrolment, not to the cases
    page.reload()
    expect(page.get_by_role("heading", name="Set up two-factor sign-in first")).to_be_visible()
    _enrol_on_screen(page)
    page.get_by_role("button", name="I have written them down").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).count() == 1
