"""The access log: who looked at or touched which survivor, case or
referral data, when, from where, and why; plus authentication events and
grants. No personal data: ids, roles, route names, addresses.

The database keeps it honest (migration 0002):

* UPDATE and DELETE of entries and chain links are refused by triggers;
* at commit, a deferred trigger adds the entry's :class:`ChainLink`: the
  next ``seq`` and ``hash = sha256(prev_hash || seq || the entry's
  canonical text)``, under an advisory lock held only while the
  transaction commits, so entries are chained in commit order, a read never
  waits for another's request, and no row is ever updated;
* ``manage.py verify_audit_chain`` recomputes every hash with the same SQL
  function (``audit_entry_hash``) and names the first broken link.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from ngo_cases.access_log import Action


class AccessLogEntry(models.Model):
    at = models.DateTimeField(_("time"), db_default=models.functions.Now(), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    ip = models.GenericIPAddressField(_("address"), null=True)
    endpoint = models.CharField(_("endpoint"), max_length=200, blank=True)
    method = models.CharField(_("method"), max_length=8, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=32, blank=True)
    object_ids = ArrayField(models.UUIDField(), default=list, blank=True, verbose_name=_("objects"))
    case_ids = ArrayField(models.UUIDField(), default=list, blank=True, verbose_name=_("cases"))
    survivor_ids = ArrayField(models.UUIDField(), default=list, blank=True, verbose_name=_("survivors"))
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("concerning user"),
        help_text=_("Whose access was granted or withdrawn, whose token."),
    )
    break_glass_grant_id = models.BigIntegerField(
        _("break-glass grant"), null=True, help_text=_("The break-glass grant the read went through.")
    )
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    detail = models.CharField(
        _("detail"), max_length=200, blank=True, help_text=_("Codes only, e.g. a grant's reason and permission.")
    )

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-id"]
        default_permissions = ("view",)
        permissions = [("export_accesslogentry", _("Can export the access log"))]
        indexes = [
            models.Index(fields=["-at"], name="accesslog_at"),
            models.Index(fields=["actor", "-at"], name="accesslog_actor_at"),
            models.Index(fields=["organisation", "-at"], name="accesslog_org_at"),
            GinIndex(fields=["object_ids"], name="accesslog_objects"),
            GinIndex(fields=["case_ids"], name="accesslog_cases"),
            GinIndex(fields=["survivor_ids"], name="accesslog_survivors"),
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"


class ChainLink(models.Model):
    """An entry's place in the hash chain, written by the database at commit
    (never by the application: a direct INSERT is refused)."""

    seq = models.BigIntegerField(_("sequence"), primary_key=True)
    entry = models.OneToOneField(AccessLogEntry, on_delete=models.DO_NOTHING, related_name="link", editable=False)
    prev_hash = models.BinaryField(editable=False)
    hash = models.BinaryField(editable=False)

    class Meta:
        verbose_name = _("chain link")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.seq}"


class BulkAccessAlert(models.Model):
    """A user read more distinct survivors than NGO_BULK_ACCESS_SURVIVORS
    within NGO_BULK_ACCESS_WINDOW_MINUTES (found by a beat task)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    survivors = models.PositiveIntegerField(_("distinct survivors read"))
    threshold = models.PositiveIntegerField(_("threshold"))
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("bulk-access alert")
        verbose_name_plural = _("bulk-access alerts")
        ordering = ["-created_at"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["user", "-window_end"], name="bulkalert_user_end")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.survivors} survivors"
