"""The caseworker's journeys in the workspace, in Chromium (issue 14): register
a survivor after the duplicate check, open the case, write a note, set and
complete a follow-up, see who can see the case; the survivor's file with its
documents' expiry warnings, changed; milestones recorded and decided; a 412 between two browsers;
the lock screen; idle sign-out; sign out everywhere. After each journey the
browser's storage holds none of the canary PII typed in."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Request, expect

from accounts.models import Role, Team, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory, home_organisation
from cases.models import CaseNote, FollowUp
from cases.services import follow_up_create
from cases.tests.factories import make_case, make_survivor

from .conftest import Browsing, browser_storage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GIVEN = "Gulnara-CANARY"
FAMILY = "Karimova-CANARY"
NOTE = "CANARY-NOTE met at the bus station in Kazan"
# The case file's API calls, whatever the case holds (a caseworker's; supervisors add the team's colleagues).
CASE_FILE_CALLS = [
    "GET /cases/{}",
    "GET /survivors/{}",
    "GET /cases/{}/notes/",
    "GET /cases/{}/milestones/",
    "GET /cases/{}/follow-ups/",
    "GET /cases/{}/access/",
    "GET /cases/{}/consents/",
    "GET /referrals/",
    "GET /organisations/",
    "GET /survivors/{}/attachments/",
    "GET /cases/{}/attachments/",
]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _team_with(*usernames: str) -> tuple[Team, list[User]]:
    home = home_organisation()
    team = Team.objects.create(organisation=home, name="Moscow casework")
    users = [
        UserFactory.create(username=name, organisation=home, role=Role.CASEWORKER, teams=[team]) for name in usernames
    ]
    return team, users


def _sign_in(page: Page, username: str = "alice") -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()


def _api_calls(page: Page, action: Callable[[], None], at_least: int = 1) -> list[str]:
    """The API requests the page makes while ``action`` runs and it settles:
    once ``at_least`` were made (a loaded machine can pause longer than
    networkidle's 500 ms between a first call and the ones it leads to),
    then until the network is idle, so any call beyond them is caught too."""
    calls: list[str] = []

    def record(request: Request) -> None:
        if "/api/v1/" in request.url:
            path = request.url.split("/api/v1", 1)[1].split("?")[0]
            calls.append(request.method + " " + UUID.sub("{}", path))

    page.on("request", record)
    action()
    while len(calls) < at_least:  # each next request, 15 s at most: fewer calls than expected time out
        page.wait_for_event("request", timeout=15_000)
    page.wait_for_load_state("networkidle")
    page.remove_listener("request", record)
    return calls


def _no_canary_left(page: Page) -> None:
    storage = browser_storage(page)
    assert "CANARY" not in storage
    assert "CANARY" not in page.url and "CANARY" not in page.title()


def test_a_caseworker_registers_a_survivor_and_works_the_case(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    _team_with("alice")
    browsing = open_browser()
    page = browsing.new_page()
    _sign_in(page)
    page.get_by_role("button", name="Register a survivor").click()
    expect(page.get_by_role("heading", name="Register a survivor")).to_be_visible()
    page.get_by_label("Given names").fill(GIVEN)
    page.get_by_label("Family name").fill(FAMILY)
    page.get_by_label("Date of birth").fill("1999-04-12")
    page.get_by_role("button", name="Check for duplicates").click()
    expect(page.get_by_text("No one with these details is known.")).to_be_visible()
    page.get_by_label("Citizenships").fill("UZB")
    page.get_by_label("Languages").fill("uz, ru")
    screenshot(page, "workspace-register")
    page.get_by_role("button", name="Register and open a case").click()
    expect(page.get_by_role("heading", name="Case C-")).to_be_visible()
    expect(page.get_by_text(f"{GIVEN} {FAMILY}")).to_be_visible()

    page.get_by_label("New note").fill(NOTE)
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text(NOTE)).to_be_visible()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page.get_by_label("Due").fill(tomorrow)
    page.get_by_role("region", name="Follow-ups").get_by_label("Description").fill("Call the shelter")
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.get_by_role("cell", name="Call the shelter")).to_be_visible()
    access = page.get_by_role("table", name="Who can see this case and why")
    expect(access.get_by_role("cell", name="Opened the case")).to_be_visible()
    screenshot(page, "workspace-case")

    # the author changes her note; the follow-up moves to the day after tomorrow
    page.get_by_text("Change this note").click()
    page.get_by_label("Note", exact=True).fill(NOTE + " (corrected)")
    page.get_by_role("button", name="Save", exact=True).nth(1).click()
    expect(page.get_by_text(NOTE + " (corrected)")).to_be_visible()
    expect(page.get_by_text("changed", exact=False).first).to_be_visible()
    later = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    page.get_by_text("Change", exact=True).click()
    page.locator("#f-fu-0-due_on").fill(later)
    page.locator("#f-fu-0-description").fill("Call the shelter again")
    page.locator("form[data-prefix='fu-0-']").get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Call the shelter again")).to_be_visible()
    note = CaseNote.objects.get()
    follow_up = FollowUp.objects.get()
    assert (note.version, follow_up.version, follow_up.due_on.isoformat()) == (2, 2, later)

    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("cell", name="Done", exact=True)).to_be_visible()
    calls = _api_calls(page, lambda: page.get_by_role("button", name="My cases", exact=True).click())
    assert sorted(calls) == ["GET /cases/"]  # one call, whatever the number of cases
    expect(page.get_by_role("cell", name=f"{GIVEN} {FAMILY}")).to_be_visible()
    _no_canary_left(page)


def test_the_case_list_and_the_case_file_make_a_fixed_number_of_calls(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    team, (alice,) = _team_with("alice")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    cases = [
        make_case(opened_by=alice, team=team, survivor=make_survivor(created_by=alice, given_names=f"Person{n}"))
        for n in range(12)
    ]
    for case in cases[:3]:
        follow_up_create(case=case, created_by=alice, assignee=alice, due_on=yesterday, description="")
    page = open_browser().new_page()
    _sign_in(page)
    expect(page.get_by_role("row")).to_have_count(13)
    expect(page.get_by_text("overdue")).to_have_count(3)
    screenshot(page, "workspace-my-cases")
    calls = _api_calls(
        page,
        lambda: page.get_by_role("button", name=cases[0].reference, exact=True).click(),
        at_least=len(CASE_FILE_CALLS),
    )
    assert sorted(calls) == sorted(CASE_FILE_CALLS), calls
    page.get_by_role("button", name="My cases", exact=True).click()
    page.get_by_label("Search by reference").fill(cases[5].reference)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("row")).to_have_count(2)


def test_the_survivors_file_warns_of_expiring_documents_and_takes_changes(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    team, (alice,) = _team_with("alice")
    today = timezone.localdate()
    documents = [
        {
            "type": "passport",
            "number": "CANARY-P-1",
            "issuing_country": "UZB",
            "expiry": str(today - datetime.timedelta(days=3)),
        },
        {"type": "residence_permit", "number": "CANARY-R-2", "expiry": str(today + datetime.timedelta(days=30))},
        {"type": "national_id", "number": "CANARY-N-3", "expiry": str(today + datetime.timedelta(days=700))},
    ]
    survivor = make_survivor(created_by=alice, given_names=GIVEN, identity_documents=documents)
    case = make_case(opened_by=alice, team=team, survivor=survivor)
    browsing = open_browser()
    browsing.expect_refusal(400, f"/api/v1/survivors/{survivor.pk}")
    page = browsing.new_page()
    _sign_in(page)
    page.get_by_role("button", name=case.reference, exact=True).click()
    papers = page.get_by_role("table", name="Identity documents")
    expect(papers.get_by_role("row")).to_have_count(4)
    expect(papers.get_by_role("row").filter(has_text="CANARY-P-1")).to_contain_text("expired")
    expect(papers.get_by_role("row").filter(has_text="CANARY-R-2")).to_contain_text("expires in 30 days")
    expect(papers.get_by_role("row").filter(has_text="CANARY-N-3")).not_to_contain_text("expire")
    expect(papers.get_by_role("cell", name="Passport")).to_be_visible()

    page.get_by_text("Change identity, contact details or documents").click()
    page.get_by_label("Middle names").fill("CANARY-MIDDLE")
    page.get_by_label("Phone").fill("+7 900 000 00 00")
    page.get_by_role("button", name="Remove this document").first.click()  # the expired passport
    page.get_by_role("button", name="Add a document").click()
    page.locator("#f-identity_documents\\.2\\.number").fill("CANARY-V-4")
    page.locator("#f-identity_documents\\.2\\.type").select_option("visa")
    page.locator("#f-identity_documents\\.2\\.issuing_country").fill("k1")
    page.get_by_role("button", name="Save", exact=True).last.click()
    # the API's error for the third document's country appears under that field, and nothing changed
    expect(page.locator("#f-identity_documents\\.2\\.issuing_country-error")).not_to_be_empty()
    survivor.refresh_from_db()
    assert survivor.version == 1 and len(survivor.identity_documents or []) == 3
    page.locator("#f-identity_documents\\.2\\.issuing_country").fill("kaz")
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(papers.get_by_role("row").filter(has_text="CANARY-V-4")).to_contain_text("Visa")
    expect(papers.get_by_role("row").filter(has_text="CANARY-P-1")).to_have_count(0)
    expect(page.get_by_text("CANARY-MIDDLE")).to_be_visible()
    survivor.refresh_from_db()
    assert survivor.middle_names == "CANARY-MIDDLE" and survivor.version == 2
    documents_now = survivor.identity_documents or []
    assert [doc["number"] for doc in documents_now] == ["CANARY-R-2", "CANARY-N-3", "CANARY-V-4"]
    assert documents_now[2]["issuing_country"] == "KAZ"
    page.get_by_role("heading", name="The survivor's file").evaluate("node => node.scrollIntoView()")
    screenshot(page, "workspace-survivor-file")
    _no_canary_left(page)


def test_milestones_are_recorded_decided_and_completed(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    team, (alice,) = _team_with("alice")
    case = make_case(opened_by=alice, team=team)
    page = open_browser().new_page()
    _sign_in(page)
    page.get_by_role("button", name=case.reference, exact=True).click()
    expect(page.get_by_text("No milestones recorded.")).to_be_visible()
    page.get_by_label("Milestone", exact=True).select_option("reasonable_grounds")
    page.get_by_label("Deciding body").fill("CANARY-BODY National Referral Mechanism")
    page.get_by_role("button", name="Record", exact=True).click()
    milestones = page.get_by_role("table", name="Identification, recovery period and support plan")
    first = milestones.get_by_role("row").filter(has_text="Reasonable grounds decision")
    expect(first).to_contain_text("Pending")
    expect(first).to_contain_text("CANARY-BODY")
    first.get_by_label("Decision").select_option("positive")
    first.get_by_role("button", name="Record the decision").click()
    expect(first).to_contain_text("Positive")
    page.get_by_label("Milestone", exact=True).select_option("recovery_period")
    expect(page.get_by_label("Deciding body")).to_be_hidden()
    page.get_by_role("button", name="Record", exact=True).click()
    period = milestones.get_by_role("row").filter(has_text="Recovery and reflection period")
    expect(period).to_be_visible()
    page.get_by_role("heading", name="Identification, recovery period and support plan").evaluate(
        "node => node.scrollIntoView()"
    )
    screenshot(page, "workspace-milestones")
    period.get_by_role("button", name="Mark complete").click()
    expect(period.get_by_role("button", name="Mark complete")).to_have_count(0)
    decided = case.milestones.get(kind="reasonable_grounds")
    assert (decided.decision, decided.completed_on, decided.version) == ("positive", timezone.localdate(), 2)
    recovery = case.milestones.get(kind="recovery_period")
    assert recovery.ends_on is not None and recovery.completed_on == timezone.localdate()
    _no_canary_left(page)


def test_the_duplicate_check_names_no_one_it_may_not_show(open_browser: Callable[..., Browsing]) -> None:
    _team_with("alice")
    other = Team.objects.create(organisation=home_organisation(), name="Kazan casework")
    charlie = UserFactory.create(
        username="charlie", organisation=other.organisation, role=Role.CASEWORKER, teams=[other]
    )
    make_case(
        opened_by=charlie, team=other, survivor=make_survivor(created_by=charlie, given_names=GIVEN, family_name=FAMILY)
    )
    page = open_browser().new_page()
    _sign_in(page)
    page.get_by_role("button", name="Register a survivor").click()
    page.get_by_label("Given names").fill(GIVEN)
    page.get_by_label("Family name").fill(FAMILY)
    page.get_by_role("button", name="Check for duplicates").click()
    expect(page.get_by_text("known elsewhere in the organisation")).to_be_visible()
    expect(page.get_by_role("button", name="Open their cases")).to_have_count(0)
    _no_canary_left(page)


def test_two_browsers_changing_one_follow_up_never_overwrite_each_other(
    open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    team, (alice,) = _team_with("alice")
    case = make_case(opened_by=alice, team=team)
    follow_up_create(case=case, created_by=alice, assignee=alice, due_on=timezone.localdate(), description="Visit")
    first = open_browser()
    second = open_browser()
    second.expect_refusal(412, f"/api/v1/cases/{case.pk}/follow-ups/{case.follow_ups.get().pk}")
    pages = [first.new_page(), second.new_page()]
    for page in pages:
        _sign_in(page)
        page.get_by_role("button", name=case.reference, exact=True).click()
        expect(page.get_by_role("cell", name="Visit")).to_be_visible()
    pages[0].get_by_role("button", name="Mark done").click()
    expect(pages[0].get_by_role("cell", name="Done", exact=True)).to_be_visible()
    pages[1].get_by_role("button", name="Mark done").click()
    expect(pages[1].get_by_role("alert").filter(has_text="Someone else changed this")).to_be_visible()
    screenshot(pages[1], "workspace-conflict")
    pages[1].get_by_role("button", name="Reload and try again").click()
    expect(pages[1].get_by_role("cell", name="Done", exact=True)).to_be_visible()
    assert case.follow_ups.get().version == 2  # one change, not two


def test_the_lock_screen_blanks_at_once_and_needs_the_password(open_browser: Callable[..., Browsing]) -> None:
    team, (alice,) = _team_with("alice")
    make_case(opened_by=alice, team=team, survivor=make_survivor(created_by=alice, given_names=GIVEN))
    browsing = open_browser()
    browsing.expect_refusal(401, "/api/v1/auth/unlock")
    browsing.expect_refusal(401, "/api/v1/cases/")
    page = browsing.new_page()
    _sign_in(page)
    expect(page.get_by_text(GIVEN)).to_be_visible()
    page.get_by_role("button", name="Lock screen").click()
    expect(page.get_by_role("heading", name="Screen locked")).to_be_visible()
    assert GIVEN not in page.content()
    status = page.evaluate("async () => (await fetch('/api/v1/cases/', {credentials: 'same-origin'})).status")
    assert status == 401  # the server refuses the locked session, not only the page
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_text(GIVEN)).to_be_visible()
    _no_canary_left(page)


def test_an_idle_workspace_warns_then_signs_out(open_browser: Callable[..., Browsing], settings: Any) -> None:
    settings.NGO_SESSION_IDLE_TIMEOUT = 4  # the warning shows at once (a minute before the end)
    _team_with("alice")
    page = open_browser().new_page()
    _sign_in(page)
    expect(page.get_by_role("alertdialog")).to_contain_text("You will be signed out")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("signed out after")
    state = page.evaluate("async () => (await (await fetch('/api/v1/auth/session')).json()).signed_in")
    assert state is False


def test_sign_out_everywhere_ends_the_other_browsers_session(open_browser: Callable[..., Browsing]) -> None:
    _team_with("alice")
    laptop = open_browser().new_page()
    phone_context = open_browser()
    phone_context.expect_refusal(401, "/api/v1/follow-ups/")
    phone = phone_context.new_page()
    _sign_in(laptop)
    _sign_in(phone)
    laptop.get_by_role("button", name="Sign out everywhere").click()
    expect(laptop.get_by_role("heading", name="Sign in")).to_be_visible()
    phone.get_by_role("button", name="Follow-ups", exact=True).click()
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
