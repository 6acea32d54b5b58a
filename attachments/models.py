"""An attachment: one encrypted file on a survivor (identity documents,
photos) or on a case (optionally tied to a note, milestone or follow-up).

The row holds what the file is in clear only where that says nothing about
the survivor (its category, kind and size); its name, content type and
description are encrypted with the survivor's data key, and its content
lies in the attachments storage under a random name, encrypted with a
file key that is itself wrapped with the survivor's data key
(ngo_cases/crypto/stream.py). Erasing the survivor shreds both.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ngo_cases.crypto.fields import EncryptedCharField, EncryptedModel, EncryptedTextField
from ngo_cases.db import UUIDModel, VersionedModel
from ngo_cases.history import tracked
from ngo_cases.uploads import FileKind


class Category(models.TextChoices):
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    PHOTO = "photo", _("Photo")
    MEDICAL = "medical", _("Medical certificate or record")
    POLICE = "police", _("Police statement or report")
    IDENTIFICATION_DECISION = "identification_decision", _("Identification decision")
    LEGAL = "legal", _("Legal document")
    OTHER = "other", _("Other")


@tracked(exclude=["wrapped_key", "storage_name"])
class Attachment(UUIDModel, VersionedModel, EncryptedModel):
    survivor = models.ForeignKey("cases.Survivor", on_delete=models.PROTECT, related_name="attachments")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    note = models.ForeignKey("cases.CaseNote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    milestone = models.ForeignKey("cases.Milestone", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    follow_up = models.ForeignKey("cases.FollowUp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    # --- in clear: nothing about the survivor ------------------------------------------------
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    file_kind = models.CharField(_("kind of file"), max_length=8, choices=FileKind.choices)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    # Where the ciphertext lies: random, so the storage sees neither a name nor an id.
    storage_name = models.CharField(max_length=80, unique=True, editable=False)
    # The file key, sealed with the survivor's data key (stream.wrap_file_key).
    wrapped_key = models.BinaryField(editable=False)

    # --- encrypted with the survivor's data key ------------------------------------------------
    name = EncryptedCharField(_("file name"), max_length=255)
    content_type = EncryptedCharField(_("content type"), max_length=100)
    description = EncryptedTextField(_("description"))

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(condition=Q(category__in=Category.values), name="attachment_category_valid"),
            models.CheckConstraint(condition=Q(file_kind__in=FileKind.values), name="attachment_kind_valid"),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(note__isnull=True, milestone__isnull=True, follow_up__isnull=True),
                name="attachment_parts_need_a_case",
            ),
        ]
        indexes = [
            models.Index(fields=["survivor", "-created_at"], name="attachment_survivor_created"),
            models.Index(fields=["case", "-created_at"], name="attachment_case_created"),
        ]

    def __str__(self) -> str:
        # Never the file name: this string reaches logs and admin titles.
        return f"Attachment {self.pk}"


class StoredObjectDeletion(models.Model):
    """A stored file still to delete (its row is gone: deleted by a user or
    shredded with an erased survivor). The storage is not transactional, so
    deletion happens after commit, from this queue, retried until the
    storage confirms it; the name is random and says nothing."""

    storage_name = models.CharField(max_length=80, unique=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("stored file to delete")
        verbose_name_plural = _("stored files to delete")

    def __str__(self) -> str:
        return f"Stored object {self.pk}"
