"""The directory in the workspace, in Chromium (issue 14): the home NGO's
coordinator adds an organisation, a service it offers and a contact, turns
the service off, removes the contact; a caseworker reads the directory but
gets no forms; a partner's coordinator has no directory at all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Organisation
from conftest import Cast
from referrals.models import OrganisationContact, OrganisationService

from .conftest import Browsing, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_keeps_the_directory(
    cast: Cast, open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path]
) -> None:
    page = open_browser().new_page()
    sign_in(page, "cora", "Referrals")
    page.get_by_role("button", name="Directory").click()
    expect(page.get_by_role("table", name="Directory").get_by_role("button", name="Partner Shelter")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Kazan Legal Aid")
    page.get_by_label("Short name (letters, digits, dashes)").fill("kazan-legal")
    page.get_by_label("Type", exact=True).select_option("NGO")
    page.get_by_label("Region", exact=True).fill("Tatarstan")
    page.get_by_role("button", name="Add an organisation").click()
    expect(page.get_by_role("heading", name="Kazan Legal Aid")).to_be_visible()
    organisation = Organisation.objects.get(slug="kazan-legal")

    page.get_by_label("Service", exact=True).select_option("legal_aid")
    page.get_by_label("Regions served (separated by commas)").fill("Tatarstan, Mari El")
    page.get_by_label("Languages").fill("ru, tt")
    page.get_by_role("button", name="Add a service").click()
    offered = page.get_by_role("table", name="Services offered")
    expect(offered.get_by_role("row").filter(has_text="Tatarstan, Mari El")).to_contain_text("ru, tt")
    page.get_by_label("Contact's name").fill("Rustam Gilmanov")
    page.get_by_label("Position").fill("Lawyer")
    page.get_by_label("Phone", exact=True).fill("+7 843 000 00 00")
    page.get_by_role("button", name="Add a contact").click()
    contacts = page.get_by_role("table", name="Contacts")
    expect(contacts.get_by_role("cell", name="Rustam Gilmanov")).to_be_visible()
    screenshot(page, "workspace-directory")

    offered.get_by_role("button", name="Deactivate").click()
    expect(offered.get_by_role("button", name="Activate")).to_be_visible()
    contacts.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("No contacts recorded.")).to_be_visible()
    service = OrganisationService.objects.get(organisation=organisation)
    assert (service.active, service.regions, service.languages) == (False, ["Tatarstan", "Mari El"], ["ru", "tt"])
    assert not OrganisationContact.objects.filter(organisation=organisation).exists()


def test_caseworkers_read_the_directory_and_partners_have_none(
    cast: Cast, open_browser: Callable[..., Browsing]
) -> None:
    reader = open_browser().new_page()
    sign_in(reader, "alice", "My cases")
    reader.get_by_role("button", name="Directory").click()
    reader.get_by_role("button", name="Partner Shelter").click()
    expect(reader.get_by_role("heading", name="Partner Shelter")).to_be_visible()
    expect(reader.get_by_role("heading", name="Services offered")).to_be_visible()
    expect(reader.get_by_role("button", name="Add a service")).to_have_count(0)
    expect(reader.get_by_text("Change this organisation")).to_have_count(0)
    partner = open_browser().new_page()
    sign_in(partner, "petra", "Referrals")
    expect(partner.get_by_role("button", name="Directory")).to_be_hidden()
