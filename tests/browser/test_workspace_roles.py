"""The supervisor's, the break-glass holder's and everyone's own screens in
the workspace, in Chromium (issue 14): assigning a case within the team,
closing and reopening it; emergency access by reference, read-only, with the
time it ends; language and time zone in "My account"; the case list usable
at 390 px wide."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import TEST_PASSWORD
from cases.models import CaseStatus, CaseUserObjectPermission
from cases.services import follow_up_create
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from referrals.models import Referral, ReferralStatus
from referrals.tests.factories import make_draft, make_sent

from .conftest import Browsing, browser_storage, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_assigns_closes_and_reopens_a_case(cast: Cast, open_browser: Callable[..., Browsing]) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    page = open_browser().new_page()
    sign_in(page, "sam")
    page.get_by_role("button", name=case.reference, exact=True).click()
    page.get_by_label("bob").check()
    page.get_by_role("button", name="Assign", exact=True).click()
    access = page.get_by_role("table", name="Who can see this case and why")
    expect(access.get_by_role("row").filter(has_text="bob")).to_contain_text("Assigned")  # drawn again from the API
    assert CaseUserObjectPermission.objects.filter(content_object=case, user=cast.bob, reason="assigned").exists()
    page.get_by_label("Closure reason").select_option(index=0)
    page.get_by_role("button", name="Close the case").click()
    expect(page.get_by_role("button", name="Reopen the case")).to_be_visible()
    case.refresh_from_db()
    assert case.status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)
    page.get_by_role("button", name="Reopen the case").click()
    expect(page.get_by_role("button", name="Close the case")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE


def test_a_supervisor_sees_the_teams_escalations(
    cast: Cast, open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    other_team = make_case(opened_by=cast.charlie, team=cast.team_b)
    late = timezone.localdate() - datetime.timedelta(days=4)
    follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=late, description="Call the shelter")
    follow_up_create(case=other_team, created_by=cast.charlie, assignee=cast.charlie, due_on=late, description="Kazan")
    referral = make_sent(case, cast.partner_org, cast.alice)
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - datetime.timedelta(days=8))
    page = open_browser().new_page()
    sign_in(page, "sam")
    page.get_by_role("button", name="Escalations").click()
    overdue = page.get_by_role("table", name="Overdue follow-ups in my teams")
    expect(overdue.get_by_role("row")).to_have_count(2)  # the heading row and the team's one; not team B's
    expect(overdue.get_by_role("row").nth(1)).to_contain_text("4 days late")
    expect(overdue.get_by_role("row").nth(1)).to_contain_text("Call the shelter")
    waiting = page.get_by_role("table", name="Referrals still without an answer")
    expect(waiting.get_by_role("row").filter(has_text=referral.reference)).to_contain_text("waiting 8 days")
    screenshot(page, "workspace-escalations")
    overdue.get_by_role("button", name=case.reference).click()
    expect(page.get_by_role("heading", name=f"Case {case.reference}")).to_be_visible()


def test_a_supervisor_sends_without_consent_by_override_with_a_reason(
    cast: Cast, open_browser: Callable[..., Browsing]
) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    draft = make_draft(case, cast.partner_org, cast.alice)
    browsing = open_browser()
    browsing.expect_refusal(400, f"/api/v1/referrals/{draft.pk}/send")
    page = browsing.new_page()
    sign_in(page, "sam")
    page.get_by_role("button", name="Referrals", exact=True).click()
    page.get_by_role("button", name=draft.reference).click()
    expect(page.get_by_text("Only where consent cannot be obtained")).to_be_visible()
    page.get_by_label("Why consent cannot be obtained").fill("urgent")
    page.get_by_role("button", name="Send without the survivor's consent").click()
    expect(page.locator("#f-override_reason-error")).to_contain_text("at least 10 characters")
    page.get_by_label("Why consent cannot be obtained").fill("Admitted to hospital unconscious tonight")
    page.get_by_role("button", name="Send without the survivor's consent").click()
    expect(page.get_by_role("button", name="Send without the survivor's consent")).to_have_count(0)
    draft.refresh_from_db()
    assert (draft.status, draft.consent_overridden_by) == (ReferralStatus.SENT, cast.sam)


def test_break_glass_by_reference_is_read_only_and_says_until_when(
    cast: Cast, open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    charlies = make_case(
        opened_by=cast.charlie,
        team=cast.team_b,
        survivor=make_survivor(created_by=cast.charlie, given_names="Malika-CANARY"),
    )
    page = open_browser().new_page()
    sign_in(page, "sam")
    page.get_by_label("Search by reference").fill(charlies.reference)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No cases match.")).to_be_visible()
    page.get_by_label("Why you need this case now").fill("The survivor is at our door and her caseworker is away")
    page.get_by_role("button", name="Open read-only").click()
    expect(page.get_by_role("status")).to_contain_text("Emergency access")
    expect(page.get_by_text("Malika-CANARY Survivor")).to_be_visible()
    expect(page.get_by_role("button", name="Add note")).to_have_count(0)  # read only
    screenshot(page, "workspace-break-glass")
    assert "CANARY" not in browser_storage(page)


def test_a_caseworker_switches_to_russian_and_her_time_zone(cast: Cast, open_browser: Callable[..., Browsing]) -> None:
    make_case(opened_by=cast.alice, team=cast.team_a)
    page = open_browser().new_page()
    sign_in(page, "alice")
    page.get_by_role("button", name="My account").click()
    page.get_by_label("Language").select_option("ru")
    page.get_by_label("Time zone").fill("Asia/Vladivostok")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Мои дела")).to_be_visible()
    expect(page.get_by_role("button", name="Контрольные сроки")).to_be_visible()
    cast.alice.refresh_from_db()
    assert (cast.alice.language, cast.alice.time_zone) == ("ru", "Asia/Vladivostok")


@pytest.mark.parametrize("width", [390, 1366])
def test_the_case_list_and_case_file_fit_the_screen(
    cast: Cast, open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path], width: int
) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    page = open_browser(viewport=(width, 768 if width > 400 else 844)).new_page()
    sign_in(page, "alice")
    overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    widest = """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
        .map(e => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 8)"""
    assert page.evaluate(overflow) <= 0, page.evaluate(widest)
    page.get_by_role("button", name=case.reference, exact=True).click()
    expect(page.get_by_role("heading", name=f"Case {case.reference}")).to_be_visible()
    assert page.evaluate(overflow) <= 0, page.evaluate(widest)
    if width == 390:
        screenshot(page, "workspace-case-390")


def test_the_workspace_works_from_the_keyboard_alone(cast: Cast, open_browser: Callable[..., Browsing]) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    page = open_browser().new_page()
    page.goto("/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My cases")).to_be_focused()  # focus follows the screen
    reference = page.get_by_role("button", name=case.reference, exact=True)
    for _ in range(40):
        page.keyboard.press("Tab")
        if reference.evaluate("node => node === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Case {case.reference}")).to_be_focused()
