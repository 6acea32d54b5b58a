"""What a file must be before it is stored (attachments, issue 17): its kind
decided by its content — never by the name or content type a client sends —
from an allow-list; images decoded and re-encoded so that no metadata
(EXIF, GPS position, camera serial, XMP, comments) survives; PDFs parsed to
prove they are PDFs, and refused with active content.

A photo taken on a phone carries where it was taken; a scan's metadata can
name the device and its owner. Stripping by re-encoding (rather than
removing known tags) keeps nothing the encoder did not write itself.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import Invalid


class FileKind(models.TextChoices):
    PDF = "pdf", _("PDF document")
    JPEG = "jpeg", _("JPEG image")
    PNG = "png", _("PNG image")
    WEBP = "webp", _("WebP image")


CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.WEBP: "image/webp",
}
_PILLOW_FORMATS = {FileKind.JPEG: "JPEG", FileKind.PNG: "PNG", FileKind.WEBP: "WEBP"}
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {"JPEG": {"quality": 92}, "WEBP": {"quality": 92}, "PNG": {"optimize": True}}
# Names in a PDF that run something when it is opened, or carry other files.
_ACTIVE_PDF_NAMES = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")


def sniff(head: bytes) -> FileKind | None:
    """The kind of a file from its first bytes, if it is one we take."""
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileKind.WEBP
    return None


def _refuse(message: Any) -> Invalid:
    return Invalid({"file": [message]})


def prepare(data: bytes) -> tuple[FileKind, bytes]:
    """The file as it will be stored: its kind, and its bytes (images
    re-encoded without metadata; PDFs as they came, once checked). Anything
    else is :class:`Invalid` naming ``file``."""
    kind = sniff(data[:16])
    if kind is None:
        raise _refuse(_("This kind of file is not accepted: upload a PDF, JPEG, PNG or WebP file."))
    if kind == FileKind.PDF:
        _check_pdf(data)
        return kind, data
    return kind, _reencode(data, kind)


def _reencode(data: bytes, kind: FileKind) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    damaged = _refuse(_("The image could not be read; it may be damaged."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != _PILLOW_FORMATS[kind]:
                raise damaged
            width, height = probe.size
            if width * height > settings.NGO_ATTACHMENT_MAX_PIXELS:
                raise _refuse(_("The image is too large (too many pixels)."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)  # the orientation tag goes; the picture stays upright
            if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                upright = upright.convert("RGB")
            if kind == FileKind.JPEG and upright.mode != "L":
                upright = upright.convert("RGB")
            out = io.BytesIO()
            options: dict[str, Any] = _SAVE_OPTIONS[_PILLOW_FORMATS[kind]]
            upright.save(out, format=_PILLOW_FORMATS[kind], **options)  # no exif=, icc_profile=, pnginfo=: none kept
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise damaged from None


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
        root: Any = reader.trailer["/Root"]
        names: Any = root.get("/Names") or {}
        catalog_active = any(key in names for key in ("/JavaScript", "/EmbeddedFiles")) or (
            "/OpenAction" in root and b"/JS" in data
        )
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError, OSError):
        raise _refuse(_("The PDF could not be read; it may be damaged.")) from None
    if pages < 1:
        raise _refuse(_("The PDF has no pages."))
    if catalog_active or any(name in data for name in _ACTIVE_PDF_NAMES):
        raise _refuse(_("PDFs with scripts, embedded files or actions are not accepted: print it to a new PDF first."))
