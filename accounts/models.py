"""Staff, organisations, teams and API tokens.

A user belongs to one organisation and holds exactly one of the six roles of
SPEC section 1. Roles say what kind of work a person does; they never grant
access to a survivor's data by themselves. Object access comes only from
per-object grants (django-guardian direct foreign-key models, in the cases
and referrals apps), and being staff or superuser grants none.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Iterator
from functools import cache
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from ngo_cases.db import UUIDModel, VersionedModel
from ngo_cases.history import tracked


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    COORDINATOR = "coordinator", _("Coordinator")
    PARTNER_CASEWORKER = "partner_caseworker", _("Partner caseworker")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class OrganisationType(models.TextChoices):
    """Organisation types after IOM's HTCDS 2.0 vocabulary."""

    NGO = "NGO", _("Non-governmental organisation")
    INTERNATIONAL_ORGANISATION = "InternationalOrganisation", _("International organisation")
    GOVERNMENT = "Government", _("Government agency")
    LAW_ENFORCEMENT = "LawEnforcement", _("Law enforcement")
    JUDICIARY = "Judiciary", _("Judiciary or prosecution")
    HEALTH_SERVICE = "HealthServiceOrganisation", _("Health service organisation")
    LEGAL_SERVICE = "LegalService", _("Legal service")
    SOCIAL_SERVICE = "SocialServiceOrganisation", _("Social service organisation")
    SHELTER = "Shelter", _("Shelter")
    EDUCATION = "EducationalInstitution", _("Educational institution")
    FAITH_BASED = "FaithBasedOrganisation", _("Faith-based organisation")
    DIPLOMATIC = "DiplomaticMission", _("Embassy or consulate")
    PRIVATE_SECTOR = "PrivateSector", _("Private sector")
    OTHER = "Other", _("Other")


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    RUSSIAN = "ru", "Русский"


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(_("Unknown time zone: use an IANA name such as Europe/Moscow."), code="invalid")


@tracked()
class Organisation(UUIDModel, VersionedModel):
    """The NGO running this system (``is_home``) and its partner organisations."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    org_type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    region = models.CharField(_("region"), max_length=120, blank=True)
    is_home = models.BooleanField(
        _("is the home NGO"), default=False, help_text=_("The NGO that runs this system. Exactly one.")
    )
    description = models.TextField(_("description"), blank=True, max_length=4000)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Moscow",
        validators=[validate_time_zone],
        help_text=_("Where the organisation works: new staff accounts start in this time zone."),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive organisations stay in the directory but take no new referrals."),
    )
    # The organisation's referral desk, as a group: its active coordinators.
    # Referral grants to "the receiving organisation" are group grants to it,
    # so the queue follows whoever runs the desk today (services.desk_groups_sync).
    desk_group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="desk_of"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["is_home"], condition=Q(is_home=True), name="one_home_organisation"),
            models.CheckConstraint(condition=Q(org_type__in=OrganisationType.values), name="organisation_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name


@tracked()
class Team(UUIDModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    # The team's supervisors, as a group: case grants to the team's
    # supervisors are group grants (django-guardian) to this group, so access
    # follows whoever supervises the team today (accounts.services.team_groups_sync).
    supervisor_group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="supervised_team"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_org")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.slug})"


class NgoUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        # `createsuperuser` is the operator's bootstrap account: an admin, who
        # like every admin sees no survivor data without a grant.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


@tracked(exclude=["password", "last_login"])
class User(UUIDModel, VersionedModel, AbstractUser):  # type: ignore[django-manager-missing]  # knox abstract FK
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        help_text=_("Empty only for the bootstrap superuser created with createsuperuser."),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    teams = models.ManyToManyField(Team, through="TeamMembership", related_name="members", blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    email_digest = models.BooleanField(
        _("daily email digest"),
        default=False,
        help_text=_("Reminder emails as one digest a day instead of one email each (in-app reminders are unchanged)."),
    )
    # Part of every browser session's auth hash: "sign out everywhere" adds one
    # and Django's session check then ends all of the user's sessions at once.
    sessions_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[NgoUserManager] = NgoUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="user_language_valid"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def has_staff_role(self) -> bool:
        """What the API's base permission asks (ngo_cases/api/permissions.py)."""
        return self.role in Role.values

    def get_session_auth_hash(self) -> str:
        return self._sessions_hash(None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._sessions_hash(secret)

    def _sessions_hash(self, secret: str | bytes | None) -> str:
        """Django's session auth hash (an HMAC of the password hash), with the
        sessions epoch: a new password or "sign out everywhere" ends sessions."""
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.sessions_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


@tracked()
class TeamMembership(models.Model):
    """A user's place in a team. A supervisor member leads the team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class TokenScope(models.TextChoices):
    FULL = "full", _("Full API access")
    MFA_ENROLMENT = "mfa_enrolment", _("MFA enrolment only")


class ApiToken(AbstractAuthToken):
    """A bearer token: stored as a SHA-512 digest (knox), expiring, one per
    device login, revocable on its own or all at once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    device = models.CharField(_("device"), max_length=100, blank=True)
    scope = models.CharField(max_length=20, choices=TokenScope.choices, default=TokenScope.FULL)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [models.CheckConstraint(condition=Q(scope__in=TokenScope.values), name="token_scope_valid")]
        indexes = [models.Index(fields=["user", "created"], name="apitoken_user_created")]

    @property
    def enrolment_only(self) -> bool:
        """Opens only the MFA enrolment endpoints (ngo_cases/api/permissions.py)."""
        return self.scope == TokenScope.MFA_ENROLMENT

    def __str__(self) -> str:
        return f"{self.device or 'token'} of {self.user_id}"
