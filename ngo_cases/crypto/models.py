"""The key store: one data key per survivor, wrapped by a master key.

The table lives in its own PostgreSQL schema, ``keystore``, so that backups
of case data can leave it out and key backups can follow their own, short,
retention (docs/security.md, "Key custody"). Case tables point at it without
a database foreign key for the same reason: each dump restores on its own.
A data key's row holds no personal data, only the wrapped key.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class DataKey(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # AES-256-GCM(master key of `master_version`, data key); NULL once destroyed.
    wrapped_key = models.BinaryField(null=True)
    master_version = models.PositiveIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = 'keystore"."crypto_datakey'
        verbose_name = "data key"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(wrapped_key__isnull=False, master_version__isnull=False, destroyed_at__isnull=True)
                    | Q(wrapped_key__isnull=True, master_version__isnull=True, destroyed_at__isnull=False)
                ),
                name="datakey_live_or_destroyed",
            )
        ]
        indexes = [models.Index(fields=["master_version"], name="datakey_master_version")]

    def __str__(self) -> str:
        return f"data key {self.id} ({'destroyed' if self.destroyed_at else f'master v{self.master_version}'})"
