"""Reading attachments: lists and one attachment within the parent the URL
named (already checked by its access helper), and the plaintext stream."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from cases.models import Case, Survivor
from ngo_cases.crypto import keys, stream
from ngo_cases.errors import get_or_not_found

from .models import Attachment
from .storage import attachment_storage

READ_BLOCK = 256 * 1024


def attachment_list_of_survivor(*, survivor: Survivor) -> QuerySet[Attachment]:
    """The survivor's own attachments (identity documents, photos), not those of their cases."""
    return Attachment.objects.filter(survivor=survivor, case__isnull=True).select_related("data_key")


def attachment_list_of_case(*, case: Case) -> QuerySet[Attachment]:
    return Attachment.objects.filter(case=case).select_related("data_key")


def attachments_of_case_and_survivor(case: Case) -> QuerySet[Attachment]:
    """What a referral of ``case`` may share: the case's attachments and its survivor's own."""
    return Attachment.objects.filter(Q(case=case) | Q(survivor_id=case.survivor_id, case__isnull=True))


def attachments_shared_by(referral: Any) -> QuerySet[Attachment]:
    """What a referral shares, if its reader may open it (``documents_open``,
    referrals/permissions.py); else nothing."""
    if not referral.documents_open:
        return Attachment.objects.none()
    return referral.shared_attachments.select_related("data_key")


def attachment_shared_by(*, referral: Any, attachment_id: uuid.UUID) -> Attachment:
    return get_or_not_found(attachments_shared_by(referral), pk=attachment_id)


def attachment_of_survivor(*, survivor: Survivor, attachment_id: uuid.UUID) -> Attachment:
    return get_or_not_found(attachment_list_of_survivor(survivor=survivor), pk=attachment_id)


def attachment_of_case(*, case: Case, attachment_id: uuid.UUID) -> Attachment:
    return get_or_not_found(attachment_list_of_case(case=case).select_related("case"), pk=attachment_id)


def attachment_plaintext(attachment: Attachment) -> Iterator[bytes]:
    """The file's content, decrypted and checked one chunk at a time as it
    is read from the storage (DecryptionFailed if anything was changed)."""
    file_key = stream.unwrap_file_key(
        keys.data_cipher(attachment.data_key), attachment.pk, bytes(attachment.wrapped_key)
    )
    raw = attachment_storage().open(attachment.storage_name, "rb")

    def blocks() -> Iterator[bytes]:
        with raw:
            while block := raw.read(READ_BLOCK):
                yield block

    return stream.decrypt(file_key, attachment.pk, blocks())
