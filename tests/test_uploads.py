"""What a file must be before it is stored (ngo_cases/uploads.py): the kind
from the content, images without metadata, PDFs that are PDFs without
active content."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import NameObject, TextStringObject

from ngo_cases.errors import Invalid
from ngo_cases.uploads import FileKind, PdfScan, check_pdf, reencode, refuse_kind, sniff

CANARY = "CANARY-CAMERA-OWNER"
GPS_IFD = 0x8825


def prepare(data: bytes) -> tuple[FileKind, bytes]:
    """The checks an upload streams through (attachments/staging.py), on bytes
    in memory: its kind, and the bytes as they would be stored (images
    re-encoded without metadata; PDFs as they came, once checked)."""
    kind = sniff(data[:16])
    if kind is None:
        raise refuse_kind()
    if kind == FileKind.PDF:
        scan = PdfScan()
        scan.feed(data)
        scan.finish()
        check_pdf(io.BytesIO(data))
        return kind, data
    return kind, reencode(data, kind)


def _photo(fmt: str, *, orientation: int | None = None, size: tuple[int, int] = (40, 20)) -> bytes:
    """A small picture with EXIF: a GPS position, the camera owner's name, an orientation."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.putpixel((0, 0), (0, 0, 255))  # a marker in the top-left corner
    exif = Image.Exif()
    exif[0x013B] = CANARY  # Artist
    exif[0x010F] = "CANARY-MAKE"  # Make
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


def _pdf(*, javascript: bool = False, pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if javascript:
        writer.add_open_action(JavaScript("app.alert('hello');"))
    writer.add_metadata({NameObject("/Title"): TextStringObject("statement")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_images_lose_every_piece_of_metadata_and_stay_upright(fmt: str) -> None:
    original = _photo(fmt, orientation=6)  # "rotate 90° clockwise to view"
    assert CANARY.encode() in original
    kind, stored = prepare(original)
    assert kind == FileKind(fmt.lower())
    assert CANARY.encode() not in stored and b"CANARY-MAKE" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD) and 0x013B not in exif and 0x0112 not in exif
        assert image.size == (20, 40)  # turned as the orientation said, so the photo still looks right


def test_the_kind_comes_from_the_content_not_the_name() -> None:
    assert sniff(b"%PDF-1.7\n") == FileKind.PDF
    assert sniff(b"MZ\x90\x00") is None  # a Windows executable, whatever it is called
    assert sniff(b"<html><script>") is None


@pytest.mark.parametrize(
    "payload",
    [
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100,  # a Windows executable named scan.pdf
        b"\x7fELF\x02\x01\x01" + b"\x00" * 100,
        b"#!/bin/sh\nrm -rf /\n",
        b"PK\x03\x04" + b"\x00" * 100,  # a zip (or docx) named photo.jpg
        b"",
    ],
)
def test_anything_else_is_refused(payload: bytes) -> None:
    with pytest.raises(Invalid) as refused:
        prepare(payload)
    assert list(refused.value.errors) == ["file"]


def test_a_disguised_file_with_an_image_header_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        prepare(b"\xff\xd8\xff\xe0" + b"MZ this is not a picture" * 10)
    assert "could not be read" in refused.value.errors["file"][0]


def test_pdfs_are_parsed_and_refused_with_active_content() -> None:
    plain = _pdf(pages=2)
    assert prepare(plain) == (FileKind.PDF, plain)
    with pytest.raises(Invalid) as refused:
        prepare(_pdf(javascript=True))
    assert "scripts" in refused.value.errors["file"][0]
    with pytest.raises(Invalid) as refused:
        prepare(b"%PDF-1.7\n this is not really a PDF")
    assert "could not be read" in refused.value.errors["file"][0]


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(settings: Any) -> None:
    settings.NGO_ATTACHMENT_MAX_PIXELS = 100
    with pytest.raises(Invalid) as refused:
        prepare(_photo("PNG", size=(20, 20)))
    assert "too many pixels" in refused.value.errors["file"][0]


def _pdf_opening_a_script() -> bytes:
    """A PDF whose open action runs a script (check_pdf is called on it
    directly: inside a compressed object stream the byte scan could not see it)."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_parsed_pdf_is_checked_where_the_byte_scan_cannot_see() -> None:
    from ngo_cases.uploads import check_pdf

    data = _pdf_opening_a_script()
    with pytest.raises(Invalid) as refused:
        check_pdf(io.BytesIO(data))
    assert "scripts" in refused.value.errors["file"][0]
    check_pdf(io.BytesIO(_pdf(pages=1)))  # a plain PDF passes


def test_the_streaming_scan_finds_a_name_split_between_two_chunks() -> None:
    from ngo_cases.uploads import PdfScan

    scan = PdfScan()
    scan.feed(b"%PDF-1.7 ... /Java")
    with pytest.raises(Invalid):
        scan.feed(b"Script (x) ...")
    clean = PdfScan()
    for piece in (b"%PDF-1.7 /Type /Cat", b"alog /Pages 2 0 R"):
        clean.feed(piece)
