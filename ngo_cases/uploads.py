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


def refuse_kind() -> Invalid:
    return _refuse(_("This kind of file is not accepted: upload a PDF, JPEG, PNG or WebP file."))


def reencode(data: bytes, kind: FileKind) -> bytes:
    """An image decoded and written again upright, with no metadata."""
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
            # the orientation tag goes, the picture stays upright; in place: one copy of the pixels, not two
            ImageOps.exif_transpose(image, in_place=True)
            upright: Image.Image = image
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


class PdfScan:
    """Watches a PDF go by, chunk by chunk, for the names of active content
    (scripts, launch actions, embedded files), also where a name straddles
    two chunks. Raises :class:`Invalid` as soon as one is seen, so that an
    upload stops early."""

    _keep = max(map(len, _ACTIVE_PDF_NAMES)) - 1

    def __init__(self) -> None:
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        window = self._tail + chunk
        if any(name in window for name in _ACTIVE_PDF_NAMES):
            raise _active()
        self._tail = window[-self._keep :]

    def finish(self) -> None:
        self._tail = b""


def _active() -> Invalid:
    return _refuse(_("PDFs with scripts, embedded files or actions are not accepted: print it to a new PDF first."))


def _has_action(obj: Any) -> bool:
    """An /AA (additional actions) or an /A of a kind that runs something."""
    if "/AA" in obj:
        return True
    action = obj.get("/A")
    if action is not None:
        action = action.get_object() if hasattr(action, "get_object") else action
        return action.get("/S") in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute")
    return False


def check_pdf(file: Any) -> None:
    """Parses the PDF from a seekable file (the upload's decrypting reader:
    pypdf seeks and reads what it needs) and refuses one that has no pages or
    whose catalog, pages or annotations run something — what the byte scan
    cannot see inside compressed object streams."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(file, strict=False)
        pages = reader.pages
        count = len(pages)
        root: Any = reader.trailer["/Root"]
        names: Any = root.get("/Names") or {}
        acroform: Any = root.get("/AcroForm") or {}
        open_action: Any = root.get("/OpenAction")
        open_action = open_action.get_object() if open_action is not None else None
        active = (
            any(key in names for key in ("/JavaScript", "/EmbeddedFiles"))
            or (hasattr(open_action, "get") and _has_action({"/A": open_action}))  # a destination array is harmless
            or "/AA" in root
            or "/XFA" in acroform
        )
        for page in pages if not active else ():
            if "/AA" in page:
                active = True
                break
            for annotation in page.get("/Annots") or ():
                if _has_action(annotation.get_object()):
                    active = True
                    break
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError, OSError, RecursionError):
        raise _refuse(_("The PDF could not be read; it may be damaged.")) from None
    if count < 1:
        raise _refuse(_("The PDF has no pages."))
    if active:
        raise _active()
