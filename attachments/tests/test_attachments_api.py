"""Attachments over the API: upload streams into the cipher (no plaintext on
disk, temporary files included), downloads stream out of it; access is the
parent's; every listing and download is in the access log; erasure deletes."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pypdf import PdfWriter
from rest_framework.test import APIClient

from accounts.models import User
from attachments.models import Attachment, StoredObjectDeletion
from attachments.tasks import delete_stored_objects
from audit.models import AccessLogEntry
from cases.models import Case
from cases.services import survivor_erase
from cases.tests.factories import make_case
from conftest import Cast

Client = Callable[[User | None], APIClient]
PROBLEM = "application/problem+json"
CANARY_NAME = "Passport-Zarina-Canary-7Q.pdf"
CANARY_TEXT = b"CANARY-ATTACHMENT-CONTENT-91X"


def pdf(*, pages: int = 1, filler: bytes = b"") -> bytes:
    """A real PDF holding the canary text (and optional filler) in a comment."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    # after %%EOF, where a reader ignores it
    return out.getvalue() + b"%" + CANARY_TEXT + b"\n" + (b"%" + filler + b"\n" if filler else b"")


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010E] = "CANARY-EXIF-DESCRIPTION"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def content(response: Any) -> bytes:
    """A streamed download's body."""
    return b"".join(response.streaming_content)


def upload(client: APIClient, url: str, data: bytes, name: str = CANARY_NAME, **fields: Any) -> Any:
    handle = io.BytesIO(data)
    handle.name = name
    return client.post(url, {"file": handle, "category": "identity_document", **fields}, format="multipart")


@pytest.fixture
def alices_case(cast: Cast) -> Case:
    return make_case(opened_by=cast.alice, team=cast.team_a)


def case_files(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/attachments/"


def survivor_files(case: Case) -> str:
    return f"/api/v1/survivors/{case.survivor_id}/attachments/"


def stored_bytes(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in directory.rglob("*") if path.is_file())


# --- round trip -----------------------------------------------------------------------------


def test_a_pdf_goes_up_encrypted_and_comes_down_the_same(
    cast: Cast, client_for: Client, alices_case: Case, attachment_dir: Path
) -> None:
    data = pdf(filler=os.urandom(300_000).hex().encode())  # several chunks
    as_alice = client_for(cast.alice)
    created = upload(as_alice, case_files(alices_case), data, description="Scan of the passport")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == CANARY_NAME and body["file_kind"] == "pdf" and body["size"] == len(data)
    assert body["content_type"] == "application/pdf" and body["description"] == "Scan of the passport"
    assert body["download_url"] == f"{case_files(alices_case)}{body['id']}/content"
    assert created["ETag"]

    # on disk: ciphertext only, under a random name
    files = [path for path in attachment_dir.rglob("*") if path.is_file()]
    assert len(files) == 1 and body["id"] not in str(files[0]) and "Zarina" not in str(files[0])
    assert CANARY_TEXT not in stored_bytes(attachment_dir) and b"%PDF" not in stored_bytes(attachment_dir)
    # in the row: the name and description are ciphertext
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, description FROM attachments_attachment")
        row = cursor.fetchone()
    assert b"Zarina" not in bytes(row[0]) and b"passport" not in bytes(row[1])

    download = as_alice.get(body["download_url"])
    assert download.status_code == 200
    assert content(download) == data
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Length"] == str(len(data))
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Passport-Zarina-Canary-7Q.pdf" in download["Content-Disposition"]
    assert download["Cache-Control"] == "no-store" and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"].startswith("sandbox")

    listed = as_alice.get(case_files(alices_case)).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


def test_an_upload_writes_no_temporary_file(
    cast: Cast, client_for: Client, alices_case: Case, settings: Any, tmp_path: Path
) -> None:
    """Django's default handlers spool an upload over 2.5 MB to a temporary
    file in clear; the attachment routes never use them."""
    spool = tmp_path / "spool"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    settings.FILE_UPLOAD_HANDLERS = ["attachments.tests.test_attachments_api.RefusingHandler"]
    data = pdf(filler=os.urandom(2_000_000).hex().encode())  # 4 MB
    created = upload(client_for(cast.alice), case_files(alices_case), data)
    assert created.status_code == 201, created.content
    assert list(spool.iterdir()) == []


class RefusingHandler:
    """Stands in for Django's default upload handlers: fails if ever used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("the default upload handlers were used")


def test_images_lose_their_metadata_on_the_way_in(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_alice = client_for(cast.alice)
    original = photo_with_gps()
    assert b"CANARY-EXIF-DESCRIPTION" in original
    created = upload(as_alice, survivor_files(alices_case), original, name="face.jpg")
    assert created.status_code == 201, created.content
    stored = content(as_alice.get(created.json()["download_url"]))
    assert b"CANARY-EXIF-DESCRIPTION" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (40, 30) and not image.getexif()


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "passport.pdf"),  # a Windows executable called a PDF
        (b"#!/bin/sh\nrm -rf /\n", "scan.jpg"),
        (b"PK\x03\x04" + b"\x00" * 100, "documents.png"),
        (b"", "empty.pdf"),
    ],
)
def test_other_kinds_of_file_are_refused_and_nothing_is_stored(
    cast: Cast, client_for: Client, alices_case: Case, attachment_dir: Path, payload: bytes, name: str
) -> None:
    refused = upload(client_for(cast.alice), case_files(alices_case), payload, name=name)
    assert refused.status_code == 400 and refused["Content-Type"] == PROBLEM
    assert "file" in refused.json()["errors"]
    assert Attachment.objects.count() == 0
    assert stored_bytes(attachment_dir) == b""


def test_a_file_over_the_limit_is_413_and_leaves_nothing(
    cast: Cast, client_for: Client, alices_case: Case, attachment_dir: Path, settings: Any
) -> None:
    settings.NGO_ATTACHMENT_MAX_BYTES = 200_000
    refused = upload(client_for(cast.alice), case_files(alices_case), pdf(filler=b"x" * 250_000))
    assert refused.status_code == 413 and refused["Content-Type"] == PROBLEM
    assert Attachment.objects.count() == 0 and stored_bytes(attachment_dir) == b""
    # just under the limit is taken
    assert upload(client_for(cast.alice), case_files(alices_case), pdf(filler=b"x" * 150_000)).status_code == 201


def test_a_pdf_with_a_script_is_refused(
    cast: Cast, client_for: Client, alices_case: Case, attachment_dir: Path
) -> None:
    refused = upload(client_for(cast.alice), case_files(alices_case), pdf(filler=b"/JavaScript (app.alert(1))"))
    assert refused.status_code == 400
    assert stored_bytes(attachment_dir) == b""


# --- access ----------------------------------------------------------------------------------


def test_access_is_the_parents(cast: Cast, client_for: Client, alices_case: Case) -> None:
    created = upload(client_for(cast.alice), case_files(alices_case), pdf()).json()
    item = f"{case_files(alices_case)}{created['id']}"
    for persona, expected in [("alice", 200), ("sam", 200), ("bob", 404), ("charlie", 404), ("pat", 403)]:
        client = client_for(cast.persona(persona))
        assert client.get(item).status_code == expected, persona
        assert client.get(f"{item}/content").status_code == expected, persona
    # a case's attachment is not reachable under another case or under the survivor
    other = make_case(opened_by=cast.alice, team=cast.team_a)
    assert client_for(cast.alice).get(f"{case_files(other)}{created['id']}").status_code == 404
    assert client_for(cast.alice).get(f"{survivor_files(alices_case)}{created['id']}").status_code == 404


def test_break_glass_reads_but_never_writes(cast: Cast, client_for: Client, alices_case: Case) -> None:
    from django.contrib.auth.models import Permission

    created = upload(client_for(cast.alice), case_files(alices_case), pdf()).json()
    cast.charlie.user_permissions.add(Permission.objects.get(codename="break_glass_case"))
    as_charlie = client_for(cast.charlie)
    opened = as_charlie.post(f"/api/v1/cases/{alices_case.pk}/break-glass", {"reason": "Survivor at the door"})
    assert opened.status_code == 201, opened.content
    assert as_charlie.get(created["download_url"]).status_code == 200
    assert upload(as_charlie, case_files(alices_case), pdf()).status_code == 403
    etag = as_charlie.get(f"{case_files(alices_case)}{created['id']}")["ETag"]
    assert as_charlie.delete(f"{case_files(alices_case)}{created['id']}", HTTP_IF_MATCH=etag).status_code == 403


def test_listing_and_download_are_in_the_access_log(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_alice = client_for(cast.alice)
    created = upload(as_alice, case_files(alices_case), pdf()).json()
    as_alice.get(case_files(alices_case))
    as_alice.get(created["download_url"])
    entries = AccessLogEntry.objects.filter(object_type="attachment").order_by("id")
    assert [entry.action for entry in entries] == ["write", "read", "download"]
    for entry in entries:
        assert [str(i) for i in entry.object_ids] == [created["id"]]
        assert [str(i) for i in entry.case_ids] == [str(alices_case.pk)]
        assert [str(i) for i in entry.survivor_ids] == [str(alices_case.survivor_id)]


def test_the_list_has_a_fixed_query_count(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_alice = client_for(cast.alice)
    upload(as_alice, case_files(alices_case), pdf())
    with CaptureQueriesContext(connection) as one:
        assert as_alice.get(case_files(alices_case)).status_code == 200
    for _ in range(4):
        upload(as_alice, case_files(alices_case), pdf())
    with CaptureQueriesContext(connection) as five:
        assert len(as_alice.get(case_files(alices_case)).json()["results"]) == 5
    assert len(five) == len(one)


# --- deletion and erasure -----------------------------------------------------------------------


def test_delete_needs_if_match_and_removes_the_stored_object(
    cast: Cast, client_for: Client, alices_case: Case, attachment_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    as_alice = client_for(cast.alice)
    created = upload(as_alice, case_files(alices_case), pdf()).json()
    item = f"{case_files(alices_case)}{created['id']}"
    assert as_alice.delete(item).status_code == 428
    etag = as_alice.get(item)["ETag"]
    with django_capture_on_commit_callbacks() as callbacks:
        assert as_alice.delete(item, HTTP_IF_MATCH=etag).status_code == 204
    assert len(callbacks) == 1  # the deletion task, sent once the row's deletion commits
    assert not Attachment.objects.exists() and StoredObjectDeletion.objects.count() == 1
    assert stored_bytes(attachment_dir) != b""  # not before the commit
    assert delete_stored_objects() == 1
    assert not StoredObjectDeletion.objects.exists() and stored_bytes(attachment_dir) == b""
    assert as_alice.get(item).status_code == 404
    assert AccessLogEntry.objects.filter(object_type="attachment", action="delete").count() == 1


def test_an_erased_survivors_files_are_unreadable_and_gone(
    cast: Cast, client_for: Client, alices_case: Case, attachment_dir: Path
) -> None:
    from ngo_cases.crypto import keys, stream
    from ngo_cases.crypto.errors import KeyDestroyed
    from ngo_cases.crypto.models import DataKey

    as_alice = client_for(cast.alice)
    upload(as_alice, case_files(alices_case), pdf())
    upload(as_alice, survivor_files(alices_case), pdf())
    assert len([p for p in attachment_dir.rglob("*") if p.is_file()]) == 2
    before = list(Attachment.objects.values_list("id", "wrapped_key", "data_key_id"))
    survivor_erase(survivor=alices_case.survivor, acting_user=cast.sam)
    # unreadable at once: no file key can be unwrapped (backups of the storage included)
    for attachment_id, wrapped, data_key_id in before:
        with pytest.raises(KeyDestroyed):
            stream.unwrap_file_key(keys.data_cipher(DataKey.objects.get(pk=data_key_id)), attachment_id, bytes(wrapped))
    assert not Attachment.objects.exists()
    assert StoredObjectDeletion.objects.count() == 2
    assert delete_stored_objects() == 2
    assert stored_bytes(attachment_dir) == b""


@pytest.mark.django_db(transaction=True)
def test_a_download_racing_a_deletion_gets_the_whole_file_or_a_404(
    cast: Cast, client_for: Client, alices_case: Case
) -> None:
    data = pdf(filler=os.urandom(400_000).hex().encode())
    as_alice = client_for(cast.alice)
    created = upload(as_alice, case_files(alices_case), data).json()
    item = f"{case_files(alices_case)}{created['id']}"
    etag = as_alice.get(item)["ETag"]
    results: list[Any] = []

    def download() -> None:
        response = client_for(cast.alice).get(created["download_url"])
        body = content(response) if response.status_code == 200 else b""
        results.append((response.status_code, body))
        connection.close()

    def delete() -> None:
        results.append((client_for(cast.alice).delete(item, HTTP_IF_MATCH=etag).status_code, None))
        connection.close()

    threads = [threading.Thread(target=download), threading.Thread(target=delete), threading.Thread(target=download)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (204, None) in results
    for status, body in results:
        if body is not None:
            assert (status, body) in ((200, data), (404, b"")), status


def test_the_admin_shows_counts_never_names(cast: Cast, alices_case: Case) -> None:
    from django.test import Client as DjangoClient
    from django.urls import reverse

    from attachments.tests.factories import make_attachment

    make_attachment(by=cast.alice, survivor=alices_case.survivor, case=alices_case, name=CANARY_NAME)
    make_attachment(by=cast.alice, survivor=alices_case.survivor, name=CANARY_NAME)
    for persona in ("adam", "sam"):
        client = DjangoClient()
        client.force_login(cast.persona(persona))
        case_page = client.get(reverse("admin:cases_case_change", args=[alices_case.pk])).content.decode()
        survivor_page = client.get(reverse("admin:cases_survivor_change", args=[alices_case.survivor_id])).content
        assert '<div class="readonly">1</div>' in case_page.split("field-attachment_count", 1)[1][:600], persona
        assert b'<div class="readonly">2</div>' in survivor_page.split(b"field-attachment_count", 1)[1][:600]
        assert "Zarina" not in case_page and b"Zarina" not in survivor_page


@pytest.mark.django_db(transaction=True)
def test_no_canary_in_the_disk_a_database_dump_or_the_logs(
    cast: Cast, client_for: Client, attachment_dir: Path, caplog: Any
) -> None:
    from cases.tests.test_encryption_at_rest import pg_dump

    caplog.set_level("DEBUG")
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    as_alice = client_for(cast.alice)
    created = upload(as_alice, case_files(case), pdf(), description="CANARY-DESCRIPTION-Kazan").json()
    assert content(as_alice.get(created["download_url"])) == pdf()
    refused = upload(as_alice, case_files(case), b"MZ" + CANARY_TEXT, name="CANARY-REFUSED-NAME.exe")
    assert refused.status_code == 400
    needles = [CANARY_TEXT, b"Zarina", b"CANARY-DESCRIPTION", b"CANARY-REFUSED-NAME"]
    dump = pg_dump()
    assert b"attachments_attachment" in dump
    logs = caplog.text.encode()
    disk = stored_bytes(attachment_dir) + "".join(str(p) for p in attachment_dir.rglob("*")).encode()
    for needle in needles:
        for where, haystack in (("dump", dump), ("logs", logs), ("disk", disk)):
            assert needle not in haystack and needle.hex().encode() not in haystack, (where, needle)


def test_rotating_the_master_key_re_encrypts_no_file(
    cast: Cast, client_for: Client, alices_case: Case, attachment_dir: Path, settings: Any
) -> None:
    import base64

    from ngo_cases.crypto.services import master_key_rotate

    current = settings.NGO_MASTER_KEYS
    as_alice = client_for(cast.alice)
    created = upload(as_alice, case_files(alices_case), pdf()).json()
    stored_before = stored_bytes(attachment_dir)
    top = max(int(part.split(":", 1)[0]) for part in current.split(","))
    settings.NGO_MASTER_KEYS = f"{top + 1}:{base64.b64encode(os.urandom(32)).decode()},{current}"
    assert master_key_rotate().rewrapped >= 1
    assert stored_bytes(attachment_dir) == stored_before  # the files are untouched
    assert content(as_alice.get(created["download_url"])) == pdf()


def test_nothing_is_uploaded_to_an_erased_survivor(
    cast: Cast, client_for: Client, alices_case: Case, attachment_dir: Path
) -> None:
    survivor_erase(survivor=alices_case.survivor, acting_user=cast.sam)
    for url in (survivor_files(alices_case), case_files(alices_case)):
        refused = upload(client_for(cast.alice), url, pdf())
        assert refused.status_code == 409 and refused["Content-Type"] == PROBLEM, url
    assert stored_bytes(attachment_dir) == b""


def test_a_case_document_belongs_to_one_of_its_notes_or_none(cast: Cast, client_for: Client, alices_case: Case) -> None:
    from cases.services import case_note_create

    note = case_note_create(case=alices_case, author=cast.alice, body="Met at the shelter.")
    other_note = case_note_create(
        case=make_case(opened_by=cast.alice, team=cast.team_a), author=cast.alice, body="Elsewhere."
    )
    as_alice = client_for(cast.alice)
    tied = upload(as_alice, case_files(alices_case), pdf(), note=str(note.pk))
    assert tied.status_code == 201 and tied.json()["note"] == str(note.pk)
    refused = upload(as_alice, case_files(alices_case), pdf(), note=str(other_note.pk))
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["note"]
    assert Attachment.objects.count() == 1
