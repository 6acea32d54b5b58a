"""Survivors (and, with the cases issue, their cases, notes, consents,
milestones and follow-ups). Vocabulary after IOM's HTCDS 2.0.

Every identifying field of a survivor is encrypted with the survivor's own
data key (``ngo_cases.crypto``); the non-identifying fields stay plain and
queryable for statistics, and survive erasure.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ngo_cases.crypto.blind_index import INDEX_BYTES, IndexKind
from ngo_cases.crypto.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedListField,
    EncryptedModel,
    EncryptedTextField,
)
from ngo_cases.db import UUIDModel, VersionedModel


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
        models.CharField(max_length=3, validators=[iso3166_alpha3]), default=list, blank=True, size=10
    )
    languages = ArrayField(models.CharField(max_length=3, validators=[iso639]), default=list, blank=True, size=20)
    migration_status = models.CharField(
        _("migration status"), max_length=32, choices=MigrationStatus.choices, blank=True
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True)
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
