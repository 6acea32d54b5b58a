"""No link or button in the admin leads a person to a refusal: every role
that may use the admin walks the index, each screen it lists, the first
object of each list and that object's buttons (History, Object permissions,
Reset password, Reset two-factor sign-in …); none answers 403 or 500."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from accounts.models import Role, Team
from accounts.tests.factories import UserFactory, home_organisation
from cases.tests.factories import make_case

from .conftest import Browsing
from .test_admin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _links(page: Page, selector: str) -> list[str]:
    hrefs = page.locator(selector).evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/admin/") and "logout" not in h]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.SUPERVISOR])
def test_no_admin_link_leads_to_a_refusal(role: str, open_browser: Callable[..., Browsing]) -> None:
    home = home_organisation()
    team = Team.objects.create(organisation=home, name="Moscow casework")
    alice = UserFactory.create(username="alice", organisation=home, role=Role.CASEWORKER, teams=[team])
    UserFactory.create(username="sam", organisation=home, role=Role.SUPERVISOR, teams=[team])
    make_case(opened_by=alice, team=team)
    person = "sam" if role == Role.SUPERVISOR else "person"
    if role != Role.SUPERVISOR:
        UserFactory.create(username=person, organisation=home, role=role)
    page = open_browser().new_page()
    sign_in(page, person)
    refused: list[str] = []
    seen: set[str] = set()
    for screen in _links(page, "#content-main .model a, #content-main table a"):
        path = urlsplit(screen).path
        if path in seen or path.endswith("/add/"):
            continue
        seen.add(path)
        response = page.goto(screen)
        assert response is not None
        if response.status >= 400:
            refused.append(f"{response.status} {screen}")
            continue
        rows = _links(page, "#result_list tbody tr a")
        if not rows:
            continue
        response = page.goto(rows[0])
        assert response is not None
        if response.status >= 400:
            refused.append(f"{response.status} {rows[0]}")
            continue
        for button in _links(page, ".object-tools a, .field-mfa_status a, #content-main form a.button"):
            answer = page.request.get(button)
            if answer.status >= 400:
                refused.append(f"{answer.status} {button} (from {rows[0]})")
    assert seen, "the index listed no screens"
    assert not refused, "\n".join(refused)
