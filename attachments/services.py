"""Writing attachments: storing an upload against its survivor or case,
deleting one, and deleting every stored object of an erased survivor.

Stored objects are not transactional: a new one is kept only if its row
exists when the request is over (``StagedFile.close``); a deleted row's
object is queued (``StoredObjectDeletion``) in the same transaction and
removed after commit by ``attachments.tasks.delete_stored_objects``, so a
rolled-back deletion never loses a file and a committed one never leaves it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.models import Case, CaseNote, FollowUp, Milestone, Survivor
from cases.services import case_require_open
from ngo_cases.crypto import keys, stream
from ngo_cases.errors import Conflict, Invalid
from ngo_cases.versioning import versioned_delete

from .models import Attachment, Category, StoredObjectDeletion
from .staging import StagedFile

logger = logging.getLogger(__name__)


def _part_of(case: Case, model: Any, part_id: uuid.UUID | None, field: str) -> Any:
    if part_id is None:
        return None
    part = model.objects.filter(case=case, pk=part_id).first()
    if part is None:
        raise Invalid({field: [_("Not part of this case.")]})
    return part


@transaction.atomic
def attachment_create(
    *,
    staged: StagedFile,
    survivor: Survivor,
    uploaded_by: User,
    category: str,
    description: str = "",
    case: Case | None = None,
    note_id: uuid.UUID | None = None,
    milestone_id: uuid.UUID | None = None,
    follow_up_id: uuid.UUID | None = None,
) -> Attachment:
    """The row for a staged upload: its file key wrapped with the survivor's
    data key, its name and description encrypted. On a case, the case must
    be open; the note, milestone or follow-up must be the case's."""
    if category not in Category.values:
        raise Invalid({"category": ["Not a category of attachment."]})
    if case is not None:
        case_require_open(case)
    if survivor.is_erased:
        raise Conflict(_("This survivor's record was erased."))
    attachment = Attachment(
        id=staged.id,
        survivor=survivor,
        case=case,
        note=_part_of(case, CaseNote, note_id, "note") if case else None,
        milestone=_part_of(case, Milestone, milestone_id, "milestone") if case else None,
        follow_up=_part_of(case, FollowUp, follow_up_id, "follow_up") if case else None,
        category=category,
        file_kind=str(staged.kind),
        size=staged.size,
        storage_name=staged.storage_name,
        data_key_id=survivor.data_key_id,
        name=staged.name,
        content_type=staged.content_type,
        description=description,
        created_by=uploaded_by,
    )
    attachment.data_key = survivor.data_key
    attachment.wrapped_key = stream.seal_file_key(keys.data_cipher(survivor.data_key), staged.id, staged.file_key)
    attachment.save(force_insert=True)
    logger.info(
        "attachment %s stored (%s, %d bytes) by user %s", attachment.pk, staged.kind, staged.size, uploaded_by.pk
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, acting_user: User, expected_version: int) -> None:
    """Delete the row now and its stored object after commit."""
    if attachment.case is not None:
        case_require_open(attachment.case)
    storage_name = attachment.storage_name
    versioned_delete(attachment, expected=expected_version)
    queue_stored_object_deletion([storage_name])
    logger.info("attachment %s deleted by user %s", attachment.pk, acting_user.pk)


def queue_stored_object_deletion(storage_names: list[str]) -> None:
    """Delete these stored objects once the transaction commits (and, until
    the storage confirms, on every run of the hourly task)."""
    if not storage_names:
        return
    StoredObjectDeletion.objects.bulk_create(
        [StoredObjectDeletion(storage_name=name) for name in storage_names], ignore_conflicts=True
    )
    from .tasks import delete_stored_objects

    transaction.on_commit(delete_stored_objects.delay)


def on_survivor_erased(*, survivor: Survivor, **kwargs: Any) -> None:
    """Erasure: the survivor's data key is destroyed, so every file key and
    file is already unreadable; the rows go (their names and descriptions
    are ciphertext no key opens) and the stored objects are deleted too."""
    attachments = Attachment.objects.filter(survivor=survivor)
    names = list(attachments.values_list("storage_name", flat=True))
    attachments.delete()
    queue_stored_object_deletion(names)
    logger.info("survivor %s erased: %d attachments deleted", survivor.pk, len(names))
