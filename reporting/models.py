"""An anonymised export (docs/statistics.md, "The export"): who asked for
which records, what was published, and where the encrypted files lie until
they expire. The files hold no one's identity (k-anonymised records, no
ids, no free text); they are encrypted all the same, with a data key of the
export's own that is destroyed when they expire."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ngo_cases.crypto.models import DataKey
from ngo_cases.db import UUIDModel


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired and deleted")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class AnonymisedExport(UUIDModel):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    # The filters asked for (days and a team id): never values of the records.
    parameters = models.JSONField(_("parameters"), default=dict)
    records = models.PositiveIntegerField(_("records published"), null=True, blank=True)
    withheld = models.PositiveIntegerField(_("records withheld"), null=True, blank=True)
    # The level chosen per quasi-identifier, by name ("yearOfRegistration": "five years", ...).
    generalisation = models.JSONField(_("generalisation"), default=dict)
    k = models.PositiveSmallIntegerField()
    # The files: random storage names, each file key sealed with the export's data key.
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, related_name="+"
    )
    csv_object = models.CharField(max_length=80, blank=True, editable=False)
    csv_key = models.BinaryField(null=True, editable=False)
    csv_size = models.PositiveBigIntegerField(null=True, editable=False)
    xlsx_object = models.CharField(max_length=80, blank=True, editable=False)
    xlsx_key = models.BinaryField(null=True, editable=False)
    xlsx_size = models.PositiveBigIntegerField(null=True, editable=False)

    class Meta:
        verbose_name = _("anonymised export")
        verbose_name_plural = _("anonymised exports")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExportStatus.values), name="export_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.READY) | (~Q(csv_object="") & ~Q(xlsx_object="")),
                name="export_ready_has_files",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-requested_at"], name="export_organisation_requested"),
            models.Index(fields=["expires_at"], name="export_expires", condition=~Q(status="expired")),
        ]

    def __str__(self) -> str:
        return f"Anonymised export {self.pk}"

    def file_id(self, fmt: str) -> str:
        """What each file's chunks are bound to: its export and its format."""
        return f"export:{self.pk}:{fmt}"


class CaseFact(models.Model):
    """The summary the panels and the export count (docs/performance.md,
    "Statistics"): one narrow row per case with a reporting consent, holding
    only what the figures group by. Rebuilt by beat every few minutes
    (``reporting.services.case_facts_refresh``); cases whose consent was
    revoked since are taken out at each query (``reporting.counts.WITHDRAWN``),
    and ``consent_until`` (infinity when the consent does not expire) is
    compared with the time of each query, so revocation and expiry never
    wait for the rebuild."""

    case_id = models.UUIDField(primary_key=True)
    survivor_id = models.UUIDField()
    organisation_id = models.UUIDField()
    team_id = models.UUIDField()
    opened_on = models.DateField()
    consent_until = models.DateTimeField()
    gender = models.CharField(max_length=32)
    age_band = models.CharField(max_length=8)
    migration_status = models.CharField(max_length=32)
    citizenships = ArrayField(models.CharField(max_length=3))
    exploitation_types = ArrayField(models.CharField(max_length=40))
    sexual_exploitation_types = ArrayField(models.CharField(max_length=40))
    labour_industry = models.CharField(max_length=1)
    means_of_control = ArrayField(models.CharField(max_length=40))
    recruitment_methods = ArrayField(models.CharField(max_length=40))
    trafficker_relationship = models.CharField(max_length=20)
    countries_of_exploitation = ArrayField(models.CharField(max_length=3))

    class Meta:
        verbose_name = "case fact"
        indexes = [
            models.Index(fields=["organisation_id", "opened_on"], name="casefact_organisation_opened"),
            models.Index(fields=["team_id", "opened_on"], name="casefact_team_opened"),
        ]

    def __str__(self) -> str:
        return f"Case fact {self.case_id}"


class PanelCount(models.Model):
    """Counts kept ahead for every panel (``reporting.counts``): how many
    items of the summary's cases share an organisation, day, consent end,
    partner and keys. Rebuilt with the summary; the whole organisation's
    panels sum them, less the items of cases withdrawn since."""

    organisation_id = models.UUIDField()
    panel = models.CharField(max_length=40)
    day = models.DateField()
    consent_until = models.DateTimeField()
    partner_id = models.UUIDField(null=True)
    key1 = models.CharField(max_length=40)
    key2 = models.CharField(max_length=40)
    n = models.IntegerField()

    class Meta:
        verbose_name = "panel count"
        constraints = [
            # Also the index every panel reads by (organisation, panel, day …).
            models.UniqueConstraint(
                fields=["organisation_id", "panel", "day", "consent_until", "partner_id", "key1", "key2"],
                name="panelcount_keys",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} {self.day}: {self.n}"


class SummaryState(models.Model):
    """One row: when the summary (CaseFact, PanelCount) was last taken.
    Reporting consents revoked since then (less a margin) are taken out of
    the figures at the moment of each query (``reporting.counts.WITHDRAWN``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    taken_at = models.DateTimeField()

    class Meta:
        verbose_name = "summary state"

    def __str__(self) -> str:
        return f"Summary taken at {self.taken_at:%Y-%m-%d %H:%M}"
