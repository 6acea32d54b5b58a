"""A referral through the workspace, in Chromium, from both sides (issue 14):
the caseworker refers a case and is told plainly that consent is missing,
records it and sends; the partner's desk assigns; the partner caseworker
sees only what was shared, accepts, starts, records a service and completes.
No canary PII in anyone's browser storage, and the unshared reason never
reaches the partner's page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from referrals.models import Referral, ReferralStatus

from .conftest import Browsing, browser_storage, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GIVEN = "Dilnoza-CANARY"
REASON = "CANARY-REASON her employer in Podolsk still holds her passport"


def test_a_referral_from_the_caseworker_to_the_partner_caseworker(
    cast: Cast, open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a, survivor=make_survivor(given_names=GIVEN))
    sender = open_browser()
    alice = sender.new_page()
    sign_in(alice, "alice", "My cases")
    alice.get_by_role("button", name=case.reference, exact=True).click()
    alice.get_by_label("To", exact=True).last.select_option(label="Partner Shelter")
    alice.get_by_label("Shelter", exact=True).check()
    alice.get_by_label("Reason", exact=True).fill(REASON)
    alice.get_by_label("Identity").check()
    alice.get_by_role("button", name="Create referral").click()
    expect(alice.get_by_role("heading", name="Referral R-")).to_be_visible()
    referral = Referral.objects.get()
    sender.expect_refusal(409, f"/api/v1/referrals/{referral.pk}/send")
    alice.get_by_role("button", name="Send").last.click()
    expect(alice.get_by_role("alert").filter(has_text="no live referral consent")).to_be_visible()
    screenshot(alice, "workspace-consent-required")

    alice.get_by_role("button", name="Open the case file").click()
    alice.get_by_label("Consent for").select_option(label="Referral to a named organisation")
    alice.get_by_label("To", exact=True).first.select_option(label="Partner Shelter")
    alice.get_by_role("button", name="Record consent").click()
    expect(alice.get_by_role("cell", name="live", exact=True)).to_be_visible()
    alice.get_by_role("button", name=referral.reference, exact=True).click()
    alice.get_by_role("button", name="Send").last.click()
    expect(alice.get_by_role("button", name="Send")).to_have_count(0)  # sent: nothing more to send
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT

    desk = open_browser().new_page()
    sign_in(desk, "petra", "Referrals")
    desk.get_by_role("button", name=referral.reference, exact=True).click()
    desk.get_by_label("Assignee").select_option(value=str(cast.pat.pk))
    desk.get_by_role("button", name="Assign").last.click()
    expect(desk.locator("dd", has_text="pat")).to_be_visible()  # "Assigned to", drawn again from the API
    referral.refresh_from_db()
    assert referral.assigned_to == cast.pat

    partner = open_browser().new_page()
    sign_in(partner, "pat", "Referrals")
    partner.get_by_role("button", name=referral.reference, exact=True).click()
    expect(partner.get_by_text(GIVEN)).to_be_visible()  # identity was shared
    assert "CANARY-REASON" not in partner.content()  # the reason was not
    partner.get_by_role("button", name="Accept").last.click()
    partner.get_by_role("button", name="Start").last.click()
    expect(partner.get_by_role("heading", name="Services delivered")).to_be_visible()
    partner.get_by_label("Started").fill("2026-11-20")
    partner.get_by_role("button", name="Record a service delivered").click()
    expect(partner.get_by_role("cell", name="Shelter")).to_be_visible()
    partner.get_by_label("Outcome").first.select_option(label="Services provided")
    partner.get_by_role("button", name="Complete").last.click()
    expect(partner.get_by_text("Completed", exact=True).first).to_be_visible()
    screenshot(partner, "workspace-partner-referral")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    for page in (alice, desk, partner):
        assert "CANARY" not in browser_storage(page)
