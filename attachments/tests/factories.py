from __future__ import annotations

import io

from pypdf import PdfWriter

from accounts.models import User
from attachments.models import Attachment
from attachments.services import attachment_create
from attachments.staging import StagedFile
from cases.models import Case, Survivor


def small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_attachment(
    *, by: User, survivor: Survivor, case: Case | None = None, data: bytes | None = None, name: str = "scan.pdf"
) -> Attachment:
    """An attachment stored as an upload would be (through a StagedFile)."""
    staged = StagedFile(name)
    staged.write(data if data is not None else small_pdf())
    staged.complete()
    return attachment_create(staged=staged, survivor=survivor, case=case, uploaded_by=by, category="other")
