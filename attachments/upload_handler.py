"""Django's upload handler for attachment uploads: every chunk of the part
named ``file`` goes into a :class:`~attachments.staging.StagedFile` as it
arrives. Django's own handlers are not used on these routes: above 2.5 MB
they write the upload to a temporary file in clear.

Installed per request by the upload views (``StreamedUpload``) before
anything reads the body — DRF's session authentication reads it for its
CSRF check. Errors leave here as API exceptions, so that DRF's
authentication step answers them like any other refusal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext_lazy as _

from ngo_cases.api.errors import problem_from_domain
from ngo_cases.errors import DomainError, Invalid

from .staging import StagedFile, too_large

# Room for the form's other fields and the multipart boundaries.
FORM_OVERHEAD_BYTES = 64 * 1024


class EncryptingUploadHandler(FileUploadHandler):
    chunk_size = 64 * 1024

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.staged: StagedFile | None = None

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        if content_length > settings.NGO_ATTACHMENT_MAX_BYTES + FORM_OVERHEAD_BYTES:
            raise problem_from_domain(too_large())

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != "file":
            raise SkipFile()  # only the part named file is read
        if self.staged is not None:
            raise problem_from_domain(Invalid({"file": [_("Send one file per upload.")]}))
        self.staged = StagedFile(file_name)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self.staged is not None  # noqa: S101 - Django calls new_file first
        try:
            self.staged.write(raw_data)
        except DomainError as error:
            raise problem_from_domain(error) from None

    def file_complete(self, file_size: int) -> StagedFile | None:  # type: ignore[override]
        if self.staged is None:
            return None
        try:
            return self.staged.complete()
        except DomainError as error:
            raise problem_from_domain(error) from None

    def upload_interrupted(self) -> None:
        if self.staged is not None:
            self.staged.discard()
