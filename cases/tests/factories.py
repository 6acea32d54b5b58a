"""Survivors are made through ``survivor_create``, like production: with a
data key, encrypted identity and blind indexes."""

from __future__ import annotations

import datetime
from typing import Any

from accounts.models import Team, User
from accounts.tests.factories import UserFactory
from cases.models import Case, ConsentGiver, ConsentMethod, ConsentScope, MilestoneKind, Survivor
from cases.services import (
    case_note_create,
    case_open,
    consent_record,
    follow_up_create,
    milestone_record,
    survivor_create,
)


def make_survivor(*, created_by: User | None = None, **fields: Any) -> Survivor:
    defaults: dict[str, Any] = {
        "given_names": "Test",
        "family_name": "Survivor",
        "date_of_birth": datetime.date(1990, 1, 1),
        "gender": "Feminine",
        "citizenships": ["UZB"],
        "languages": ["uz", "ru"],
    }
    defaults.update(fields)
    creator = created_by or User.objects.filter(username="survivor-creator").first()
    if creator is None:
        creator = UserFactory.create(username="survivor-creator")
    return survivor_create(created_by=creator, **defaults)


def make_case(*, opened_by: User, team: Team, survivor: Survivor | None = None, **fields: Any) -> Case:
    survivor = survivor or make_survivor(created_by=opened_by)
    fields.setdefault("exploitation_types", ["ForcedLabour"])
    return case_open(survivor=survivor, team=team, opened_by=opened_by, **fields)


def make_case_with_everything(owner: User, team: Team) -> dict[str, Any]:
    """A case opened by ``owner`` with a note, a consent, a milestone and a follow-up; ids by path parameter name."""
    case = make_case(opened_by=owner, team=team)
    note = case_note_create(case=case, author=owner, body="First meeting.")
    consent = consent_record(
        case=case,
        recorded_by=owner,
        scope=ConsentScope.SERVICES,
        given_by=ConsentGiver.SURVIVOR,
        method=ConsentMethod.WRITTEN,
        given_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    milestone = milestone_record(
        case=case, recorded_by=owner, kind=MilestoneKind.RECOVERY_PERIOD, starts_on=datetime.date(2026, 1, 1)
    )
    follow_up = follow_up_create(
        case=case, created_by=owner, assignee=owner, due_on=datetime.date(2026, 2, 1), description="Call back."
    )
    return {
        "survivor_id": case.survivor_id,
        "case_id": case.pk,
        "note_id": note.pk,
        "consent_id": consent.pk,
        "milestone_id": milestone.pk,
        "follow_up_id": follow_up.pk,
    }
