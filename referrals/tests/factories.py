"""Directory entries and referrals, made through the services like production."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accounts.models import Organisation, User
from cases.models import Case, Consent, ConsentGiver, ConsentMethod, ConsentScope
from cases.services import consent_record
from referrals.models import OrganisationContact, OrganisationService, Referral
from referrals.services import contact_create, referral_assign, referral_create, referral_send, service_create


def give_referral_consent(case: Case, organisation: Organisation, by: User, **fields: Any) -> Consent:
    fields.setdefault("given_at", timezone.now() - datetime.timedelta(days=1))
    return consent_record(
        case=case,
        recorded_by=by,
        scope=ConsentScope.REFERRAL,
        organisation=organisation,
        given_by=ConsentGiver.SURVIVOR,
        method=ConsentMethod.WRITTEN,
        **fields,
    )


def make_draft(case: Case, organisation: Organisation, by: User, **fields: Any) -> Referral:
    fields.setdefault("services", ["shelter"])
    fields.setdefault("reason", "Needs a safe place tonight.")
    fields.setdefault("shared_groups", ["identity", "needs"])
    return referral_create(case=case, created_by=by, organisation=organisation, **fields)


def make_sent(case: Case, organisation: Organisation, by: User, *, consent: bool = True, **fields: Any) -> Referral:
    if consent:
        give_referral_consent(case, organisation, by)
    draft = make_draft(case, organisation, by, **fields)
    return referral_send(referral=draft, acting_user=by, expected_version=draft.version)


def assign(referral: Referral, assignee: User, by: User) -> Referral:
    return referral_assign(referral=referral, acting_user=by, expected_version=referral.version, assignee=assignee)


def make_directory_entries(organisation: Organisation, by: User) -> tuple[OrganisationService, OrganisationContact]:
    offered = service_create(organisation=organisation, created_by=by, service="shelter", regions=["Tver"])
    contact = contact_create(organisation=organisation, created_by=by, name="Intake desk", phone="+7 495 000 00 00")
    return offered, contact
