"""Model building blocks shared by every app."""

from __future__ import annotations

import uuid

from django.db import models


class UUIDModel(models.Model):
    """Public ids are UUIDs (SPEC section 6), known before the first save."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """A row whose updates are guarded by ETag/If-Match.

    ``version`` goes up by one on every update made through
    :func:`ngo_cases.api.concurrency.versioned_update`, which checks the
    version the client read in the same UPDATE statement.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
