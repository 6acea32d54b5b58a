"""Who may do what with a referral: the one place that decides it.

A referral is seen from one of three sides:

* the **sender** side: whoever sees the case (its owner, assignees, team
  supervisors, break-glass) sees its referrals in full; whoever may work on
  the case drafts, sends and withdraws them. No referral grant is needed:
  this follows the case's own grants (cases/permissions.py).
* the **sending desk**: the coordinators of the case's organisation see the
  referrals it sent (metadata and the shared subset), through a group grant
  made on send (reason ``sender_desk``).
* the **recipient** side: the receiving organisation's desk (its
  coordinators, a group grant with reason ``referral``) sees the referral,
  answers it and assigns it to its staff; an assigned member of staff gets a
  user grant (reason ``referral``) and answers and progresses it. Recipient
  grants are deleted when the referral is withdrawn or its consent revoked,
  and expire NGO_REFERRAL_GRACE_DAYS after it is declined or completed.

A receiving organisation without active accounts (a state hospital, a
consulate) cannot answer for itself: the sender side and the sending desk
record its answers, and print it a letter.

Recipients and desks see the shared field groups only while the referral's
consent is live (or was overridden); after it expires they still see the
referral's metadata, so that they can finish their work.

Unseen and nonexistent look the same (404); 403 only when the referral is
visible but the action is not allowed.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now

from accounts.models import Role, User
from cases.permissions import CASE_GRANTS, CaseAction, visible_case_ids
from ngo_cases.errors import NotAllowed, NotFound
from ngo_cases.grants.access import ObjectGrants

from .models import OPEN_STATUSES, FieldGroup, Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission


class ReferralAction(enum.StrEnum):
    VIEW = "view_referral"
    ANSWER = "change_referral"  # accept, decline, start, complete, record services delivered
    ASSIGN = "assign_referral"  # to staff of the receiving organisation


class Need(enum.Enum):
    """What a request needs, for :func:`access_referral`."""

    VIEW = "view"
    EDIT = "edit"  # sender side: change a draft, send, withdraw
    ANSWER = "answer"
    ASSIGN = "assign"
    LETTER = "letter"  # sender side or sending desk, for a recipient without accounts


REFERRAL_GRANTS = ObjectGrants(ReferralUserObjectPermission, ReferralGroupObjectPermission)


def visible_referral_ids(user: User, action: ReferralAction = ReferralAction.VIEW) -> RawSQL:
    """Ids of the referrals ``user`` holds a referral grant on (not the sender side)."""
    return REFERRAL_GRANTS.ids(user, action)


def case_holds(user: User, action: CaseAction) -> RawSQL:
    """Does ``user`` hold ``action`` on the referral's case (the sender side)?"""
    return CASE_GRANTS.held(user, action, '"referrals_referral"."case_id"')


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    """Sender side (through the case) or a referral grant."""
    return Referral.objects.filter(Q(case_id__in=visible_case_ids(user)) | Q(pk__in=visible_referral_ids(user)))


def consent_live() -> Q:
    """The referral's consent is live now, or it was sent by override."""
    return Q(consent_overridden_by__isnull=False) | (
        Q(consent__isnull=False)
        & Q(consent__revoked_at__isnull=True)
        & Q(consent__given_at__lte=Now())
        & (Q(consent__expires_at__isnull=True) | Q(consent__expires_at__gt=Now()))
    )


def recipient_offline() -> Any:
    """True when the receiving organisation has no active accounts."""
    return ~Exists(User.objects.filter(organisation_id=OuterRef("organisation_id"), is_active=True))


def with_access(queryset: QuerySet[Referral], user: User) -> QuerySet[Referral]:
    """Annotate what ``user`` may do with each referral (one query with the rows)."""
    return queryset.annotate(
        on_sender_side=case_holds(user, CaseAction.VIEW),
        can_work_case=case_holds(user, CaseAction.WORK),
        holds_answer=REFERRAL_GRANTS.held(user, ReferralAction.ANSWER),
        holds_assign=REFERRAL_GRANTS.held(user, ReferralAction.ASSIGN),
        is_offline=recipient_offline(),
        consent_is_live=Case(When(consent_live(), then=Value(True)), default=Value(False), output_field=BooleanField()),
    )


def on_sending_desk(user: User, referral: Referral) -> bool:
    return user.role == Role.COORDINATOR and user.organisation_id == referral.sender_organisation_id


def side(user: User, referral: Any) -> str:
    """``sender``, ``sender_desk`` or ``recipient``: which serializer and which actions."""
    if referral.on_sender_side:
        return "sender"
    if on_sending_desk(user, referral):
        return "sender_desk"
    return "recipient"


def may(user: User, referral: Any, need: Need) -> bool:
    """What an annotated referral (from :func:`with_access`) allows ``user``."""
    if need == Need.VIEW:
        return True
    if need == Need.EDIT:
        return bool(referral.can_work_case)
    if need == Need.ASSIGN:
        return bool(referral.holds_assign) and not referral.on_sender_side
    on_behalf = bool(referral.is_offline) and (bool(referral.can_work_case) or on_sending_desk(user, referral))
    if need == Need.ANSWER:
        return (bool(referral.holds_answer) and not referral.on_sender_side) or on_behalf
    if need == Need.LETTER:
        return on_behalf
    raise AssertionError(need)


def visible_groups(user: User, referral: Any) -> list[str]:
    """The shared field groups ``user`` may read now: the sender side always
    (it is their case, and they see what they share); desks and recipients
    only while the consent is live."""
    groups = [g for g in FieldGroup.values if g in (referral.shared_groups or [])]
    if referral.on_sender_side or referral.consent_is_live:
        return groups
    return []


def documents_open(user: User, referral: Any) -> bool:
    """May ``user`` open the attachments this referral shares? The sender
    side always (they are its case's); desks and recipients only with the
    documents group shared, while the consent is live and the referral is
    open (not after it is declined, completed or withdrawn)."""
    if referral.on_sender_side:
        return True
    return FieldGroup.DOCUMENTS in visible_groups(user, referral) and referral.status in OPEN_STATUSES


def access_referral(user: User, referral_id: uuid.UUID | str, need: Need = Need.VIEW) -> Any:
    """The referral, annotated with what ``user`` may do, with its case,
    survivor and data key loaded; 404 if unseen, 403 if seen but ``need`` is
    not allowed. One query."""
    referral = (
        with_access(referrals_visible_to(user).filter(pk=referral_id), user)
        .select_related(
            "data_key", "case", "case__survivor", "organisation", "sender_organisation", "consent", "assigned_to"
        )
        .first()
    )
    if referral is None:
        raise NotFound()
    # The case and survivor rows are encrypted with the same data key as the referral.
    referral.case.data_key = referral.data_key
    referral.case.survivor.data_key = referral.data_key
    if not may(user, referral, need):
        raise NotAllowed()
    return referral


def access_referral_documents(user: User, referral_id: uuid.UUID | str, need: Need = Need.VIEW) -> Any:
    """The referral as :func:`access_referral` gives it, with
    ``documents_open``: whether ``user`` may open what it shares."""
    referral = access_referral(user, referral_id, need)
    referral.documents_open = documents_open(user, referral)
    return referral
