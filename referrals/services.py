"""Writes of the directory and the referral workflow.

Every transition locks the referral row, checks the version the caller read
(If-Match) and the state it leaves, and changes grants in the same
transaction: an illegal transition is a 409 and changes nothing.

    draft -> sent -> accepted -> in_progress -> completed(outcome)
                  -> declined(reason)
    any open state -> withdrawn(reason)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Role, User
from accounts.services import organisation_desk_group
from attachments.selectors import attachments_of_case_and_survivor
from cases.models import Case, Consent, ConsentScope, Survivor
from cases.services import case_require_not_erased, case_require_open
from ngo_cases.db import next_reference
from ngo_cases.errors import ConsentRequired, IllegalTransition, Invalid, NotAllowed, validated
from ngo_cases.grants.access import holds_model_permission
from ngo_cases.versioning import lock_version, save_version, versioned_delete

from .models import (
    OPEN_STATUSES,
    DeclineReason,
    OrganisationContact,
    OrganisationService,
    Outcome,
    Referral,
    ReferralGrantReason,
    ReferralGroupObjectPermission,
    ReferralReferenceCounter,
    ReferralStatus,
    ReferralUserObjectPermission,
    ServiceDelivery,
    WithdrawReason,
)
from .permissions import REFERRAL_GRANTS, ReferralAction

logger = logging.getLogger(__name__)


def _illegal(referral: Referral, action: str) -> IllegalTransition:
    """409 for ``action`` (an API action name) in the referral's state."""
    return IllegalTransition(
        _("Not possible while the referral is %(status)s.") % {"status": ReferralStatus(referral.status).label},
        extra={"referral_status": referral.status, "action": action},
    )


# --- directory -------------------------------------------------------------------------------

ORGANISATION_FIELDS = ("name", "slug", "org_type", "region", "description", "active")
SERVICE_FIELDS = ("service", "regions", "languages", "description", "active")
CONTACT_FIELDS = ("name", "position", "phone", "email", "notes")


def _apply(obj: Any, changes: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(obj, name, value)


@transaction.atomic
def organisation_create(*, created_by: User, **fields: Any) -> Organisation:
    organisation = Organisation()
    _apply(organisation, fields, ORGANISATION_FIELDS)
    validated(organisation, exclude=["desk_group"]).save()
    logger.info("organisation %s added to the directory by %s", organisation.pk, created_by.pk)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, acting_user: User, expected_version: int, **changes: Any
) -> Organisation:
    locked = lock_version(Organisation.objects.all(), organisation.pk, expected_version)
    if locked.is_home and changes.get("active") is False:
        raise Invalid({"active": [_("The home NGO runs this system and cannot be deactivated.")]})
    _apply(locked, changes, ORGANISATION_FIELDS)
    return save_version(validated(locked, exclude=["desk_group"]))


@transaction.atomic
def service_create(*, organisation: Organisation, created_by: User, **fields: Any) -> OrganisationService:
    if OrganisationService.objects.filter(organisation=organisation, service=fields.get("service")).exists():
        raise Invalid({"service": [_("The organisation already lists this service.")]})
    offered = OrganisationService(organisation=organisation)
    _apply(offered, fields, SERVICE_FIELDS)
    validated(offered, exclude=["organisation"]).save()
    return offered


@transaction.atomic
def service_update(
    *, offered: OrganisationService, acting_user: User, expected_version: int, **changes: Any
) -> OrganisationService:
    locked = lock_version(OrganisationService.objects.all(), offered.pk, expected_version)
    if (
        "service" in changes
        and changes["service"] != locked.service
        and OrganisationService.objects.filter(
            organisation_id=locked.organisation_id, service=changes["service"]
        ).exists()
    ):
        raise Invalid({"service": [_("The organisation already lists this service.")]})
    _apply(locked, changes, SERVICE_FIELDS)
    return save_version(validated(locked, exclude=["organisation"]))


@transaction.atomic
def service_delete(*, offered: OrganisationService, acting_user: User, expected_version: int) -> None:
    versioned_delete(offered, expected=expected_version)


@transaction.atomic
def contact_create(*, organisation: Organisation, created_by: User, **fields: Any) -> OrganisationContact:
    contact = OrganisationContact(organisation=organisation)
    _apply(contact, fields, CONTACT_FIELDS)
    validated(contact, exclude=["organisation"]).save()
    return contact


@transaction.atomic
def contact_update(
    *, contact: OrganisationContact, acting_user: User, expected_version: int, **changes: Any
) -> OrganisationContact:
    locked = lock_version(OrganisationContact.objects.all(), contact.pk, expected_version)
    _apply(locked, changes, CONTACT_FIELDS)
    return save_version(validated(locked, exclude=["organisation"]))


@transaction.atomic
def contact_delete(*, contact: OrganisationContact, acting_user: User, expected_version: int) -> None:
    versioned_delete(contact, expected=expected_version)


# --- referrals: drafting -------------------------------------------------------------------------

DRAFT_FIELDS = ("organisation", "services", "urgency", "reason", "needs", "shared_groups")


def _check_recipient(case: Case, organisation: Organisation) -> None:
    if organisation.pk == case.organisation_id:
        raise Invalid({"organisation": [_("Refer to another organisation, not the case's own.")]})
    if not organisation.active:
        raise Invalid({"organisation": [_("This organisation takes no new referrals.")]})


def _check_draft(referral: Referral) -> None:
    if not referral.services or len(set(referral.services)) != len(referral.services):
        raise Invalid({"services": [_("Choose one or more services, each once.")]})
    if len(set(referral.shared_groups)) != len(referral.shared_groups):
        raise Invalid({"shared_groups": [_("Name each field group once.")]})


@transaction.atomic
def referral_create(*, case: Case, created_by: User, organisation: Organisation, **fields: Any) -> Referral:
    """A draft referral of ``case`` to ``organisation``. Nothing is shared
    until it is sent."""
    case_require_open(case)
    _check_recipient(case, organisation)
    referral = Referral(
        case=case,
        data_key=case.data_key,
        sender_organisation_id=case.organisation_id,
        organisation=organisation,
        created_by=created_by,
    )
    attachments = fields.pop("shared_attachments", None)
    _apply(referral, fields, DRAFT_FIELDS)
    referral.reason = referral.reason or ""
    referral.needs = referral.needs or ""
    referral.consent_override_reason = ""
    referral.closing_notes = ""
    _check_draft(referral)
    referral.reference = next_reference(ReferralReferenceCounter, "R", timezone.localtime(timezone.now(), UTC).year)
    referral.save()
    if attachments is not None:
        _share_attachments(referral, attachments)
    return referral


def _share_attachments(referral: Referral, attachment_ids: list[Any]) -> None:
    """The attachments a draft shares: the case's own, or its survivor's."""
    ids = set(attachment_ids)
    allowed = set(attachments_of_case_and_survivor(referral.case).filter(pk__in=ids).values_list("pk", flat=True))
    if allowed != ids:
        raise Invalid({"shared_attachments": [_("Share only attachments of this case or its survivor.")]})
    referral.shared_attachments.set(ids)


def _lock_referral(referral: Referral, expected_version: int | None) -> Referral:
    locked = lock_version(
        Referral.objects.select_related("data_key", "case", "organisation"), referral.pk, expected_version
    )
    locked.case.data_key = locked.data_key
    return locked


def _bump(referral: Referral, **changes: Any) -> Referral:
    """A transition's columns and the next version, on a row taken with _lock_referral."""
    for name, value in changes.items():
        setattr(referral, name, value)
    return save_version(referral, *changes, "updated_at")


@transaction.atomic
def referral_update(*, referral: Referral, acting_user: User, expected_version: int, **changes: Any) -> Referral:
    """Change a draft. Once sent, what was shared under the consent stays as sent."""
    locked = _lock_referral(referral, expected_version)
    if locked.status != ReferralStatus.DRAFT:
        raise _illegal(locked, "edit")
    case_require_open(locked.case)
    if "organisation" in changes:
        _check_recipient(locked.case, changes["organisation"])
    attachments = changes.pop("shared_attachments", None)
    _apply(locked, changes, DRAFT_FIELDS)
    _check_draft(locked)
    saved = save_version(locked)
    if attachments is not None:
        _share_attachments(saved, attachments)
    return saved


def live_referral_consent(*, case: Case, organisation: Organisation) -> Consent | None:
    now = timezone.now()
    return (
        Consent.objects.filter(
            case=case,
            scope=ConsentScope.REFERRAL,
            organisation=organisation,
            revoked_at__isnull=True,
            given_at__lte=now,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by(F("expires_at").desc(nulls_first=True))
        .first()
    )


RECIPIENT_DESK_ACTIONS = (ReferralAction.VIEW, ReferralAction.ANSWER, ReferralAction.ASSIGN)
ASSIGNEE_ACTIONS = (ReferralAction.VIEW, ReferralAction.ANSWER)


@transaction.atomic
def referral_send(
    *, referral: Referral, acting_user: User, expected_version: int, override_reason: str = ""
) -> Referral:
    """Send a draft: needs a live referral consent for the receiving
    organisation, or an override by a holder of that permission, with a
    reason. The receiving organisation's desk and the sending one's get
    their grants."""
    locked = _lock_referral(referral, expected_version)
    if locked.status != ReferralStatus.DRAFT:
        raise _illegal(locked, "send")
    case_require_open(locked.case)
    if not locked.organisation.active:
        raise Invalid({"organisation": [_("This organisation takes no new referrals.")]})
    consent = live_referral_consent(case=locked.case, organisation=locked.organisation)
    override_reason = override_reason.strip()
    changes: dict[str, Any] = {}
    if consent is not None:
        changes["consent"] = consent
    elif not override_reason:
        raise ConsentRequired()
    else:
        if not holds_model_permission(acting_user, "referrals", "override_consent_referral"):
            raise NotAllowed(_("Sending without a live consent needs the consent-override permission."))
        if len(override_reason) < 10:
            raise Invalid({"override_reason": [_("Say why consent cannot be obtained (at least 10 characters).")]})
        changes["consent_override_reason"] = override_reason
        changes["consent_overridden_by"] = acting_user
        logger.warning(
            "referral %s of case %s sent WITHOUT consent by override of user %s",
            locked.pk,
            locked.case_id,
            acting_user.pk,
        )
    now = timezone.now()
    _bump(locked, status=ReferralStatus.SENT, sent_at=now, sent_by=acting_user, **changes)
    recipient_desk = organisation_desk_group(organisation=locked.organisation)
    sender_desk = organisation_desk_group(organisation=Organisation.objects.get(pk=locked.sender_organisation_id))
    REFERRAL_GRANTS.grant_group(
        locked, recipient_desk, RECIPIENT_DESK_ACTIONS, reason=ReferralGrantReason.REFERRAL, granted_by=acting_user
    )
    REFERRAL_GRANTS.grant_group(
        locked, sender_desk, (ReferralAction.VIEW,), reason=ReferralGrantReason.SENDER_DESK, granted_by=acting_user
    )
    logger.info("referral %s sent by %s to organisation %s", locked.pk, acting_user.pk, locked.organisation_id)
    return locked


# --- referrals: the recipient's answers ------------------------------------------------------------


def _recipient_grants(referral_ids: Iterable[Any]) -> tuple[QuerySet[Any], QuerySet[Any]]:
    ids = list(referral_ids)
    return (
        ReferralUserObjectPermission.objects.filter(content_object_id__in=ids, reason=ReferralGrantReason.REFERRAL),
        ReferralGroupObjectPermission.objects.filter(content_object_id__in=ids, reason=ReferralGrantReason.REFERRAL),
    )


def _end_recipient_access(referral_ids: Iterable[Any], *, at_once: bool) -> None:
    """Withdrawn or consent revoked: the recipient's grants go now. Declined
    or completed: they expire after the grace period."""
    users, groups = _recipient_grants(referral_ids)
    if at_once:
        users.delete()
        groups.delete()
    else:
        expires_at = timezone.now() + timedelta(days=settings.NGO_REFERRAL_GRACE_DAYS)
        users.update(expires_at=expires_at)
        groups.update(expires_at=expires_at)


@transaction.atomic
def referral_accept(*, referral: Referral, acting_user: User, expected_version: int) -> Referral:
    locked = _lock_referral(referral, expected_version)
    if locked.status != ReferralStatus.SENT:
        raise _illegal(locked, "accept")
    return _bump(locked, status=ReferralStatus.ACCEPTED, answered_at=timezone.now(), answered_by=acting_user)


@transaction.atomic
def referral_decline(
    *, referral: Referral, acting_user: User, expected_version: int, decline_reason: str, notes: str = ""
) -> Referral:
    locked = _lock_referral(referral, expected_version)
    if locked.status != ReferralStatus.SENT:
        raise _illegal(locked, "decline")
    if decline_reason not in DeclineReason.values:
        raise Invalid({"decline_reason": [_("Choose a reason.")]})
    _set_notes(locked, notes)
    now = timezone.now()
    _bump(
        locked,
        status=ReferralStatus.DECLINED,
        answered_at=now,
        answered_by=acting_user,
        decline_reason=decline_reason,
        ended_at=now,
    )
    _end_recipient_access([locked.pk], at_once=False)
    return locked


@transaction.atomic
def referral_start(*, referral: Referral, acting_user: User, expected_version: int) -> Referral:
    locked = _lock_referral(referral, expected_version)
    if locked.status != ReferralStatus.ACCEPTED:
        raise _illegal(locked, "start")
    return _bump(locked, status=ReferralStatus.IN_PROGRESS, started_at=timezone.now())


@transaction.atomic
def referral_complete(
    *, referral: Referral, acting_user: User, expected_version: int, outcome: str, notes: str = ""
) -> Referral:
    locked = _lock_referral(referral, expected_version)
    if locked.status != ReferralStatus.IN_PROGRESS:
        raise _illegal(locked, "complete")
    if outcome not in Outcome.values:
        raise Invalid({"outcome": [_("Choose an outcome.")]})
    _set_notes(locked, notes)
    now = timezone.now()
    _bump(locked, status=ReferralStatus.COMPLETED, completed_at=now, outcome=outcome, ended_at=now)
    _end_recipient_access([locked.pk], at_once=False)
    return locked


def _set_notes(referral: Referral, notes: str) -> None:
    if notes:
        case_require_not_erased(referral.case)
        referral.closing_notes = notes
        referral.save(update_fields=["closing_notes"])


@transaction.atomic
def referral_withdraw(
    *, referral: Referral, acting_user: User, expected_version: int, withdraw_reason: str, notes: str = ""
) -> Referral:
    """The sender takes the referral back: the recipient loses access now."""
    locked = _lock_referral(referral, expected_version)
    if locked.status not in OPEN_STATUSES:
        raise _illegal(locked, "withdraw")
    if withdraw_reason not in WithdrawReason.values:
        raise Invalid({"withdraw_reason": [_("Choose a reason.")]})
    _set_notes(locked, notes)
    now = timezone.now()
    _bump(
        locked,
        status=ReferralStatus.WITHDRAWN,
        withdrawn_at=now,
        withdrawn_by=acting_user,
        withdraw_reason=withdraw_reason,
        ended_at=now,
    )
    _end_recipient_access([locked.pk], at_once=True)
    logger.info("referral %s withdrawn by %s", locked.pk, acting_user.pk)
    return locked


ASSIGNABLE_ROLES = (Role.PARTNER_CASEWORKER, Role.COORDINATOR)


@transaction.atomic
def referral_assign(*, referral: Referral, acting_user: User, expected_version: int, assignee: User) -> Referral:
    """The receiving desk gives the referral to one of its staff, who gets a
    grant with reason ``referral``; a previous assignee loses theirs."""
    locked = _lock_referral(referral, expected_version)
    if locked.status not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        raise _illegal(locked, "assign")
    if not (
        assignee.is_active and assignee.organisation_id == locked.organisation_id and assignee.role in ASSIGNABLE_ROLES
    ):
        raise Invalid({"assignee": [_("Assign to active staff of the receiving organisation.")]})
    ReferralUserObjectPermission.objects.filter(content_object=locked, reason=ReferralGrantReason.REFERRAL).exclude(
        user=assignee
    ).delete()
    REFERRAL_GRANTS.grant_user(
        locked, assignee, ASSIGNEE_ACTIONS, reason=ReferralGrantReason.REFERRAL, granted_by=acting_user
    )
    logger.info("referral %s assigned to %s by %s", locked.pk, assignee.pk, acting_user.pk)
    return _bump(locked, assigned_to=assignee)


# --- letters for organisations without accounts -------------------------------------------------


def referral_letter_check(*, referral: Referral) -> None:
    """A letter is printed only for an open, sent referral whose consent is live."""
    if referral.status not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        raise _illegal(referral, "letter")
    if not getattr(referral, "consent_is_live", False):
        raise ConsentRequired()
    case_require_not_erased(referral.case)


def referral_letter_produced(*, referral: Referral, produced_by: User) -> None:
    logger.info("referral %s: letter produced by %s", referral.pk, produced_by.pk)


# --- services delivered ------------------------------------------------------------------------------


@transaction.atomic
def delivery_record(
    *,
    referral: Referral,
    recorded_by: User,
    service: str,
    started_on: date,
    ended_on: date | None = None,
    outcome: str = "",
    notes: str = "",
) -> ServiceDelivery:
    locked = _lock_referral(referral, None)
    if locked.status not in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED):
        raise _illegal(locked, "record_delivery")
    case_require_not_erased(locked.case)
    if service not in locked.services:
        raise Invalid({"service": [_("This service was not asked for in the referral.")]})
    if ended_on is not None and ended_on < started_on:
        raise Invalid({"ended_on": [_("The end must not be before the start.")]})
    delivery = ServiceDelivery(
        referral=locked,
        data_key=locked.data_key,
        service=service,
        started_on=started_on,
        ended_on=ended_on,
        outcome=outcome,
        notes=notes,
        recorded_by=recorded_by,
    )
    delivery.save()
    return delivery


# --- consent revoked, survivor erased (cases.signals) ------------------------------------------------


def _withdraw_all(referrals: QuerySet[Referral], *, acting_user: User, reason: str) -> int:
    """Withdraw every open referral of ``referrals`` and end recipient
    access to all of them (ended ones too) at once."""
    ids = list(referrals.select_for_update(of=("self",)).values_list("pk", flat=True))
    now = timezone.now()
    withdrawn = Referral.objects.filter(pk__in=ids, status__in=OPEN_STATUSES).update(
        status=ReferralStatus.WITHDRAWN,
        withdrawn_at=now,
        withdrawn_by=acting_user,
        withdraw_reason=reason,
        ended_at=now,
        version=F("version") + 1,
    )
    _end_recipient_access(ids, at_once=True)
    return withdrawn


def on_consent_revoked(sender: Any, consent: Consent, acting_user: User, **kwargs: Any) -> None:
    """Revoking a referral consent withdraws the case's sent referrals to
    that organisation and the organisation's access to them, at once.

    If another live referral consent for the same organisation remains (a
    renewal), the referrals sent under the revoked one move to it instead:
    the survivor still agrees to that organisation. Drafts share nothing and
    stay drafts (sending needs a live consent)."""
    if consent.scope != ConsentScope.REFERRAL or consent.organisation_id is None:
        return
    case = Case.objects.get(pk=consent.case_id)
    remaining = live_referral_consent(case=case, organisation=Organisation(pk=consent.organisation_id))
    sent = Referral.objects.filter(case_id=consent.case_id, organisation_id=consent.organisation_id).exclude(
        status=ReferralStatus.DRAFT
    )
    if remaining is not None:
        moved = sent.filter(consent=consent).update(consent=remaining, version=F("version") + 1)
        logger.info("consent %s revoked: %d referrals moved to consent %s", consent.pk, moved, remaining.pk)
        return
    count = _withdraw_all(sent, acting_user=acting_user, reason=WithdrawReason.CONSENT_REVOKED)
    logger.info("consent %s revoked: %d referrals withdrawn", consent.pk, count)


def on_survivor_erased(sender: Any, survivor: Survivor, acting_user: User, **kwargs: Any) -> None:
    count = _withdraw_all(
        Referral.objects.filter(case__survivor_id=survivor.pk),
        acting_user=acting_user,
        reason=WithdrawReason.SURVIVOR_ERASED,
    )
    logger.info("survivor %s erased: %d referrals withdrawn", survivor.pk, count)
