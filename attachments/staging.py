"""A file on its way into storage, fed as it arrives (an upload's chunks):
its kind decided from its first bytes, scanned, checked and encrypted, so
that no plaintext is ever written anywhere — temporary files included.

* PDFs stream straight through: each chunk is scanned for active content,
  sent to the virus scanner and encrypted into the storage; once complete,
  pypdf parses the stored file through a decrypting, seekable reader.
* Images must be decoded and re-encoded to lose their metadata, which needs
  the whole picture: they are kept in memory (never on disk) up to the size
  limit, re-encoded, then scanned and encrypted.
* Anything else is refused from its first bytes, before more is read.

The staged object has a random storage name and a random file key, and
belongs to no survivor yet: ``attachments.services.attachment_create``
wraps the key with the survivor's data key and writes the row. Until that
row exists, ``close()`` (which Django calls on every uploaded file when
the response is done, after the request's transaction) deletes the object — so a refused, failed
or rolled-back upload leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ngo_cases import virus_scan as scan
from ngo_cases.crypto import stream
from ngo_cases.crypto.aead import KEY_BYTES
from ngo_cases.errors import TooLarge
from ngo_cases.uploads import CONTENT_TYPES, FileKind, PdfScan, check_pdf, reencode, refuse_kind, sniff

from .storage import attachment_storage, new_storage_name, open_for_writing

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 16
_NAME_LIMIT = 255


def too_large() -> TooLarge:
    limit = settings.NGO_ATTACHMENT_MAX_BYTES
    return TooLarge(_("The file is larger than %(mb)s MB.") % {"mb": f"{limit / 1_000_000:g}"})


def clean_file_name(name: str | None) -> str:
    """The name as the survivor's file will show it: no path, no control
    characters, at most 255 characters (kept encrypted)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:_NAME_LIMIT] or "file"


class StagedFile:
    """One upload in progress, then stored (see the module's docstring)."""

    def __init__(self, client_name: str | None) -> None:
        self.id = uuid.uuid4()
        self.file_key = os.urandom(KEY_BYTES)
        self.storage_name = new_storage_name()
        self.name = clean_file_name(client_name)
        self.kind: FileKind | None = None
        self.received = 0  # bytes of the upload
        self.size = 0  # bytes stored (an image after re-encoding)
        self.committed = False
        self._head = b""
        self._image: bytearray | None = None
        self._out: Any = None
        self._encryptor: stream.Encryptor | None = None
        self._pdf_scan: PdfScan | None = None
        self._virus_scan: scan.Scan | None = None
        self._written = False

    @property
    def content_type(self) -> str:
        assert self.kind is not None  # noqa: S101 - asked once stored
        return CONTENT_TYPES[self.kind]

    # --- feeding ---------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        try:
            self.received += len(data)
            if self.received > settings.NGO_ATTACHMENT_MAX_BYTES:
                raise too_large()
            if self.kind is None:
                self._head += data
                if len(self._head) < _SNIFF_BYTES:
                    return
                data, self._head = self._head, b""
                self._begin(data)
            self._take(data)
        except BaseException:
            self.discard()
            raise

    def complete(self) -> StagedFile:
        """Everything has arrived: finish storing and checking."""
        try:
            if self.kind is None:  # a file shorter than the sniffed prefix
                data, self._head = self._head, b""
                self._begin(data)
                self._take(data)
            if self._image is not None:
                picture = reencode(bytes(self._image), self.kind)  # type: ignore[arg-type]
                self._image = None
                self._open_output()
                self._take_plain(picture)
            self._finish_output()
            if self.kind == FileKind.PDF:
                with self.open_plaintext_seekable() as reader:
                    check_pdf(reader)
            return self
        except BaseException:
            self.discard()
            raise

    def _begin(self, head: bytes) -> None:
        kind = sniff(head[:_SNIFF_BYTES])
        if kind is None:
            raise refuse_kind()
        self.kind = kind
        if kind == FileKind.PDF:
            self._pdf_scan = PdfScan()
            self._open_output()
        else:
            self._image = bytearray()

    def _take(self, data: bytes) -> None:
        if self._image is not None:
            self._image += data
            return
        assert self._pdf_scan is not None  # noqa: S101
        self._pdf_scan.feed(data)
        self._take_plain(data)

    def _open_output(self) -> None:
        self._virus_scan = scan.Scan() if scan.configured() else None
        self._encryptor = stream.Encryptor(self.file_key, self.id)
        self._out = open_for_writing(self.storage_name)
        self._written = True
        self._out.write(self._encryptor.header())

    def _take_plain(self, data: bytes) -> None:
        assert self._encryptor is not None  # noqa: S101
        if self._virus_scan is not None:
            self._virus_scan.feed(data)
        self.size += len(data)
        sealed = self._encryptor.update(data)
        if sealed:
            self._out.write(sealed)

    def _finish_output(self) -> None:
        assert self._encryptor is not None  # noqa: S101
        if self._virus_scan is not None:
            self._virus_scan.finish()
            self._virus_scan = None
        self._out.write(self._encryptor.finish())
        self._out.close()
        self._out = None

    # --- reading back (the PDF check) ------------------------------------------------------

    def open_plaintext_seekable(self) -> Any:
        storage = attachment_storage()
        raw = storage.open(self.storage_name, "rb")
        return _Closing(
            stream.SeekableDecryptor(self.file_key, self.id, raw, encrypted_bytes=storage.size(self.storage_name)),
            raw,
        )

    # --- the end of the request ---------------------------------------------------------------

    def discard(self) -> None:
        """Forget everything: the plaintext in memory, the stored object."""
        self._image = None
        if self._virus_scan is not None:
            self._virus_scan.close()
            self._virus_scan = None
        if self._out is not None:
            with contextlib.suppress(OSError):
                self._out.close()
            self._out = None
        if self._written and not self.committed:
            self._written = False
            try:
                attachment_storage().delete(self.storage_name)
            except Exception:
                # The sweeper (attachments.tasks) removes what no row names.
                logger.exception("staged attachment %s could not be deleted", self.id)

    def close(self) -> None:
        """Django closes every uploaded file when the response is done (after
        the request's transaction ended): the object stays only if a row
        names it by then."""
        if self.committed or not self._written:
            return
        from .models import Attachment

        try:
            kept = Attachment.objects.filter(storage_name=self.storage_name).exists()
        except Exception:
            logger.exception("staged attachment %s: could not tell whether it was kept", self.id)
            return  # the sweeper decides later; never delete what may be named
        if kept:
            self.committed = True
        else:
            self.discard()


class _Closing:
    """The seekable reader as a context manager that also closes the raw file."""

    def __init__(self, reader: stream.SeekableDecryptor, raw: Any) -> None:
        self.reader, self.raw = reader, raw

    def __enter__(self) -> stream.SeekableDecryptor:
        return self.reader

    def __exit__(self, *exc: Any) -> None:
        self.reader.close()
        self.raw.close()
