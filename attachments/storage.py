"""Where attachments' ciphertext lies: Django's storage named
``attachments`` (settings.STORAGES). The filesystem under var/attachments
for ``make run`` and the tests; S3-compatible object storage through
django-storages in production (docs/operations.md). Either way the storage
receives only ``ngo_cases.crypto.stream`` output under random names.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages


def attachment_storage() -> Storage:
    return storages["attachments"]


def new_storage_name() -> str:
    """32 random bytes, base32: no id, no date, no name."""
    token = base64.b32encode(os.urandom(32)).decode("ascii").rstrip("=").lower()
    return f"{token[:2]}/{token}"


def open_for_writing(name: str) -> Any:
    """A new object opened for writing (the upload writes it chunk by chunk)."""
    return attachment_storage().open(name, "wb")


class PrivateFileSystemStorage(FileSystemStorage):
    """The filesystem storage, for files only this process reads: created
    0600 in 0700 directories, never overwritten, never served by URL."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" not in mode:
            return File(open(self.path(name), mode))
        path = self.path(name)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        return File(os.fdopen(descriptor, "wb"))

    def url(self, name: str | None) -> str:
        raise NotImplementedError("attachments are never served by URL; the API streams them")
