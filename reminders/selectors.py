"""Reading the state behind reminders: is a planned reminder still due, and
who is to be reminded. Both are asked for a batch of reminders at once (a
fixed number of queries per batch) by the dispatcher, and again for one
reminder by the delivery task just before it sends."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

from django.db import models

from accounts.models import User
from cases.models import (
    CLOSED_STATUSES,
    Case,
    CaseUserObjectPermission,
    Consent,
    Decision,
    FollowUp,
    FollowUpStatus,
    GrantReason,
    Milestone,
)
from referrals.models import Referral, ReferralStatus

from .models import Reminder, SourceType
from .rules import CASE_REVIEW_BY_RISK, HOUR_KINDS, RuleKind

M = TypeVar("M", bound=models.Model)

FOLLOW_UP_KINDS = {RuleKind.FOLLOW_UP_DUE, RuleKind.FOLLOW_UP_OVERDUE, RuleKind.FOLLOW_UP_ESCALATION}
# Referral reminders that stand only while the referral is unanswered: the hour rules.
UNANSWERED_KINDS = HOUR_KINDS
END_KINDS = {RuleKind.RECOVERY_END, RuleKind.SUPPORT_PLAN_END}


class Snapshot:
    """The rows a batch of reminders depends on, read once."""

    def __init__(self, reminders: Iterable[Reminder]) -> None:
        self.reminders = list(reminders)
        ids: dict[str, set[uuid.UUID]] = defaultdict(set)
        for reminder in self.reminders:
            ids[reminder.source_type].add(reminder.source_id)
        case_ids = {r.case_id for r in self.reminders}
        self.cases = {
            c.pk: c
            for c in Case.objects.filter(pk__in=case_ids)
            .select_related("survivor")
            .only("pk", "reference", "status", "risk_level", "team_id", "organisation_id", "survivor__erased_at")
        }
        self.follow_ups = _by_id(FollowUp, ids[SourceType.FOLLOW_UP], "pk", "status", "due_on", "assignee_id")
        self.milestones = _by_id(
            Milestone, ids[SourceType.MILESTONE], "pk", "kind", "decision", "ends_on", "completed_on"
        )
        self.consents = _by_id(Consent, ids[SourceType.CONSENT], "pk", "expires_at", "revoked_at")
        self.referrals = {
            r.pk: r
            for r in Referral.objects.filter(pk__in=ids[SourceType.REFERRAL]).only(
                "pk", "reference", "status", "sent_at", "organisation_id", "assigned_to_id", "sent_by_id"
            )
        }
        self._caseworkers: dict[uuid.UUID, set[uuid.UUID]] | None = None
        self._supervisors: dict[uuid.UUID, set[uuid.UUID]] | None = None
        self._desks: dict[uuid.UUID, set[uuid.UUID]] | None = None

    # --- still due? ------------------------------------------------------------------------------

    def still_due(self, reminder: Reminder) -> bool:
        case = self.cases.get(reminder.case_id)
        if case is None or case.status in CLOSED_STATUSES or case.survivor.erased_at is not None:
            return False
        kind = reminder.kind
        if kind in FOLLOW_UP_KINDS:
            follow_up = self.follow_ups.get(reminder.source_id)
            return (
                follow_up is not None
                and follow_up.status == FollowUpStatus.OPEN
                and follow_up.due_on == reminder.due_on
            )
        if kind in UNANSWERED_KINDS:
            referral = self.referrals.get(reminder.source_id)
            return (
                referral is not None
                and referral.status == ReferralStatus.SENT
                and referral.sent_at is not None
                and referral.sent_at.astimezone(dt.UTC).date() == reminder.due_on
            )
        if kind == RuleKind.REFERRAL_CHECK_IN:
            referral = self.referrals.get(reminder.source_id)
            return referral is not None and referral.status == ReferralStatus.COMPLETED
        if kind == RuleKind.REASONABLE_GROUNDS_DUE:
            milestone = self.milestones.get(reminder.source_id)
            return (
                milestone is not None
                and milestone.completed_on is None
                and milestone.decision in ("", Decision.PENDING)
            )
        if kind in END_KINDS or kind == RuleKind.RECOVERY_REVIEW:
            milestone = self.milestones.get(reminder.source_id)
            if milestone is None or milestone.completed_on is not None:
                return False
            return kind == RuleKind.RECOVERY_REVIEW or milestone.ends_on == reminder.due_on
        if kind == RuleKind.CONSENT_EXPIRY:
            consent = self.consents.get(reminder.source_id)
            return (
                consent is not None
                and consent.revoked_at is None
                and consent.expires_at is not None
                and consent.expires_at.astimezone(dt.UTC).date() == reminder.due_on
            )
        if kind == RuleKind.DOCUMENT_EXPIRY:
            # The planner keeps these rows in step with the (encrypted) documents.
            return True
        if kind in CASE_REVIEW_BY_RISK.values():
            return CASE_REVIEW_BY_RISK.get(case.risk_level) == kind
        return False

    # --- who is reminded ---------------------------------------------------------------------------

    def recipients(self, reminder: Reminder) -> set[uuid.UUID]:
        """Ids of the people to remind (active or not: the caller checks)."""
        kind, case_id = reminder.kind, reminder.case_id
        if kind in (RuleKind.FOLLOW_UP_DUE, RuleKind.FOLLOW_UP_OVERDUE):
            follow_up = self.follow_ups.get(reminder.source_id)
            return {follow_up.assignee_id} if follow_up else set()
        if kind == RuleKind.FOLLOW_UP_ESCALATION:
            return set(self.supervisors().get(case_id, ()))
        if kind in UNANSWERED_KINDS:
            referral = self.referrals.get(reminder.source_id)
            if referral is None:
                return set()
            people = {referral.sent_by_id} if referral.sent_by_id else set()
            if kind == RuleKind.REFERRAL_NO_ANSWER:
                people |= self.desks().get(referral.organisation_id, set())
                if referral.assigned_to_id:
                    people.add(referral.assigned_to_id)
            else:
                people |= self.supervisors().get(case_id, set())
            return people
        return set(self.caseworkers().get(case_id, ()))

    def caseworkers(self) -> dict[uuid.UUID, set[uuid.UUID]]:
        """The case's assignees; the caseworker who opened it when nobody is assigned."""
        if self._caseworkers is None:
            assigned: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
            owners: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
            rows = CaseUserObjectPermission.objects.filter(
                content_object_id__in=list(self.cases), reason__in=[GrantReason.ASSIGNED, GrantReason.OWNER]
            ).values_list("content_object_id", "user_id", "reason")
            for case_id, user_id, reason in rows:
                (assigned if reason == GrantReason.ASSIGNED else owners)[case_id].add(user_id)
            self._caseworkers = {case_id: assigned.get(case_id) or owners.get(case_id, set()) for case_id in self.cases}
        return self._caseworkers

    def supervisors(self) -> dict[uuid.UUID, set[uuid.UUID]]:
        if self._supervisors is None:
            team_of = {case.pk: case.team_id for case in self.cases.values()}
            by_team: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
            for team_id, user_id in User.objects.filter(groups__supervised_team__in=set(team_of.values())).values_list(
                "groups__supervised_team", "pk"
            ):
                by_team[team_id].add(user_id)
            self._supervisors = {case_id: by_team.get(team_id, set()) for case_id, team_id in team_of.items()}
        return self._supervisors

    def desks(self) -> dict[uuid.UUID, set[uuid.UUID]]:
        """Members of the receiving organisations' referral desks."""
        if self._desks is None:
            organisations = {r.organisation_id for r in self.referrals.values()}
            desks: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
            for org_id, user_id in User.objects.filter(groups__desk_of__in=organisations).values_list(
                "groups__desk_of", "pk"
            ):
                desks[org_id].add(user_id)
            self._desks = desks
        return self._desks


def _by_id(model: type[M], ids: set[uuid.UUID], *fields: str) -> dict[uuid.UUID, M]:
    if not ids:
        return {}
    return {row.pk: row for row in model._default_manager.filter(pk__in=ids).only(*fields)}
