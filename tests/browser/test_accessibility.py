"""The workspace's screens checked against WCAG 2.1 A and AA with axe-core
(axe-playwright-python, which ships axe-core's script) in Chromium: every
screen of every role's journeys, with data on it, in English and in Russian.
Each screen's figures are printed (rules passed, violations); any violation
fails the test with axe's report (issue 14, "Accessible").

axe checks what a machine can: contrast, names and labels, roles, landmarks,
heading order, language. What it cannot (focus order, keyboard-only use) is
walked by test_workspace_roles.py's keyboard test.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import TEST_PASSWORD
from cases.models import Case
from cases.services import case_note_create, follow_up_create, milestone_record
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from referrals.models import Referral
from referrals.tests.factories import assign, make_sent

from .conftest import Browsing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
AXE = Axe()


def _audit(page: Page, screen: str) -> None:
    results = AXE.run(page, options=WCAG_21_AA)
    passed = len(results.response["passes"])
    print(f"axe {screen}: {passed} rules passed, {results.violations_count} violations")
    assert results.violations_count == 0, f"{screen}: {results.generate_report()}"


def _sign_in(page: Page, username: str, heading: str) -> None:
    page.goto("/")
    _audit(page, "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def _a_full_case(cast: Cast) -> tuple[Case, Referral]:
    today = timezone.localdate()
    documents = [
        {"type": "passport", "number": "P-1", "expiry": str(today - datetime.timedelta(days=3))},
        {"type": "visa", "number": "V-2", "expiry": str(today + datetime.timedelta(days=20))},
    ]
    survivor = make_survivor(created_by=cast.alice, identity_documents=documents, phone="+7 900 000 00 00")
    case = make_case(opened_by=cast.alice, team=cast.team_a, survivor=survivor)
    case_note_create(case=case, author=cast.alice, body="First meeting at the shelter.")
    follow_up_create(
        case=case, created_by=cast.alice, assignee=cast.alice, due_on=today - datetime.timedelta(days=2), description=""
    )
    milestone_record(case=case, recorded_by=cast.alice, kind="reasonable_grounds", starts_on=today)
    referral = make_sent(case, cast.partner_org, cast.alice, needs="A bed for two weeks.")
    return case, referral


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_the_caseworkers_screens_meet_wcag_21_aa(
    cast: Cast, open_browser: Callable[..., Browsing], locale: str
) -> None:
    case, _referral = _a_full_case(cast)
    if locale == "ru":
        type(cast.alice).objects.filter(pk=cast.alice.pk).update(language="ru")
    page = open_browser().new_page()
    _sign_in(page, "alice", "My cases" if locale == "en" else "Мои дела")
    _audit(page, f"{locale} my cases")
    page.get_by_role("button", name=case.reference, exact=True).click()
    expect(page.locator("#milestones-title")).to_be_visible()
    for summary in page.locator(
        "details.edit summary"
    ).all():  # every editor open: the survivor, the note, the follow-up
        summary.click()
    _audit(page, f"{locale} case file")
    for screen in ["nav-follow-ups", "nav-referrals", "nav-notifications", "nav-register", "nav-account"]:
        page.locator(f"#{screen}").click()
        expect(page.locator("main h1")).to_be_visible()
        page.wait_for_load_state("networkidle")
        _audit(page, f"{locale} {screen.removeprefix('nav-')}")


def test_the_supervisors_and_partners_screens_meet_wcag_21_aa(
    cast: Cast, open_browser: Callable[..., Browsing]
) -> None:
    _case, referral = _a_full_case(cast)
    assign(referral, cast.pat, cast.petra)
    supervisor = open_browser().new_page()
    _sign_in(supervisor, "sam", "My cases")
    supervisor.locator("#nav-escalations").click()
    expect(supervisor.get_by_role("heading", name="Escalations")).to_be_visible()
    supervisor.wait_for_load_state("networkidle")
    _audit(supervisor, "escalations")
    coordinator = open_browser().new_page()
    _sign_in(coordinator, "cora", "Referrals")
    coordinator.locator("#nav-directory").click()
    coordinator.get_by_role("button", name="Partner Shelter").click()
    expect(coordinator.get_by_role("heading", name="Services offered")).to_be_visible()
    _audit(coordinator, "organisation")
    coordinator.locator("#nav-directory").click()
    expect(coordinator.get_by_role("table", name="Directory")).to_be_visible()
    _audit(coordinator, "directory")
    partner = open_browser().new_page()
    _sign_in(partner, "pat", "Referrals")
    partner.get_by_role("button", name=referral.reference).click()
    expect(partner.get_by_role("heading", name=f"Referral {referral.reference}")).to_be_visible()
    _audit(partner, "partner's referral")
    partner.locator("#lock").click()
    expect(partner.get_by_role("heading", name="Screen locked")).to_be_visible()
    _audit(partner, "lock screen")


def test_the_audit_sees_a_violation_when_there_is_one(open_browser: Callable[..., Browsing]) -> None:
    """axe runs under the workspace's Content-Security-Policy: an unlabelled field and grey-on-white text planted in
    the page are found (so the zero above is a measurement, not an audit that never ran)."""
    page = open_browser().new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.evaluate(
        """() => {
            const input = document.createElement("input");
            const faint = document.createElement("p");
            faint.textContent = "faint";
            faint.style.color = "#ccc";
            document.querySelector("main").append(input, faint);
        }"""
    )
    found = {violation["id"] for violation in AXE.run(page, options=WCAG_21_AA).response["violations"]}
    assert {"label", "color-contrast"} <= found
