"""The partner directory (services and contacts of organisations) and
referrals: a case sent to one organisation for one or more services, with
the subset of case data the sender chooses to share.

Free text about a survivor (the referral's reason and needs, decline and
outcome notes, notes on services delivered) is encrypted with the survivor's
data key, like the case itself: erasing the survivor shreds it too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cases.models import iso639
from ngo_cases.crypto.fields import EncryptedModel, EncryptedTextField
from ngo_cases.db import UUIDModel, VersionedModel
from ngo_cases.grants.models import GrantRow, GroupGrant, UserGrant
from ngo_cases.history import tracked


class ServiceType(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETATION = "interpretation", _("Interpretation")
    RETURN = "return", _("Repatriation and return")
    REINTEGRATION = "reintegration", _("Reintegration and livelihood")
    EDUCATION = "education", _("Education")
    FINANCIAL_SUPPORT = "financial_support", _("Financial support")


def _choices_valid(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__contained_by": list(choices.values)})


# --- the directory -------------------------------------------------------------------------


@tracked()
class OrganisationService(UUIDModel, VersionedModel):
    """A service an organisation offers: the catalogue searched by service and region."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="services")
    service = models.CharField(_("service"), max_length=24, choices=ServiceType.choices)
    regions = ArrayField(
        models.CharField(max_length=120),
        default=list,
        blank=True,
        size=50,
        help_text=_("Regions served, if more than the organisation's own."),
    )
    languages = ArrayField(models.CharField(max_length=3, validators=[iso639]), default=list, blank=True, size=30)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service offered")
        verbose_name_plural = _("services offered")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "service"], name="organisation_service_unique"),
            models.CheckConstraint(condition=Q(service__in=ServiceType.values), name="organisation_service_valid"),
        ]
        indexes = [models.Index(fields=["service", "active"], name="organisation_service_search")]

    def __str__(self) -> str:
        return f"{self.service} at {self.organisation_id}"


@tracked()
class OrganisationContact(UUIDModel, VersionedModel):
    """A contact person or desk of an organisation (staff, never survivors)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


# --- referrals -----------------------------------------------------------------------------


class FieldGroup(models.TextChoices):
    """The groups of case data a sender may share (docs/referrals.md lists the fields)."""

    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    EXPLOITATION = "exploitation", _("Exploitation summary")
    NEEDS = "needs", _("Needs and language")
    REASON = "reason", _("Reason for referral")
    DOCUMENTS = "documents", _("Documents (the attachments chosen)")


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
ENDED_STATUSES = (ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.WITHDRAWN)


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency (today)")
    URGENT = "urgent", _("Urgent (within 3 days)")
    ROUTINE = "routine", _("Routine")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "NoCapacity", _("No capacity")
    NOT_ELIGIBLE = "NotEligible", _("Not eligible")
    SERVICE_UNAVAILABLE = "ServiceUnavailable", _("Service not available")
    SURVIVOR_UNREACHABLE = "SurvivorUnreachable", _("Survivor could not be reached")
    OTHER = "Other", _("Other")


class WithdrawReason(models.TextChoices):
    NO_LONGER_NEEDED = "NoLongerNeeded", _("No longer needed")
    SURVIVOR_DECLINED = "SurvivorDeclined", _("The survivor declined")
    CONSENT_REVOKED = "ConsentRevoked", _("Consent revoked")
    SURVIVOR_ERASED = "SurvivorErased", _("Survivor's record erased")
    SENT_IN_ERROR = "SentInError", _("Sent in error")
    OTHER = "Other", _("Other")


class Outcome(models.TextChoices):
    PROVIDED = "Provided", _("Services provided")
    PARTIALLY_PROVIDED = "PartiallyProvided", _("Services partly provided")
    NOT_PROVIDED = "NotProvided", _("Services not provided")


class ReferralReferenceCounter(models.Model):
    """The last referral number issued per year (R-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


@tracked()
class Referral(UUIDModel, VersionedModel, EncryptedModel):
    """A case sent to one organisation. ``data_key`` is the survivor's."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    sender_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_sent", editable=False
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_received"
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    services = ArrayField(models.CharField(max_length=24, choices=ServiceType.choices), size=len(ServiceType))
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE)
    reason = EncryptedTextField(_("reason"))
    needs = EncryptedTextField(_("needs"))
    shared_groups = ArrayField(
        models.CharField(max_length=16, choices=FieldGroup.choices), default=list, blank=True, size=len(FieldGroup)
    )
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    # The attachments the recipient may open (with the documents group shared, while the referral is open).
    shared_attachments = models.ManyToManyField(
        "attachments.Attachment", verbose_name=_("shared documents"), blank=True, related_name="+"
    )

    consent = models.ForeignKey(
        "cases.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    consent_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_override_reason = EncryptedTextField(_("consent override reason"))

    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_referrals"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(max_length=24, choices=DeclineReason.choices, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_reason = models.CharField(max_length=24, choices=WithdrawReason.choices, blank=True)
    # The decline, outcome or withdrawal notes, whichever ended the referral.
    closing_notes = EncryptedTextField(_("closing notes"))
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        default_permissions = ("view", "change")
        permissions = [
            ("assign_referral", _("Can assign the referral to staff of the receiving organisation")),
            ("override_consent_referral", _("Can send a referral without a live referral consent, giving a reason")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"),
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="referral_urgency_valid"),
            models.CheckConstraint(
                condition=_choices_valid("services", ServiceType) & ~Q(services=[]), name="referral_services_valid"
            ),
            models.CheckConstraint(
                condition=_choices_valid("shared_groups", FieldGroup), name="referral_shared_groups_valid"
            ),
            models.CheckConstraint(
                condition=~Q(organisation=F("sender_organisation")), name="referral_to_another_organisation"
            ),
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.DRAFT, sent_at__isnull=True)
                | (~Q(status=ReferralStatus.DRAFT) & Q(sent_at__isnull=False) & Q(sent_by__isnull=False))
                | Q(status=ReferralStatus.WITHDRAWN),
                name="referral_sent_has_sender",
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[
                        ReferralStatus.SENT,
                        ReferralStatus.ACCEPTED,
                        ReferralStatus.IN_PROGRESS,
                        ReferralStatus.COMPLETED,
                        ReferralStatus.DECLINED,
                    ]
                )
                | Q(consent__isnull=False)
                | Q(consent_overridden_by__isnull=False),
                name="referral_sent_has_consent_or_override",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.COMPLETED) | (~Q(outcome="") & Q(completed_at__isnull=False)),
                name="referral_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.WITHDRAWN)
                | (~Q(withdraw_reason="") & Q(withdrawn_at__isnull=False)),
                name="referral_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ENDED_STATUSES, ended_at__isnull=False)
                | Q(status__in=OPEN_STATUSES, ended_at__isnull=True),
                name="referral_ended_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="referral_case"),
            models.Index(fields=["organisation", "status", "-created_at"], name="referral_recipient_queue"),
            models.Index(fields=["sender_organisation", "status", "-created_at"], name="referral_sender_queue"),
            models.Index(fields=["assigned_to", "status"], name="referral_assignee"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@tracked()
class ServiceDelivery(UUIDModel, VersionedModel, EncryptedModel):
    """A service delivered under a referral, with dates and outcome."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deliveries")
    service = models.CharField(_("service"), max_length=24, choices=ServiceType.choices)
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    notes = EncryptedTextField(_("notes"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")
        constraints = [
            models.CheckConstraint(condition=Q(service__in=ServiceType.values), name="delivery_service_valid"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values), name="delivery_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="delivery_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["referral", "started_on"], name="delivery_referral")]

    def __str__(self) -> str:
        return f"Delivery {self.pk}"


# --- access grants (django-guardian direct foreign-key models) ------------------------------


class ReferralGrantReason(models.TextChoices):
    REFERRAL = "referral", _("Referral recipient")
    SENDER_DESK = "sender_desk", _("Referral desk of the sending organisation")


class _ReferralGrant(GrantRow):
    case_attribute = "case_id"
    entry_related = ("content_object",)
    content_object: Referral

    def access_entry_extras(self) -> dict[str, Any]:
        return {"referral": self.content_object.reference}


@tracked()
class ReferralUserObjectPermission(_ReferralGrant, UserGrant):
    """A user's permission on one referral: staff of the receiving
    organisation assigned to it. Expires after the grace period once the
    referral has ended; deleted at once when it is withdrawn."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="user_grants")
    reason = models.CharField(max_length=20, choices=ReferralGrantReason.choices)

    class Meta(UserGrant.Meta):
        verbose_name = _("referral access of a user")
        verbose_name_plural = _("referral access of users")
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=ReferralGrantReason.values), name="referral_user_grant_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "permission", "content_object"], name="referral_user_grant_scope")]


@tracked()
class ReferralGroupObjectPermission(_ReferralGrant, GroupGrant):
    """A group's permission on one referral: the referral desk (coordinators)
    of the receiving organisation, and of the sending one."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="group_grants")
    reason = models.CharField(max_length=20, choices=ReferralGrantReason.choices)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(GroupGrant.Meta):
        verbose_name = _("referral access of a group")
        verbose_name_plural = _("referral access of groups")
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=ReferralGrantReason.values), name="referral_group_grant_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["group", "permission", "content_object"], name="referral_group_grant_scope")]
