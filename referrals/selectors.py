"""Reads of the directory and of referrals. Referral reads are scoped in the
database through referrals/permissions.py; every list is one query per page."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from accounts.models import Organisation, Role, User
from cases.models import Case
from cases.permissions import CaseAction
from ngo_cases.errors import get_or_not_found
from ngo_cases.grants.access import AccessEntry

from .models import (
    OrganisationContact,
    OrganisationService,
    Referral,
    ReferralStatus,
    ServiceDelivery,
)
from .permissions import REFERRAL_GRANTS, case_holds, recipient_offline, referrals_visible_to

# --- directory -------------------------------------------------------------------------------------


def _offers(service: list[str] | None = None, region: str = "") -> Exists:
    offered = OrganisationService.objects.filter(organisation=OuterRef("pk"), active=True)
    if service:
        offered = offered.filter(service__in=service)
    if region:
        offered = offered.filter(regions__contains=[region])
    return Exists(offered)


def organisation_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Organisation]:
    """The directory: organisations with the services they offer (one query).
    ``service`` and ``region`` match organisations offering one of those
    services, in that region (the organisation's own or one its service
    covers)."""
    filters = filters or {}
    queryset = Organisation.objects.annotate(
        service_types=ArraySubquery(
            OrganisationService.objects.filter(organisation=OuterRef("pk"), active=True)
            .order_by("service")
            .values("service")
        )
    )
    if filters.get("q"):
        queryset = queryset.filter(name__icontains=filters["q"])
    if filters.get("org_type"):
        queryset = queryset.filter(org_type__in=filters["org_type"])
    if "active" in filters:
        queryset = queryset.filter(active=filters["active"])
    service = filters.get("service")
    region = filters.get("region", "")
    if service:
        queryset = queryset.filter(_offers(service))
    if region:
        queryset = queryset.filter(Q(region__iexact=region) | _offers(service, region))
    return queryset


def organisation_get(*, organisation_id: uuid.UUID) -> Organisation:
    return get_or_not_found(organisation_list(), pk=organisation_id)


def contact_list(*, organisation: Organisation | None = None) -> QuerySet[OrganisationContact]:
    contacts = OrganisationContact.objects.all()
    return contacts if organisation is None else contacts.filter(organisation=organisation)


def contact_get(*, organisation: Organisation, contact_id: uuid.UUID) -> OrganisationContact:
    return get_or_not_found(contact_list(organisation=organisation), pk=contact_id)


def service_list(*, filters: dict[str, Any] | None = None) -> QuerySet[OrganisationService]:
    """The service catalogue: which organisation offers what, where."""
    filters = filters or {}
    queryset = OrganisationService.objects.select_related("organisation")
    if filters.get("service"):
        queryset = queryset.filter(service__in=filters["service"])
    if filters.get("region"):
        region = filters["region"]
        queryset = queryset.filter(Q(organisation__region__iexact=region) | Q(regions__contains=[region]))
    if filters.get("organisation"):
        queryset = queryset.filter(organisation_id=filters["organisation"])
    if filters.get("language"):
        queryset = queryset.filter(languages__contains=[filters["language"]])
    if "active" in filters:
        queryset = queryset.filter(active=filters["active"], organisation__active=filters["active"])
    return queryset


def service_get(*, service_id: uuid.UUID) -> OrganisationService:
    return get_or_not_found(service_list(), pk=service_id)


# --- referrals ----------------------------------------------------------------------------------------

LIST_FIELDS = (
    "id",
    "reference",
    "case_id",
    "organisation_id",
    "sender_organisation_id",
    "status",
    "urgency",
    "services",
    "shared_groups",
    "assigned_to_id",
    "created_at",
    "sent_at",
    "ended_at",
    "version",
)
OPEN_AFTER_SENDING = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


def _awaiting(user: User) -> Q:
    """What waits for ``user``: their drafts; open referrals assigned to
    them; for a coordinator, referrals to their organisation not yet
    assigned; open referrals to an organisation without accounts, on cases
    the user works on (they record its answers)."""
    awaiting = Q(status=ReferralStatus.DRAFT, created_by=user)
    awaiting |= Q(status__in=OPEN_AFTER_SENDING, assigned_to=user)
    if user.role == Role.COORDINATOR and user.organisation_id is not None:
        awaiting |= Q(status=ReferralStatus.SENT, assigned_to__isnull=True, organisation_id=user.organisation_id)
    awaiting |= Q(status__in=OPEN_AFTER_SENDING, awaiting_offline=True, works_case=True)
    return awaiting


def referral_list(*, fetched_by: User, filters: dict[str, Any] | None = None) -> QuerySet[Referral, dict[str, Any]]:
    """The referrals ``fetched_by`` may see, filtered; rows as dictionaries
    with ``on_sender_side`` (which fields they may be shown). One query."""
    filters = filters or {}
    queryset = referrals_visible_to(fetched_by)
    if filters.get("status"):
        queryset = queryset.filter(status__in=filters["status"])
    if filters.get("urgency"):
        queryset = queryset.filter(urgency__in=filters["urgency"])
    if filters.get("service"):
        queryset = queryset.filter(services__overlap=filters["service"])
    if filters.get("organisation"):
        queryset = queryset.filter(organisation_id=filters["organisation"])
    if filters.get("case"):
        # Only the case's own side may filter by it: a recipient must not be
        # able to confirm which case a referral belongs to by probing ids.
        queryset = queryset.filter(case_holds(fetched_by, CaseAction.VIEW), case_id=filters["case"])
    direction, own = filters.get("direction"), fetched_by.organisation_id
    if direction and own is None:
        queryset = queryset.none()
    elif direction == "sent" and own is not None:
        queryset = queryset.filter(sender_organisation_id=own)
    elif direction == "received" and own is not None:
        queryset = queryset.filter(organisation_id=own)
    if filters.get("awaiting"):
        queryset = queryset.annotate(
            awaiting_offline=recipient_offline(), works_case=case_holds(fetched_by, CaseAction.WORK)
        ).filter(_awaiting(fetched_by))
    return queryset.annotate(
        on_sender_side=case_holds(fetched_by, CaseAction.VIEW),
        case_reference=F("case__reference"),
        survivor_id=F("case__survivor_id"),
        organisation_name=F("organisation__name"),
    ).values(*LIST_FIELDS, "on_sender_side", "case_reference", "survivor_id", "organisation_name")


def delivery_list(*, referral: Referral) -> QuerySet[ServiceDelivery]:
    return ServiceDelivery.objects.filter(referral=referral).select_related("data_key")


def referral_access_entries(*, case: Case) -> list[AccessEntry]:
    """Who outside the case team sees this case's referrals, and why: the
    recipient desks and assignees, the sending desk. For the case's access
    list (live grants only)."""
    return REFERRAL_GRANTS.access_entries(Q(content_object__case=case), per_object=True)
