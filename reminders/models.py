"""Reminders: the rules admins tune, the plan the dispatcher reads, and the
record of every delivery.

- ``ReminderRule``: per kind, the offsets (or cadence) and whether it is on.
- ``PlanRequest``: a source row that changed and must be (re)planned. Filled
  by database triggers on the source tables (every write path, bulk and raw
  SQL included), drained by the planner task.
- ``Reminder``: one planned reminder (kind, case, source id, the date it is
  about, when it fires). ``next_check_at`` is the dispatcher's queue: a
  partial index holds only rows that still need a visit, so a run with
  nothing due is one index probe.
- ``Delivery``: one reminder to one person on one channel. The unique
  constraint makes a second send impossible; ``sent_at`` records it.
- ``Digest``: one daily email per user who chose the digest.

None of these hold survivor data: ids, kinds, dates and counts only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .rules import DEFAULTS, RuleKind, Unit

# Rules about a date (a due date, an end, an expiry): offsets may be negative (before) or zero.
BEFORE_OR_AFTER = frozenset(
    {
        RuleKind.FOLLOW_UP_DUE,
        RuleKind.RECOVERY_END,
        RuleKind.SUPPORT_PLAN_END,
        RuleKind.CONSENT_EXPIRY,
        RuleKind.DOCUMENT_EXPIRY,
    }
)


class ReminderRule(models.Model):
    kind = models.CharField(_("reminder"), max_length=40, choices=RuleKind.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, editable=False)
    offsets = ArrayField(
        models.SmallIntegerField(),
        verbose_name=_("offsets"),
        size=10,
        help_text=_("Comma-separated numbers in the rule's unit; negative means before the date."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="reminder_rule_kind_valid"),
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="reminder_rule_unit_valid"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def description(self) -> str:
        return DEFAULTS[self.kind].help

    def clean(self) -> None:
        """Only "relative to a date" rules may look back; the rest count forward from an event."""
        if self.offsets and self.kind not in BEFORE_OR_AFTER and min(self.offsets) <= 0:
            raise ValidationError({"offsets": _("This rule counts forward: every offset must be positive.")})


class SourceType(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up")
    REFERRAL = "referral", _("Referral")
    MILESTONE = "milestone", _("Milestone")
    CONSENT = "consent", _("Consent")
    SURVIVOR = "survivor", _("Survivor's documents")
    CASE = "case", _("Case")


class PlanRequest(models.Model):
    """A changed source row to plan again (written by triggers; see migration 0001)."""

    source_type = models.CharField(max_length=16, choices=SourceType.choices)
    source_id = models.UUIDField()
    requested_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source_type", "source_id"], name="plan_request_once")]
        indexes = [models.Index(fields=["requested_at"], name="plan_request_order")]

    def __str__(self) -> str:
        return f"plan {self.source_type} {self.source_id}"


class Outcome(models.TextChoices):
    SENT = "sent", _("Sent")
    NOT_DUE = "not_due", _("No longer due")
    NO_RECIPIENT = "no_recipient", _("Nobody to remind")


class Reminder(models.Model):
    kind = models.CharField(max_length=40, choices=RuleKind.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    source_type = models.CharField(max_length=16, choices=SourceType.choices)
    source_id = models.UUIDField()
    # The date the reminder is about (due date, expiry, decision due, review date).
    due_on = models.DateField()
    # The rule's offset this reminder stands for (in the rule's unit).
    offset = models.SmallIntegerField()
    fire_at = models.DateTimeField()
    next_check_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_id", "case", "due_on", "offset"], name="reminder_once_per_occasion"
            ),
            models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="reminder_kind_valid"),
        ]
        indexes = [
            # The dispatcher's queue: only rows still to visit are in it.
            models.Index(fields=["next_check_at"], condition=Q(next_check_at__isnull=False), name="reminder_queue"),
            models.Index(fields=["source_type", "source_id"], name="reminder_source"),
            models.Index(fields=["case"], name="reminder_case"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")


class Digest(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "local_date"], name="digest_once_a_day")]
        indexes = [models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="digest_unsent")]

    def __str__(self) -> str:
        return f"digest {self.user_id} {self.local_date}"


class Delivery(models.Model):
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    not_before = models.DateTimeField()
    # Email for a user who chose the daily digest: the digest task sends it.
    via_digest = models.BooleanField(default=False)
    digest = models.ForeignKey(Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries")
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        constraints = [
            # A second send of the same reminder to the same person on the same channel is impossible.
            models.UniqueConstraint(fields=["reminder", "user", "channel"], name="delivery_once_per_person_channel"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="delivery_channel_valid"),
            models.CheckConstraint(
                condition=Q(via_digest=False) | Q(channel=Channel.EMAIL), name="delivery_digest_is_email"
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "not_before"],
                condition=Q(via_digest=True, sent_at__isnull=True),
                name="delivery_digest_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.reminder_id} → {self.user_id}"
