"""Writes of the cases domain. Typed, keyword-only, transactional, with the
acting user (HackSoft style). The survivor's API arrives with the cases issue;
these services are what it will call."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Team, TeamMembership, User
from accounts.services import team_supervisor_group
from ngo_cases.crypto.blind_index import IndexKind, blind_index
from ngo_cases.crypto.keys import data_key_create, data_key_destroy
from ngo_cases.crypto.models import DataKey
from ngo_cases.db import next_reference
from ngo_cases.errors import Conflict, Invalid, NotAllowed
from ngo_cases.versioning import lock_version, save_version

from . import signals
from .models import (
    BreakGlassReason,
    Case,
    CaseNote,
    CaseReferenceCounter,
    CaseStatus,
    CaseUserObjectPermission,
    ClosureReason,
    Consent,
    ConsentScope,
    Decision,
    FollowUp,
    FollowUpStatus,
    GrantReason,
    Milestone,
    MilestoneKind,
    Survivor,
    SurvivorIndexEntry,
)
from .permissions import CASE_GRANTS, CaseAction, cases_visible_to

logger = logging.getLogger(__name__)

IDENTITY_FIELDS = (
    "given_names",
    "middle_names",
    "family_name",
    "aliases",
    "date_of_birth",
    "place_of_birth",
    "phone",
    "email",
    "address",
    "identity_documents",
)
PROFILE_FIELDS = ("gender", "birth_year", "age_band", "citizenships", "languages", "migration_status")


def _index_values(survivor: Survivor) -> Iterable[tuple[str, bytes]]:
    full_name = " ".join(part for part in (survivor.given_names, survivor.middle_names, survivor.family_name) if part)
    short_name = " ".join(part for part in (survivor.given_names, survivor.family_name) if part)
    names: list[Any] = [full_name, short_name, *(survivor.aliases or [])]
    candidates: list[tuple[str, Any]] = [(IndexKind.NAME, name) for name in names]
    candidates.append((IndexKind.DATE_OF_BIRTH, survivor.date_of_birth))
    candidates.append((IndexKind.PHONE, survivor.phone))
    for document in survivor.identity_documents or []:
        if isinstance(document, dict):
            candidates.append((IndexKind.DOCUMENT, document.get("number")))
    seen: set[tuple[str, bytes]] = set()
    for kind, value in candidates:
        if isinstance(value, (str, date)) or value is None:
            digest = blind_index(kind, value) if value not in ("", None) else None
            if digest is not None and (kind, digest) not in seen:
                seen.add((kind, digest))
                yield kind, digest


def _reindex(survivor: Survivor) -> None:
    SurvivorIndexEntry.objects.filter(survivor=survivor).delete()
    SurvivorIndexEntry.objects.bulk_create(
        SurvivorIndexEntry(survivor=survivor, kind=kind, value=value) for kind, value in _index_values(survivor)
    )


@transaction.atomic
def survivor_create(*, created_by: User, **fields: Any) -> Survivor:
    """Register a survivor with a fresh data key. ``fields`` are identity and
    profile fields by name; anything else is refused."""
    unknown = set(fields) - set(IDENTITY_FIELDS) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"survivor_create got unknown fields: {sorted(unknown)}")
    data_key = data_key_create()
    data_key.save()
    survivor = Survivor(data_key=data_key, created_by=created_by, **fields)
    survivor.full_clean(exclude=["data_key", "created_by"])
    survivor.save()
    _reindex(survivor)
    return survivor


@transaction.atomic
def survivor_update(*, survivor: Survivor, acting_user: User, expected_version: int, **changes: Any) -> Survivor:
    """Change identity or profile fields, guarded by the version the caller read."""
    unknown = set(changes) - set(IDENTITY_FIELDS) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"survivor_update got unknown fields: {sorted(unknown)}")
    locked = lock_version(Survivor.objects.select_related("data_key"), survivor.pk, expected_version)
    if locked.erased_at is not None:
        raise Conflict(_("This survivor's record was erased."))
    for name, value in changes.items():
        setattr(locked, name, value)
    if not (locked.given_names or locked.family_name or locked.aliases):
        raise Invalid({"given_names": [_("Give a name or an alias.")]})
    locked.full_clean(exclude=["data_key", "created_by"])
    save_version(locked)
    if set(changes) & set(IDENTITY_FIELDS):
        _reindex(locked)
    return locked


@transaction.atomic
def survivor_erase(*, survivor: Survivor, acting_user: User) -> Survivor:
    """Crypto-shredding: destroy the survivor's data key and blind indexes.

    Afterwards nothing encrypted with that key can be read again, in the live
    tables, in history tables or in any backup of case data; the
    non-identifying profile stays for statistics. The erasure is recorded
    (who, when, which survivor id) without personal data.
    """
    locked = Survivor.objects.select_for_update().select_related("data_key").get(pk=survivor.pk)
    if locked.erased_at is not None:
        return locked
    data_key_destroy(locked.data_key)
    SurvivorIndexEntry.objects.filter(survivor=locked).delete()
    Survivor.objects.filter(pk=locked.pk).update(
        erased_at=timezone.now(), erased_by=acting_user, version=F("version") + 1
    )
    logger.info("survivor %s erased by user %s", locked.pk, acting_user.pk)
    locked.refresh_from_db()
    signals.survivor_erased.send(sender=Survivor, survivor=locked, acting_user=acting_user)
    return locked


@transaction.atomic
def erasures_apply(*, key_ids: list[uuid.UUID]) -> tuple[int, int]:
    """After a restore from a backup older than some erasures: destroy again the data keys the erasure ledger
    names, delete those survivors' blind indexes and mark them erased (by nobody: the ledger does not say who).
    Returns (keys destroyed, survivors marked). Keys already destroyed are left alone."""
    alive = list(DataKey.objects.select_for_update().filter(pk__in=key_ids, destroyed_at__isnull=True))
    survivors = list(Survivor.objects.filter(data_key_id__in=[key.pk for key in alive], erased_at__isnull=True))
    for key in alive:
        data_key_destroy(key)
    SurvivorIndexEntry.objects.filter(survivor__in=survivors).delete()
    marked = Survivor.objects.filter(pk__in=[survivor.pk for survivor in survivors]).update(
        erased_at=timezone.now(), version=F("version") + 1
    )
    logger.warning(
        "erasure ledger applied again: %s data keys destroyed, %s survivors marked erased", len(alive), marked
    )
    return len(alive), marked


# --- cases and their grants ----------------------------------------------------------------

WORKER_ACTIONS = (CaseAction.VIEW, CaseAction.WORK)
SUPERVISOR_ACTIONS = (CaseAction.VIEW, CaseAction.WORK, CaseAction.ASSIGN)
CASE_FIELDS = (
    "trafficking_status",
    "trafficking_status_decided_by",
    "exploitation_types",
    "sexual_exploitation_types",
    "labour_industry",
    "means_of_control",
    "recruitment_methods",
    "trafficker_relationship",
    "countries_of_recruitment",
    "countries_of_exploitation",
    "regions_of_recruitment",
    "regions_of_exploitation",
    "risk_level",
    "summary",
)


def case_grant_user(
    *,
    case: Case,
    user: User,
    reason: str,
    granted_by: User,
    actions: Iterable[CaseAction] = WORKER_ACTIONS,
    expires_at: datetime | None = None,
) -> list[CaseUserObjectPermission]:
    """Give ``user`` the ``actions`` on ``case`` for ``reason``. An existing
    grant of a permission keeps its reason unless it was an expiring one."""
    grants = CASE_GRANTS.grant_user(
        case, user, list(actions), reason=reason, granted_by=granted_by, expires_at=expires_at
    )
    logger.info("case %s: %s granted %s to user %s (%s)", case.pk, granted_by.pk, list(actions), user.pk, reason)
    return grants  # type: ignore[return-value]


def _check_team_member(team: Team, user: User) -> None:
    if not TeamMembership.objects.filter(team=team, user=user).exists() or user.role not in (
        Role.CASEWORKER,
        Role.SUPERVISOR,
    ):
        raise Invalid({"assignees": [_("Cases are assigned to caseworkers and supervisors of the team.")]})


@transaction.atomic
def case_open(*, survivor: Survivor, team: Team, opened_by: User, **fields: Any) -> Case:
    """Open a case for ``survivor`` in ``team``: the opener owns it, the
    team's supervisors see and assign it."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"case_open got unknown fields: {sorted(unknown)}")
    fields.setdefault("summary", "")
    if not TeamMembership.objects.filter(team=team, user=opened_by).exists():
        raise Invalid({"team": [_("You can open cases only in your own teams.")]})
    if survivor.erased_at is not None:
        raise Conflict(_("This survivor's record was erased."))
    now = timezone.now()
    case = Case(
        survivor=survivor,
        data_key=survivor.data_key,
        organisation=team.organisation,
        team=team,
        opened_by=opened_by,
        opened_at=now,
        **fields,
    )
    case.full_clean(exclude=["data_key", "reference", "survivor", "team", "organisation", "opened_by"])
    case.reference = next_reference(CaseReferenceCounter, "C", timezone.localtime(now, UTC).year)
    case.save()
    case_grant_user(case=case, user=opened_by, reason=GrantReason.OWNER, granted_by=opened_by)
    CASE_GRANTS.grant_group(
        case,
        team_supervisor_group(team=team),
        SUPERVISOR_ACTIONS,
        reason=GrantReason.TEAM_SUPERVISOR,
        granted_by=opened_by,
    )
    return case


@transaction.atomic
def case_update(*, case: Case, acting_user: User, expected_version: int, **changes: Any) -> Case:
    unknown = set(changes) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"case_update got unknown fields: {sorted(unknown)}")
    locked = _lock_case(case, expected_version)
    case_require_open(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["data_key", "reference", "survivor", "team", "organisation", "opened_by"])
    save_version(locked)
    return locked


def _lock_case(case: Case, expected_version: int | None) -> Case:
    return lock_version(Case.objects.select_related("data_key", "team"), case.pk, expected_version)


@transaction.atomic
def case_assign(*, case: Case, acting_user: User, assignees: list[User], expected_version: int) -> Case:
    """Make ``assignees`` (team caseworkers and supervisors) the case's
    assignees: new ones get a grant, dropped ones lose theirs. The owner keeps
    the owner grant."""
    locked = _lock_case(case, expected_version)
    for user in assignees:
        _check_team_member(locked.team, user)
    wanted = {user.pk for user in assignees}
    current = set(
        CaseUserObjectPermission.objects.filter(content_object=locked, reason=GrantReason.ASSIGNED).values_list(
            "user_id", flat=True
        )
    )
    CaseUserObjectPermission.objects.filter(
        content_object=locked, reason=GrantReason.ASSIGNED, user_id__in=current - wanted
    ).delete()
    for user in assignees:
        if user.pk not in current:
            case_grant_user(case=locked, user=user, reason=GrantReason.ASSIGNED, granted_by=acting_user)
    logger.info("case %s assigned by %s: %d assignees", locked.pk, acting_user.pk, len(wanted))
    return save_version(locked, "updated_at")


@transaction.atomic
def case_close(*, case: Case, acting_user: User, closure_reason: str, expected_version: int) -> Case:
    locked = _lock_case(case, expected_version)
    if locked.is_closed:
        raise Conflict(_("The case is already closed."))
    if closure_reason not in ClosureReason.values:
        raise Invalid({"closure_reason": [_("Choose a closure reason.")]})
    locked.status = CaseStatus.CLOSED_REFERRED if closure_reason == ClosureReason.REFERRED else CaseStatus.CLOSED
    locked.closure_reason, locked.closed_at = closure_reason, timezone.now()
    return save_version(locked, "status", "closure_reason", "closed_at", "updated_at")


@transaction.atomic
def case_reopen(*, case: Case, acting_user: User, expected_version: int) -> Case:
    locked = _lock_case(case, expected_version)
    if not locked.is_closed:
        raise Conflict(_("The case is not closed."))
    locked.status, locked.closure_reason, locked.closed_at = CaseStatus.ACTIVE, "", None
    return save_version(locked, "status", "closure_reason", "closed_at", "updated_at")


@transaction.atomic
def case_break_glass(*, case: Case, acting_user: User, reason: str) -> CaseUserObjectPermission:
    """Open a case outside one's assignments for a limited time (read only),
    with a reason; the team's supervisors and the auditors are told."""
    reason = reason.strip()
    if len(reason) < 10:
        raise Invalid({"reason": [_("Say why you need this case (at least 10 characters).")]})
    if cases_visible_to(acting_user).filter(pk=case.pk).exists():
        raise Conflict(_("You already have access to this case."))
    expires_at = timezone.now() + timedelta(hours=settings.NGO_BREAK_GLASS_HOURS)
    (grant,) = case_grant_user(
        case=case,
        user=acting_user,
        reason=GrantReason.BREAK_GLASS,
        granted_by=acting_user,
        actions=(CaseAction.VIEW,),
        expires_at=expires_at,
    )
    # The reason, sealed with the survivor's key (it may name people).
    BreakGlassReason.objects.filter(grant=grant).delete()
    BreakGlassReason.objects.create(grant=grant, data_key_id=case.data_key_id, reason=reason)
    from .tasks import notify_break_glass

    transaction.on_commit(lambda: notify_break_glass.delay(str(grant.pk)))
    logger.warning("break-glass: user %s opened case %s until %s", acting_user.pk, case.pk, expires_at.isoformat())
    return grant


# --- notes, consents, milestones, follow-ups -------------------------------------------------


def case_require_not_erased(case: Case) -> None:
    """Writing encrypted text needs the survivor's data key: gone after erasure."""
    if case.is_erased:
        raise Conflict(_("This survivor's record was erased."))


def case_require_open(case: Case) -> None:
    case_require_not_erased(case)
    if case.is_closed:
        raise Conflict(_("The case is closed; reopen it first."))


@transaction.atomic
def case_note_create(*, case: Case, author: User, body: str) -> CaseNote:
    case_require_open(case)
    note = CaseNote(case=case, data_key_id=case.data_key_id, author=author, body=body)
    note.data_key = case.data_key
    note.save()
    return note


@transaction.atomic
def case_note_update(*, note: CaseNote, acting_user: User, expected_version: int, body: str) -> CaseNote:
    locked = lock_version(CaseNote.objects.select_related("data_key", "case"), note.pk, expected_version)
    if locked.author_id != acting_user.pk:
        raise NotAllowed()
    case_require_open(locked.case)
    locked.body = body
    return save_version(locked)


@transaction.atomic
def consent_record(*, case: Case, recorded_by: User, **fields: Any) -> Consent:
    """Record a consent. A referral consent names one organisation and
    expires after NGO_REFERRAL_CONSENT_DAYS unless an expiry is given."""
    case_require_open(case)
    consent = Consent(case=case, recorded_by=recorded_by, **fields)
    if consent.scope == ConsentScope.REFERRAL and consent.expires_at is None and consent.given_at is not None:
        consent.expires_at = consent.given_at + timedelta(days=settings.NGO_REFERRAL_CONSENT_DAYS)
    if consent.scope != ConsentScope.REFERRAL and consent.organisation_id is not None:
        raise Invalid({"organisation": [_("Only a referral consent names an organisation.")]})
    if consent.scope == ConsentScope.REFERRAL and consent.organisation_id is None:
        raise Invalid({"organisation": [_("A referral consent names the organisation.")]})
    if consent.given_at and consent.given_at > timezone.now() + timedelta(minutes=5):
        raise Invalid({"given_at": [_("A consent cannot be given in the future.")]})
    if consent.expires_at is not None and consent.given_at and consent.expires_at <= consent.given_at:
        raise Invalid({"expires_at": [_("The expiry must be after the consent was given.")]})
    consent.save()
    return consent


@transaction.atomic
def consent_revoke(*, consent: Consent, acting_user: User, expected_version: int) -> Consent:
    """Revoke at once. A revoked referral consent withdraws that
    organisation's referrals and access in the same transaction (the
    referrals app listens to ``signals.consent_revoked``)."""
    locked = lock_version(Consent.objects.all(), consent.pk, expected_version)
    if locked.revoked_at is not None:
        raise Conflict(_("The consent was already revoked."))
    locked.revoked_at, locked.revoked_by = max(timezone.now(), locked.given_at), acting_user
    save_version(locked, "revoked_at", "revoked_by")
    signals.consent_revoked.send(sender=Consent, consent=locked, acting_user=acting_user)
    return locked


@transaction.atomic
def milestone_record(*, case: Case, recorded_by: User, **fields: Any) -> Milestone:
    case_require_open(case)
    milestone = Milestone(case=case, recorded_by=recorded_by, **fields)
    milestone.data_key = case.data_key
    if milestone.kind == MilestoneKind.RECOVERY_PERIOD and milestone.ends_on is None and milestone.starts_on:
        milestone.ends_on = milestone.starts_on + timedelta(days=settings.NGO_RECOVERY_PERIOD_DAYS)
    if milestone.kind in (MilestoneKind.REASONABLE_GROUNDS, MilestoneKind.CONCLUSIVE_GROUNDS):
        milestone.decision = milestone.decision or Decision.PENDING
    elif milestone.decision:
        raise Invalid({"decision": [_("Only identification decisions have a decision.")]})
    if milestone.ends_on is not None and milestone.starts_on and milestone.ends_on < milestone.starts_on:
        raise Invalid({"ends_on": [_("The end must not be before the start.")]})
    milestone.save()
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, acting_user: User, expected_version: int, **changes: Any) -> Milestone:
    locked = lock_version(Milestone.objects.select_related("data_key", "case"), milestone.pk, expected_version)
    case_require_open(locked.case)
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.kind in (MilestoneKind.REASONABLE_GROUNDS, MilestoneKind.CONCLUSIVE_GROUNDS):
        if not locked.decision:
            raise Invalid({"decision": [_("Identification decisions have a decision.")]})
    elif locked.decision:
        raise Invalid({"decision": [_("Only identification decisions have a decision.")]})
    if locked.ends_on is not None and locked.ends_on < locked.starts_on:
        raise Invalid({"ends_on": [_("The end must not be before the start.")]})
    return save_version(locked)


@transaction.atomic
def follow_up_create(*, case: Case, created_by: User, assignee: User, due_on: date, description: str) -> FollowUp:
    case_require_open(case)
    if not cases_visible_to(assignee).filter(pk=case.pk).exists():
        raise Invalid({"assignee": [_("The assignee must work on this case.")]})
    follow_up = FollowUp(case=case, created_by=created_by, assignee=assignee, due_on=due_on, description=description)
    follow_up.data_key = case.data_key
    follow_up.save()
    return follow_up


@transaction.atomic
def follow_up_update(*, follow_up: FollowUp, acting_user: User, expected_version: int, **changes: Any) -> FollowUp:
    locked = lock_version(FollowUp.objects.select_related("data_key", "case"), follow_up.pk, expected_version)
    case_require_not_erased(locked.case)
    if "assignee" in changes and not cases_visible_to(changes["assignee"]).filter(pk=locked.case_id).exists():
        raise Invalid({"assignee": [_("The assignee must work on this case.")]})
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.status == FollowUpStatus.DONE and locked.completed_at is None:
        locked.completed_at = timezone.now()
    elif locked.status != FollowUpStatus.DONE:
        locked.completed_at = None
    return save_version(locked)


# --- grants made in the admin (guardian's object-permission screens) -------------------------


@transaction.atomic
def case_user_grants_set(*, case: Case, user: User, actions: set[CaseAction], granted_by: User) -> None:
    """Make ``user``'s permissions on ``case`` exactly ``actions``; new ones
    are recorded as assigned by ``granted_by``."""
    CASE_GRANTS.set_user(case, user, actions, reason=GrantReason.ASSIGNED, granted_by=granted_by)
    logger.info("case %s: user %s grants set to %s by %s", case.pk, user.pk, sorted(actions), granted_by.pk)


@transaction.atomic
def case_group_grants_set(*, case: Case, group: Any, actions: set[CaseAction], granted_by: User) -> None:
    reason = GrantReason.TEAM_SUPERVISOR if hasattr(group, "supervised_team") else GrantReason.ASSIGNED
    CASE_GRANTS.set_group(case, group, actions, reason=reason, granted_by=granted_by)
    logger.info("case %s: group %s grants set to %s by %s", case.pk, group.pk, sorted(actions), granted_by.pk)
