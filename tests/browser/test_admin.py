"""The admin in Chromium: administrators, auditors and supervisors sign in
and out; accounts made in the admin work for every role; two-factor
enrolment and sign-in with the code."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts import services
from accounts.models import Organisation, OrganisationType, Role, User
from accounts.tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory, home_organisation
from audit.models import AccessLogEntry, Action

from .conftest import Browsing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = re.compile(r"^Password:?$")
REFUSAL = "This admin is for administrators, auditors and supervisors."


def sign_in(page: Page, username: str, password: str = TEST_PASSWORD, code: str | None = None) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if code is not None:
        # The code field appears once the password was right (MFA optional here).
        page.get_by_label("One-time code").fill(code)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()


def home() -> Organisation:
    return home_organisation()


def test_admin_signs_in_and_out(page: Page, screenshot: Callable[[Page, str], Path]) -> None:
    admin: User = UserFactory.create(username="adam", organisation=home(), role=Role.ADMIN)
    page.goto("/admin/login/")
    expect(page.get_by_label("One-time code")).to_have_count(0)  # no code field unless MFA applies
    screenshot(page, "admin-login")
    sign_in(page, admin.username)
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    screenshot(page, "admin-index")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url("/admin/login/?next=/admin/")


def test_view_site_leads_to_the_front_page(page: Page) -> None:
    UserFactory.create(username="adam", organisation=home(), role=Role.ADMIN)
    sign_in(page, "adam")
    page.get_by_role("link", name="View site").click()
    expect(page).to_have_url("/")
    expect(page.get_by_text("Your work is in the administration")).to_be_visible()  # the workspace, same session


def add_user(page: Page, username: str, organisation: str, role: str) -> None:
    page.goto("/admin/accounts/user/add/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Organisation").select_option(label=organisation)
    page.get_by_label("Role").select_option(label=role)
    page.get_by_label(PASSWORD).fill(TEST_PASSWORD)
    page.get_by_label("Password confirmation").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"“{username}” was added successfully")


ROLES = [
    # username, organisation, role label, reaches the admin
    ("new-admin", "Home NGO", "Administrator", True),
    ("new-auditor", "Home NGO", "Auditor", True),
    ("new-supervisor", "Home NGO", "Supervisor", True),
    ("new-caseworker", "Home NGO", "Caseworker", False),
    ("new-coordinator", "Home NGO", "Coordinator", False),
    ("new-partner", "Partner Shelter", "Partner caseworker", False),
]


def test_accounts_made_in_the_admin_work_for_every_role(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    UserFactory.create(username="adam", organisation=home(), role=Role.ADMIN)
    OrganisationFactory.create(name="Partner Shelter", slug="shelter", org_type=OrganisationType.SHELTER)
    page = open_browser().new_page()
    sign_in(page, "adam")
    for username, organisation, role, _reaches in ROLES:
        add_user(page, username, organisation, role)
    screenshot(page, "admin-user-added")

    # The form refuses a role that does not fit the organisation.
    page.goto("/admin/accounts/user/add/")
    page.get_by_label("Username").fill("misplaced")
    page.get_by_label("Organisation").select_option(label="Home NGO")
    page.get_by_label("Role").select_option(label="Partner caseworker")
    page.get_by_label(PASSWORD).fill(TEST_PASSWORD)
    page.get_by_label("Password confirmation").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("A partner caseworker belongs to a partner organisation.")
    assert not User.objects.filter(username="misplaced").exists()

    for username, _organisation, _role, reaches in ROLES:
        person = open_browser().new_page()
        sign_in(person, username)
        if reaches:
            expect(person.get_by_role("heading", name="Administration")).to_be_visible()
        else:
            expect(person.locator(".errornote")).to_contain_text(REFUSAL)
            expect(person.get_by_role("link", name="workspace")).to_be_visible()
        person.context.close()

    made = {u.username: u for u in User.objects.filter(username__startswith="new-")}
    assert {name: u.time_zone for name, u in made.items()} == dict.fromkeys(made, "Europe/Moscow")
    assert {name for name, u in made.items() if u.is_staff} == {"new-admin", "new-auditor", "new-supervisor"}
    assert {
        name: sorted(u.groups.filter(name__startswith="role:").values_list("name", flat=True))
        for name, u in made.items()
    } == {
        "new-admin": ["role:admin"],
        "new-auditor": ["role:auditor"],
        "new-supervisor": ["role:supervisor"],
        "new-caseworker": ["role:caseworker"],
        "new-coordinator": ["role:coordinator"],
        "new-partner": ["role:partner_caseworker"],
    }


def code_for(secret: str, *, after_step: int = 0) -> str:
    """What an authenticator app shows for this key: the code of the current
    30 s step, or of the step after ``after_step`` (a device refuses a code of
    a step it already accepted; it allows one step of drift)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = max(int(time.time()) // 30, after_step + 1)
    return f"{hotp(key, step, digits=6):06d}"


def wrong_code(secret: str) -> str:
    return "000000" if code_for(secret) != "000000" else "111111"


def let_the_throttle_pass(user: User) -> None:
    """django-otp refuses every code for 2^(n-1) s after n failures; a person
    takes longer than that to type the next one. Moves the failure back in time."""
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_timestamp=F("throttling_failure_timestamp") - timedelta(minutes=1)
    )


def test_admin_enrols_two_factor_and_signs_in_with_a_code(page: Page, screenshot: Callable[[Page, str], Path]) -> None:
    admin: User = UserFactory.create(username="adam", organisation=home(), role=Role.ADMIN)
    sign_in(page, "adam")
    page.get_by_role("link", name="My account").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    secret = page.locator("#totp-secret").inner_text()
    expect(page.locator(".ngo-qr svg")).to_be_visible()
    screenshot(page, "admin-mfa-enrol")
    page.get_by_label("Code from the app").fill(wrong_code(secret))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator(".errorlist")).to_contain_text("wrong")  # a wrong code is refused
    let_the_throttle_pass(admin)
    page.get_by_label("Code from the app").fill(code_for(secret))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.get_by_text("These are your recovery codes.")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    screenshot(page, "admin-mfa-recovery-codes")
    page.get_by_role("button", name="Log out").click()

    # Signing in now asks for the code; a wrong one is refused and counted.
    sign_in(page, "adam")
    expect(page.locator(".errornote")).to_contain_text("enter the one-time code")
    sign_in(page, "adam", code=wrong_code(secret))
    expect(page.locator(".errornote")).to_contain_text("wrong or was already used")
    let_the_throttle_pass(admin)
    last_step = TOTPDevice.objects.get(user=admin).last_t
    sign_in(page, "adam", code=code_for(secret, after_step=last_step))
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    assert AccessLogEntry.objects.filter(action=Action.MFA_FAILED).count() == 1


def test_an_administrator_resets_a_lost_authenticator(page: Page) -> None:
    organisation = home()
    UserFactory.create(username="adam", organisation=organisation, role=Role.ADMIN)
    alice: User = UserFactory.create(username="alice", organisation=organisation, role=Role.CASEWORKER)
    services.mfa_totp_begin(user=alice)
    TOTPDevice.objects.filter(user=alice).update(confirmed=True)
    sign_in(page, "adam")
    page.goto(f"/admin/accounts/user/{alice.pk}/change/")
    expect(page.locator(".field-mfa_status")).to_contain_text("On: authenticator app confirmed")
    page.get_by_role("link", name="Reset two-factor sign-in").click()
    page.get_by_role("button", name="Yes, reset it").click()
    expect(page.locator(".messagelist")).to_contain_text("Two-factor sign-in of alice was reset")
    expect(page.locator(".field-mfa_status")).to_contain_text("Not set up.")
    assert not TOTPDevice.objects.filter(user=alice).exists()
    entry = AccessLogEntry.objects.get(action=Action.MFA_RESET)
    assert (entry.actor_id, entry.subject_id) == (User.objects.get(username="adam").pk, alice.pk)


def test_api_docs_render_for_anyone_under_the_csp(page: Page, screenshot: Callable[[Page, str], Path]) -> None:
    page.goto("/api/v1/docs/")
    expect(page.get_by_role("heading", name="ngo-cases API")).to_be_visible()
    page.get_by_role("button", name="PATCH /api/v1/me", exact=False).first.click()
    expect(page.get_by_text("If-Match").first).to_be_visible()  # Swagger UI can send it
    page.get_by_role("button", name="Authorize").first.click()
    expect(page.get_by_text("bearerAuth")).to_be_visible()
    screenshot(page, "api-docs")
