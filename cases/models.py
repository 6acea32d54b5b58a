"""Survivors (and, with the cases issue, their cases, notes, consents,
milestones and follow-ups). Vocabulary after IOM's HTCDS 2.0.

Every identifying field of a survivor is encrypted with the survivor's own
data key (``ngo_cases.crypto``); the non-identifying fields stay plain and
queryable for statistics, and survive erasure.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ngo_cases.crypto.blind_index import INDEX_BYTES, IndexKind
from ngo_cases.crypto.errors import KeyDestroyed
from ngo_cases.crypto.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedListField,
    EncryptedModel,
    EncryptedTextField,
)
from ngo_cases.db import UUIDModel, VersionedModel
from ngo_cases.grants.models import GroupGrant, UserGrant
from ngo_cases.history import tracked


class IdentityDocumentType(models.TextChoices):
    """Kinds of a survivor's identity documents (kept in the encrypted ``identity_documents`` list)."""

    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    VISA = "visa", _("Visa")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    OTHER = "other", _("Other document")


class Gender(models.TextChoices):
    FEMININE = "Feminine", _("Feminine")
    MASCULINE = "Masculine", _("Masculine")
    TRANSGENDER_FEMININE = "TransgenderFeminine", _("Transgender feminine")
    TRANSGENDER_MASCULINE = "TransgenderMasculine", _("Transgender masculine")
    NON_CONFORMING = "NonConforming", _("Gender non-conforming")
    NON_SPECIFIED = "NonSpecifiedUnknown", _("Not specified or unknown")


class AgeBand(models.TextChoices):
    CHILD_0_11 = "0-11", "0-11"
    CHILD_12_17 = "12-17", "12-17"
    ADULT_18_24 = "18-24", "18-24"
    ADULT_25_34 = "25-34", "25-34"
    ADULT_35_49 = "35-49", "35-49"
    ADULT_50_PLUS = "50+", "50+"
    UNKNOWN = "unknown", _("Unknown")


class MigrationStatus(models.TextChoices):
    FAMILY = "Family", _("Family")
    VISITOR = "Visitor", _("Visitor")
    LABOUR = "Labour", _("Labour")
    STUDENT = "Student", _("Student")
    IRREGULAR = "Irregular", _("Irregular (e.g. lapsed visa)")
    ASYLUM_SEEKER = "AsylumSeeker", _("Asylum seeker")
    REFUGEE = "Refugee", _("Refugee")
    STATELESS = "Stateless", _("Stateless")
    RETURNEE = "Returnee", _("Returnee")
    UNACCOMPANIED_CHILD = "UnaccompaniedChild", _("Unaccompanied child")


iso3166_alpha3 = RegexValidator(r"^[A-Z]{3}$", _("Use ISO 3166-1 alpha-3 country codes, e.g. RUS."))
iso639 = RegexValidator(r"^[a-z]{2,3}$", _("Use ISO 639 language codes, e.g. ru or uzb."))


@tracked()
class Survivor(UUIDModel, VersionedModel, EncryptedModel):
    # --- identifying: encrypted with the survivor's data key ---------------------------
    given_names = EncryptedCharField(_("given names"), max_length=200)
    middle_names = EncryptedCharField(_("middle names or patronymic"), max_length=200)
    family_name = EncryptedCharField(_("family name"), max_length=200)
    aliases = EncryptedListField(_("aliases and other spellings"))
    date_of_birth = EncryptedDateField(_("date of birth"))
    place_of_birth = EncryptedCharField(_("place of birth"), max_length=200)
    phone = EncryptedCharField(_("phone"), max_length=40)
    email = EncryptedCharField(_("email"), max_length=254)
    address = EncryptedTextField(_("address"))
    # [{"type": "passport", "number": "...", "issuing_country": "UZB", "expiry": "2027-05-01"}]
    identity_documents = EncryptedListField(_("identity documents"))

    # --- non-identifying: plain, for statistics and filters ----------------------------
    gender = models.CharField(_("gender"), max_length=32, choices=Gender.choices, default=Gender.NON_SPECIFIED)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    citizenships = ArrayField(
        models.CharField(max_length=3, validators=[iso3166_alpha3]),
        verbose_name=_("citizenships"),
        default=list,
        blank=True,
        size=10,
    )
    languages = ArrayField(
        models.CharField(max_length=3, validators=[iso639]),
        verbose_name=_("languages"),
        default=list,
        blank=True,
        size=20,
    )
    migration_status = models.CharField(
        _("migration status"), max_length=32, choices=MigrationStatus.choices, blank=True
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("survivor")
        verbose_name_plural = _("survivors")
        constraints = [
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="survivor_gender_valid"),
            models.CheckConstraint(condition=Q(age_band__in=AgeBand.values), name="survivor_age_band_valid"),
            models.CheckConstraint(
                condition=Q(migration_status="") | Q(migration_status__in=MigrationStatus.values),
                name="survivor_migration_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="survivor_birth_year_range",
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True, erased_by__isnull=True) | Q(erased_at__isnull=False),
                name="survivor_erasure_complete",
            ),
        ]
        indexes = [models.Index(fields=["-created_at"], name="survivor_created")]

    def __str__(self) -> str:
        # Never a name: this string reaches logs, admin titles and error reports.
        return f"Survivor {self.pk}"


class SurvivorIndexEntry(models.Model):
    """Blind-index values of one survivor (names and aliases, date of birth,
    phone, document numbers), for duplicate detection and exact search."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="index_entries")
    kind = models.CharField(max_length=16, choices=IndexKind.choices)
    value = models.BinaryField(max_length=INDEX_BYTES)

    class Meta:
        verbose_name = _("survivor blind index entry")
        constraints = [
            models.UniqueConstraint(fields=["survivor", "kind", "value"], name="survivor_index_entry_unique"),
            models.CheckConstraint(condition=Q(kind__in=IndexKind.values), name="survivor_index_kind_valid"),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="survivor_index_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} index of {self.survivor_id}"


# --- cases -----------------------------------------------------------------------------


class CaseStatus(models.TextChoices):
    ACTIVE = "Active", _("Active")
    FOLLOW_UP = "FollowUp", _("Follow-up")
    CLOSED = "Closed", _("Closed")
    CLOSED_REFERRED = "ClosedReferred", _("Closed, referred")


CLOSED_STATUSES = (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


class ClosureReason(models.TextChoices):
    GOALS_ACHIEVED = "GoalsAchieved", _("Support goals achieved")
    REFERRED = "Referred", _("Referred to another organisation")
    SURVIVOR_DECLINED = "SurvivorDeclined", _("Survivor declined further support")
    LOST_CONTACT = "LostContact", _("Contact lost")
    RETURNED = "Returned", _("Returned to country of origin")
    NOT_A_VICTIM = "NotAVictim", _("Not a victim of trafficking")
    DECEASED = "Deceased", _("Deceased")
    OTHER = "Other", _("Other")


class TraffickingStatus(models.TextChoices):
    POSSIBLE = "PossibleVictim", _("Possible victim")
    ACTUAL = "ActualVictim", _("Actual victim")
    NOT_A_VICTIM = "NotAVictim", _("Not a victim")


class ExploitationType(models.TextChoices):
    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    FORCED_MILITARY = "ForcedMilitary", _("Forced military service")
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_CRIMINALITY = "ForcedCriminality", _("Forced criminality")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Exploitative surrogacy")
    OTHER = "Other", _("Other")


class SexualExploitationType(models.TextChoices):
    PROSTITUTION = "Prostitution", _("Prostitution")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE_INTERACTIVE = "RemoteInteractiveServices", _("Remote interactive services")
    PRIVATE_SEXUAL = "PrivateSexualServices", _("Private sexual services")


class MeansOfControl(models.TextChoices):
    PHYSICAL_THREATS = "PhysicalThreats", _("Physical threats")
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", _("Threats of law enforcement")
    THREATENS_FAMILY = "ThreatensFamily", _("Threatens family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts financial access")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PSYCHOACTIVE_SUBSTANCE = "PsychoactiveSubstance", _("Psychoactive substances")
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    RESTRICTS_MOVEMENT = "RestrictsMovement", _("Restricts movement")
    USES_CHILDREN = "UsesChildren", _("Uses children")
    OTHER = "Other", _("Other")


class RecruitmentMethod(models.TextChoices):
    PERSONAL_CONTACT = "ThroughPersonalContact", _("Through personal contact")
    FAMILY = "ThroughFamily", _("Through family or friends")
    AGENCY = "ThroughARecruitmentAgency", _("Through a recruitment agency")
    ONLINE_ADVERTISEMENT = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    ONLINE_SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", _("Through online social networks")
    PRINT_ADVERTISEMENT = "ThroughAPrintAdvertisement", _("Through a print advertisement")
    ABDUCTION = "Abduction", _("Abduction")
    OTHER = "Other", _("Other")


class TraffickerRelationship(models.TextChoices):
    FAMILY = "Family", _("Family member")
    INTIMATE_PARTNER = "IntimatePartner", _("Intimate partner")
    FRIEND = "Friend", _("Friend or acquaintance")
    EMPLOYER = "Employer", _("Employer")
    RECRUITER = "Recruiter", _("Recruiter")
    STRANGER = "Stranger", _("Stranger")
    UNKNOWN = "Unknown", _("Unknown")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


ISIC_SECTIONS = [(letter, letter) for letter in "ABCDEFGHIJKLMNOPQRSTU"]


def _choice_array(choices: type[models.TextChoices], verbose_name: Any, size: int = 20) -> ArrayField:
    return ArrayField(
        models.CharField(max_length=40, choices=choices.choices),
        verbose_name=verbose_name,
        default=list,
        blank=True,
        size=size,
    )


def _array_valid(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__contained_by": list(choices.values)})


@tracked()
class Case(UUIDModel, VersionedModel, EncryptedModel):
    """One episode of support for a survivor. ``data_key`` is the survivor's."""

    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="cases", verbose_name=_("survivor"))
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases", verbose_name=_("team"))
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)

    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.ACTIVE)
    closure_reason = models.CharField(_("closure reason"), max_length=32, choices=ClosureReason.choices, blank=True)
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=20, choices=TraffickingStatus.choices, default=TraffickingStatus.POSSIBLE
    )
    # Free text that may name people or places: encrypted like every free text (issue 13, F5).
    trafficking_status_decided_by = EncryptedCharField(_("deciding body"), max_length=200, default="")
    exploitation_types = _choice_array(ExploitationType, _("exploitation types"))
    sexual_exploitation_types = _choice_array(SexualExploitationType, _("sexual exploitation types"))
    labour_industry = models.CharField(_("labour industry (ISIC section)"), max_length=1, blank=True)
    means_of_control = _choice_array(MeansOfControl, _("means of control"))
    recruitment_methods = _choice_array(RecruitmentMethod, _("recruitment methods"))
    trafficker_relationship = models.CharField(
        _("relationship to trafficker"), max_length=20, choices=TraffickerRelationship.choices, blank=True
    )
    countries_of_recruitment = ArrayField(
        models.CharField(max_length=3, validators=[iso3166_alpha3]),
        verbose_name=_("countries of recruitment"),
        default=list,
        blank=True,
        size=20,
    )
    countries_of_exploitation = ArrayField(
        models.CharField(max_length=3, validators=[iso3166_alpha3]),
        verbose_name=_("countries of exploitation"),
        default=list,
        blank=True,
        size=20,
    )
    regions_of_recruitment = EncryptedListField(_("regions of recruitment"), default=list)
    regions_of_exploitation = EncryptedListField(_("regions of exploitation"), default=list)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    summary = EncryptedTextField(_("summary"))

    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        default_permissions = ("add", "change", "delete", "view")
        permissions = [
            ("assign_case", _("Can assign the case")),
            ("break_glass_case", _("Can open a case outside own assignments (break-glass)")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(condition=Q(risk_level__in=RiskLevel.values), name="case_risk_valid"),
            models.CheckConstraint(
                condition=Q(trafficking_status__in=TraffickingStatus.values), name="case_trafficking_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=CLOSED_STATUSES)
                | (Q(closed_at__isnull=False) & ~Q(closure_reason="") & Q(closure_reason__in=ClosureReason.values)),
                name="case_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CLOSED_STATUSES) | Q(closed_at__isnull=True, closure_reason=""),
                name="case_open_has_no_closure",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")), name="case_closed_after_opened"
            ),
            models.CheckConstraint(
                condition=Q(labour_industry="") | Q(labour_industry__in=[c for c, _ in ISIC_SECTIONS]),
                name="case_labour_industry_isic",
            ),
            models.CheckConstraint(
                condition=_array_valid("exploitation_types", ExploitationType), name="case_exploitation_types_valid"
            ),
            models.CheckConstraint(
                condition=_array_valid("sexual_exploitation_types", SexualExploitationType),
                name="case_sexual_exploitation_types_valid",
            ),
            models.CheckConstraint(
                condition=_array_valid("means_of_control", MeansOfControl), name="case_means_of_control_valid"
            ),
            models.CheckConstraint(
                condition=_array_valid("recruitment_methods", RecruitmentMethod), name="case_recruitment_methods_valid"
            ),
            models.CheckConstraint(
                condition=Q(trafficker_relationship="") | Q(trafficker_relationship__in=TraffickerRelationship.values),
                name="case_trafficker_relationship_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["-opened_at", "id"], name="case_opened"),
            models.Index(fields=["team", "-opened_at"], name="case_team_opened"),
            models.Index(fields=["survivor"], name="case_survivor"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class CaseReferenceCounter(models.Model):
    """The last case number issued per year (C-2026-000123), bumped with an
    atomic upsert so that concurrent openings never share a reference."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# --- access grants (django-guardian direct foreign-key models) -------------------------


class GrantReason(models.TextChoices):
    OWNER = "owner", _("Opened the case")
    ASSIGNED = "assigned", _("Assigned")
    TEAM_SUPERVISOR = "team_supervisor", _("Supervisor of the case's team")
    REFERRAL = "referral", _("Referral recipient")
    BREAK_GLASS = "break_glass", _("Break-glass")


@tracked()
class CaseUserObjectPermission(UserGrant):
    """A user's permission on one case, with why and from whom."""

    entry_related = ("break_glass_reason", "break_glass_reason__data_key")

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="user_grants")
    reason = models.CharField(max_length=20, choices=GrantReason.choices)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(UserGrant.Meta):
        verbose_name = _("case access of a user")
        verbose_name_plural = _("case access of users")
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=GrantReason.values), name="case_user_grant_reason_valid"),
            models.CheckConstraint(
                condition=~Q(reason=GrantReason.BREAK_GLASS) | Q(expires_at__isnull=False),
                name="case_break_glass_expires",
            ),
        ]
        indexes = [
            # the scoping index of every case list: the user's grants of one permission
            models.Index(fields=["user", "permission", "content_object"], name="case_user_grant_scope"),
            models.Index(fields=["content_object", "reason"], name="case_user_grant_case"),
        ]

    def access_entry_extras(self) -> dict[str, Any]:
        """The sealed break-glass reason ("" for other grants; None once erased)."""
        try:
            sealed = self.break_glass_reason
        except BreakGlassReason.DoesNotExist:
            return {"justification": ""}
        try:
            return {"justification": sealed.reason}
        except KeyDestroyed:
            return {"justification": None}


class BreakGlassReason(EncryptedModel):
    """Why someone opened a case by break-glass: free text that may name
    people, so it is sealed with the survivor's key (and shredded with it),
    on a row of its own beside the grant. Not in the change history."""

    grant = models.OneToOneField(
        CaseUserObjectPermission, on_delete=models.CASCADE, primary_key=True, related_name="break_glass_reason"
    )
    reason = EncryptedTextField(_("break-glass reason"))

    class Meta:
        verbose_name = _("break-glass reason")
        verbose_name_plural = _("break-glass reasons")


@tracked()
class CaseGroupObjectPermission(GroupGrant):
    """A group's permission on one case: a team's supervisors."""

    entry_related = ("group__supervised_team",)

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="group_grants")
    reason = models.CharField(max_length=20, choices=GrantReason.choices)

    class Meta(GroupGrant.Meta):
        verbose_name = _("case access of a group")
        verbose_name_plural = _("case access of groups")
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=GrantReason.values), name="case_group_grant_reason_valid"),
        ]
        indexes = [models.Index(fields=["group", "permission", "content_object"], name="case_group_grant_scope")]

    def access_entry_extras(self) -> dict[str, Any]:
        team = getattr(self.group, "supervised_team", None)
        return {"team": team.pk if team else None}


# --- what happens on a case ------------------------------------------------------------


@tracked()
class CaseNote(UUIDModel, VersionedModel, EncryptedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    body = EncryptedTextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        indexes = [models.Index(fields=["case", "-created_at"], name="casenote_case_created")]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class ConsentScope(models.TextChoices):
    SERVICES = "services", _("Receiving services")
    REFERRAL = "referral", _("Referral to a named organisation")
    REPORTING = "reporting", _("Anonymised statistics")


class ConsentGiver(models.TextChoices):
    SURVIVOR = "survivor", _("The survivor")
    GUARDIAN = "guardian", _("A parent or guardian")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written")
    VERBAL = "verbal", _("Verbal")


@tracked()
class Consent(UUIDModel, VersionedModel):
    """A consent record: never a checkbox. Live while given, not expired, not revoked."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("scope"), max_length=16, choices=ConsentScope.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    given_by = models.CharField(_("given by"), max_length=16, choices=ConsentGiver.choices)
    method = models.CharField(_("how"), max_length=16, choices=ConsentMethod.choices)
    given_at = models.DateTimeField(_("given"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=ConsentScope.values), name="consent_scope_valid"),
            models.CheckConstraint(condition=Q(given_by__in=ConsentGiver.values), name="consent_giver_valid"),
            models.CheckConstraint(condition=Q(method__in=ConsentMethod.values), name="consent_method_valid"),
            models.CheckConstraint(
                condition=Q(scope=ConsentScope.REFERRAL, organisation__isnull=False)
                | (~Q(scope=ConsentScope.REFERRAL) & Q(organisation__isnull=True)),
                name="consent_referral_names_organisation",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("given_at")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False, revoked_at__gte=F("given_at")),
                name="consent_revocation_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "scope"], name="consent_case_scope"),
            # The statistics' revocations since their summary was taken (reporting.counts.WITHDRAWN).
            models.Index(
                fields=["revoked_at"],
                name="consent_reporting_revoked",
                condition=Q(scope="reporting", revoked_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} consent {self.pk}"

    def is_live(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.given_at <= at and self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class MilestoneKind(models.TextChoices):
    REASONABLE_GROUNDS = "reasonable_grounds", _("Reasonable grounds decision")
    CONCLUSIVE_GROUNDS = "conclusive_grounds", _("Conclusive grounds decision")
    RECOVERY_PERIOD = "recovery_period", _("Recovery and reflection period")
    SUPPORT_PLAN_ITEM = "support_plan_item", _("Support plan item")


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")


@tracked()
class Milestone(UUIDModel, VersionedModel, EncryptedModel):
    """Identification decisions, the recovery period, and support plan items."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=24, choices=MilestoneKind.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    deciding_body = EncryptedCharField(_("deciding body"), max_length=200, default="")
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends or planned end"), null=True, blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    description = EncryptedTextField(_("description"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MilestoneKind.values), name="milestone_kind_valid"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[MilestoneKind.REASONABLE_GROUNDS, MilestoneKind.CONCLUSIVE_GROUNDS],
                    decision__in=Decision.values,
                )
                | (~Q(kind__in=[MilestoneKind.REASONABLE_GROUNDS, MilestoneKind.CONCLUSIVE_GROUNDS]) & Q(decision="")),
                name="milestone_decision_only_for_grounds",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MilestoneKind.RECOVERY_PERIOD) | Q(ends_on__isnull=False),
                name="milestone_recovery_period_has_end",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="milestone_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["case", "kind"], name="milestone_case_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


@tracked()
class FollowUp(UUIDModel, VersionedModel, EncryptedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups")
    status = models.CharField(_("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    description = EncryptedTextField(_("what to do"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=FollowUpStatus.values), name="followup_status_valid"),
            models.CheckConstraint(
                condition=Q(status=FollowUpStatus.DONE, completed_at__isnull=False)
                | (~Q(status=FollowUpStatus.DONE) & Q(completed_at__isnull=True)),
                name="followup_done_has_completion",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="followup_assignee_due"),
            models.Index(fields=["case", "due_on"], name="followup_case_due"),
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.pk}"
