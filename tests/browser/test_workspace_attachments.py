"""Documents in the workspace, in Chromium (issue 17): the caseworker
uploads a scan to the case and a photo to the survivor's file, downloads
them back (the photo without its metadata), shares the scan with a referral,
and the partner caseworker downloads it from the referral; deleting takes
it off the list. No canary in anyone's browser storage."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from attachments.models import Attachment
from attachments.tests.factories import small_pdf
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from referrals.models import Referral
from referrals.services import referral_send
from referrals.tests.factories import assign, give_referral_consent

from .conftest import Browsing, browser_storage, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCAN_NAME = "Passport-CANARY-Umarova.pdf"


def _photo_with_exif(path: Path) -> Path:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010E] = "CANARY-EXIF-where-it-was-taken"
    image.save(path, format="JPEG", exif=exif)
    return path


def _section(page: Page, title: str) -> object:
    return page.locator("section", has=page.get_by_role("heading", name=title, exact=True))


def test_documents_go_up_come_down_are_shared_and_deleted(
    cast: Cast, open_browser: Callable[..., Browsing], screenshot: Callable[[Page, str], Path], tmp_path: Path
) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a, survivor=make_survivor(given_names="Madina-CANARY"))
    scan = tmp_path / SCAN_NAME
    scan.write_bytes(small_pdf())
    photo = _photo_with_exif(tmp_path / "face.jpg")

    sender = open_browser()
    sender.expect_refusal(400, f"/api/v1/cases/{case.pk}/attachments/")  # the refused file, on purpose
    alice = sender.new_page()
    sign_in(alice, "alice", "My cases")
    alice.get_by_role("button", name=case.reference, exact=True).click()
    case_docs = _section(alice, "Documents of the case")
    case_docs.get_by_label("File (PDF, JPEG, PNG or WebP)").set_input_files(str(scan))  # type: ignore[attr-defined]
    case_docs.get_by_label("Category").select_option(label="Identity document")  # type: ignore[attr-defined]
    case_docs.get_by_role("button", name="Upload").click()  # type: ignore[attr-defined]
    expect(alice.get_by_role("link", name=SCAN_NAME)).to_be_visible()
    survivor_docs = _section(alice, "The survivor's documents")
    survivor_docs.get_by_label("File (PDF, JPEG, PNG or WebP)").set_input_files(str(photo))  # type: ignore[attr-defined]
    survivor_docs.get_by_label("Category").select_option(label="Photo")  # type: ignore[attr-defined]
    survivor_docs.get_by_role("button", name="Upload").click()  # type: ignore[attr-defined]
    expect(alice.get_by_role("link", name="face.jpg")).to_be_visible()
    alice.get_by_role("heading", name="Documents of the case").scroll_into_view_if_needed()
    screenshot(alice, "workspace-documents")

    with alice.expect_download() as scan_download:
        alice.get_by_role("link", name=SCAN_NAME).click()
    assert scan_download.value.suggested_filename == SCAN_NAME
    assert Path(scan_download.value.path()).read_bytes() == small_pdf()
    with alice.expect_download() as photo_download:
        alice.get_by_role("link", name="face.jpg").click()
    stored = Path(photo_download.value.path()).read_bytes()
    assert b"CANARY-EXIF" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (64, 48)

    # a file the API refuses: the message under the file field
    fake = tmp_path / "invoice.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf at all")
    case_docs = _section(alice, "Documents of the case")
    case_docs.get_by_label("File (PDF, JPEG, PNG or WebP)").set_input_files(str(fake))  # type: ignore[attr-defined]
    case_docs.get_by_role("button", name="Upload").click()  # type: ignore[attr-defined]
    expect(alice.get_by_text("This kind of file is not accepted")).to_be_visible()

    # a referral sharing the scan only
    alice.get_by_label("To", exact=True).last.select_option(label="Partner Shelter")
    alice.get_by_label("Shelter", exact=True).check()
    alice.get_by_label("Reason", exact=True).fill("Needs a safe place.")
    alice.get_by_label(f"{SCAN_NAME} (Identity document)").check()
    alice.get_by_role("button", name="Create referral").click()
    expect(alice.get_by_role("heading", name="Referral R-")).to_be_visible()
    referral = Referral.objects.get()
    assert [a.name for a in referral.shared_attachments.select_related("data_key")] == [SCAN_NAME]
    assert "documents" in referral.shared_groups
    give_referral_consent(case, cast.partner_org, cast.alice)
    referral = assign(referral_send(referral=referral, acting_user=cast.alice, expected_version=referral.version),
                      cast.pat, cast.petra)  # fmt: skip

    partner = open_browser().new_page()
    sign_in(partner, "pat", "Referrals")
    partner.get_by_role("button", name=referral.reference, exact=True).click()
    expect(partner.get_by_role("heading", name="Shared documents")).to_be_visible()
    expect(partner.get_by_role("link", name="face.jpg")).to_have_count(0)  # not shared
    screenshot(partner, "workspace-partner-documents")
    with partner.expect_download() as shared_download:
        partner.get_by_role("link", name=SCAN_NAME).click()
    assert Path(shared_download.value.path()).read_bytes() == small_pdf()

    # the caseworker deletes the photo
    alice.get_by_role("button", name="Open the case file").click()
    _section(alice, "The survivor's documents").get_by_role("button", name="Delete").click()  # type: ignore[attr-defined]
    expect(alice.get_by_role("link", name="face.jpg")).to_have_count(0)
    assert Attachment.objects.count() == 1
    for page in (alice, partner):
        assert "CANARY" not in browser_storage(page)
