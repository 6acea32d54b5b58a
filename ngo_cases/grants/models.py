"""The abstract grant rows every object type with grants declares.

A grant is a django-guardian direct foreign-key row (user or group,
permission, object) with why it exists (``reason``), who made it
(``granted_by``), when, and — for user grants, and for group grants whose
model declares the column — when it ends (``expires_at``). Roles,
``is_staff`` and ``is_superuser`` grant nothing.

The concrete models declare ``content_object`` (the foreign key to their
object), ``reason`` with their own choices, and their indexes; see
cases.models and referrals.models."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.dispatch import Signal
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

# Sent with ``grants=[...]`` after rows were made with bulk_create, which
# sends no post_save; the access log listens (audit.signals).
grants_created = Signal()


class GrantRow:
    """What user and group grants share beyond their columns."""

    # The object's attribute naming the case it belongs to, for the access
    # log's case_ids ("pk": the object is a case).
    case_attribute: ClassVar[str] = "pk"
    # select_related for the access list (see access_entry_extras).
    entry_related: ClassVar[tuple[str, ...]] = ()

    reason: Any
    permission_id: Any
    content_object_id: Any

    def access_entry_extras(self) -> dict[str, Any]:
        """What this object type adds to an access-list entry (team,
        referral, justification)."""
        return {}


class UserGrant(GrantRow, UserObjectPermissionBase):
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = True

    def __str__(self) -> str:
        return f"{self.permission_id} on {self.content_object_id} for {self.user_id} ({self.reason})"


class GroupGrant(GrantRow, GroupObjectPermissionBase):
    """A group's grant. Declare ``expires_at`` on the concrete model where
    group grants end (the scoping SQL checks it only there)."""

    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = True

    def __str__(self) -> str:
        return f"{self.permission_id} on {self.content_object_id} for group {self.group_id} ({self.reason})"
