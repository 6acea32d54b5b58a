"""Reads of the cases domain. Every selector takes the user it fetches for
and scopes in the database through the access helpers (cases/permissions.py)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from ngo_cases.crypto.blind_index import IndexKind, blind_index
from ngo_cases.crypto.errors import KeyDestroyed
from ngo_cases.errors import get_or_not_found
from ngo_cases.grants.access import AccessEntry

from .models import (
    Case,
    CaseNote,
    CaseUserObjectPermission,
    Consent,
    FollowUp,
    FollowUpStatus,
    GrantReason,
    Milestone,
    Survivor,
    SurvivorIndexEntry,
)
from .permissions import (
    CASE_GRANTS,
    CaseAction,
    cases_visible_to,
    permission_id,
    survivor_visible_to_check,
    survivors_visible_to,
    visible_case_ids,
)

WORKER_REASONS = (GrantReason.OWNER, GrantReason.ASSIGNED)


def survivor_list(*, fetched_by: User) -> QuerySet[Survivor]:
    return survivors_visible_to(fetched_by).select_related("data_key")


LIST_FIELDS = (
    "id",
    "reference",
    "survivor_id",
    "team_id",
    "status",
    "risk_level",
    "trafficking_status",
    "exploitation_types",
    "opened_at",
    "closed_at",
)


def _worker_ids() -> ArraySubquery:
    """The owner and assignees of the case, as an array column of the page query."""
    return ArraySubquery(
        CaseUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), reason__in=WORKER_REASONS, permission_id=permission_id(CaseAction.VIEW)
        )
        .order_by("user_id")
        .values("user_id")
    )


def case_list(*, fetched_by: User, filters: dict[str, Any] | None = None) -> QuerySet[Case, dict[str, Any]]:
    """The cases ``fetched_by`` may see, filtered: one query per page, with
    only the listed columns and the workers as an array."""
    filters = filters or {}
    queryset = cases_visible_to(fetched_by)
    if filters.get("status"):
        queryset = queryset.filter(status__in=filters["status"])
    if filters.get("risk_level"):
        queryset = queryset.filter(risk_level__in=filters["risk_level"])
    if filters.get("exploitation_type"):
        queryset = queryset.filter(exploitation_types__overlap=filters["exploitation_type"])
    if filters.get("team"):
        queryset = queryset.filter(team_id=filters["team"])
    if filters.get("survivor"):
        queryset = queryset.filter(survivor_id=filters["survivor"])
    if filters.get("assignee"):
        queryset = queryset.filter(
            Exists(
                CaseUserObjectPermission.objects.filter(
                    content_object=OuterRef("pk"), user_id=filters["assignee"], reason__in=WORKER_REASONS
                )
            )
        )
    if filters.get("opened_after"):
        queryset = queryset.filter(opened_at__gte=filters["opened_after"])
    if filters.get("opened_before"):
        queryset = queryset.filter(opened_at__lt=filters["opened_before"])
    if filters.get("reference"):
        queryset = queryset.filter(reference__istartswith=filters["reference"])
    # Rows as dictionaries: a page of 50 model instances would cost more than the query.
    return queryset.annotate(worker_ids=_worker_ids(), next_follow_up_on=_next_follow_up_on()).values(
        *LIST_FIELDS, "worker_ids", "next_follow_up_on"
    )


def _next_follow_up_on() -> Subquery:
    """The earliest due date of the case's open follow-ups (index followup_case_due)."""
    return Subquery(
        FollowUp.objects.filter(case=OuterRef("pk"), status=FollowUpStatus.OPEN).order_by("due_on").values("due_on")[:1]
    )


def survivor_display_names(*, survivor_ids: list[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    """Given and family names of these survivors, decrypted, one query: what a
    list shows so that a caseworker recognises the person. ``None`` once the
    survivor is erased (the key is destroyed). The caller has decided access
    (the rows are cases it may see) and logs the survivor ids."""
    names: dict[uuid.UUID, str | None] = {}
    for survivor in Survivor.objects.filter(pk__in=survivor_ids).select_related("data_key"):
        try:
            names[survivor.pk] = (
                None
                if survivor.erased_at
                else " ".join(part for part in (survivor.given_names, survivor.family_name) if part)
            )
        except KeyDestroyed:
            names[survivor.pk] = None
    return names


def case_workers(*, case: Case) -> list[CaseUserObjectPermission]:
    return list(
        CaseUserObjectPermission.objects.filter(
            content_object=case, reason__in=WORKER_REASONS, permission__codename=CaseAction.VIEW
        )
    )


def case_access_list(*, case: Case) -> list[AccessEntry]:
    """Who can see the case and why: user grants and group (team supervisor)
    grants, permissions merged per holder and reason, then what other apps
    add (registered in ACCESS_LIST_EXTENSIONS). Expired grants are left out
    (they open nothing)."""
    entries = CASE_GRANTS.access_entries(Q(content_object=case))
    for extension in ACCESS_LIST_EXTENSIONS:
        entries.extend(extension(case=case))
    return entries


# Other apps add the access they give to parts of a case (referrals: the
# receiving organisation's desk and staff), registered in their AppConfig.ready.
ACCESS_LIST_EXTENSIONS: list[Callable[..., list[AccessEntry]]] = []


def note_list(*, case: Case) -> QuerySet[CaseNote]:
    return CaseNote.objects.filter(case=case).select_related("data_key")


def note_get(*, case: Case, note_id: uuid.UUID) -> CaseNote:
    return get_or_not_found(CaseNote.objects.select_related("data_key"), case=case, pk=note_id)


def consent_list(*, case: Case) -> QuerySet[Consent]:
    return Consent.objects.filter(case=case)


def consent_get(*, case: Case, consent_id: uuid.UUID) -> Consent:
    return get_or_not_found(Consent.objects.all(), case=case, pk=consent_id)


def milestone_list(*, case: Case) -> QuerySet[Milestone]:
    return Milestone.objects.filter(case=case).select_related("data_key")


def milestone_get(*, case: Case, milestone_id: uuid.UUID) -> Milestone:
    return get_or_not_found(Milestone.objects.select_related("data_key"), case=case, pk=milestone_id)


def follow_up_list(*, case: Case) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(case=case).select_related("data_key", "case")


def follow_up_get(*, case: Case, follow_up_id: uuid.UUID) -> FollowUp:
    return get_or_not_found(FollowUp.objects.select_related("data_key", "case"), case=case, pk=follow_up_id)


def open_follow_ups(
    *, fetched_by: User, when: str = "", anyone: bool = False, today: datetime.date | None = None
) -> QuerySet[FollowUp]:
    """Open follow-ups on cases the user still sees: assigned to the user, or
    with ``anyone`` to whoever works on them (a supervisor's view of the team's
    follow-ups, where escalations come from); ``due`` (today or earlier) or
    ``overdue`` (before today) in the user's time zone."""
    queryset = FollowUp.objects.filter(status=FollowUpStatus.OPEN, case_id__in=visible_case_ids(fetched_by))
    if not anyone:
        queryset = queryset.filter(assignee=fetched_by)
    queryset = queryset.select_related("data_key", "case")
    today = today or timezone.localdate()
    if when == "due":
        queryset = queryset.filter(due_on__lte=today)
    elif when == "overdue":
        queryset = queryset.filter(due_on__lt=today)
    return queryset


def survivor_duplicates(*, fetched_by: User, criteria: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """Blind-index matches: the ones ``fetched_by`` may see, by survivor with
    the kinds matched; and whether others (not visible) exist. Two queries."""
    wanted: list[tuple[str, bytes]] = []
    kinds: dict[str, str] = {
        "name": IndexKind.NAME,
        "date_of_birth": IndexKind.DATE_OF_BIRTH,
        "phone": IndexKind.PHONE,
        "document_number": IndexKind.DOCUMENT,
    }
    for key, kind in kinds.items():  # kind: an IndexKind value
        value = criteria.get(key)
        if value not in (None, ""):
            digest = blind_index(kind, value)
            if digest is not None:
                wanted.append((str(kind), digest))
    if not wanted:
        return [], False
    match = Q()
    for kind, digest in wanted:
        match |= Q(kind=kind, value=digest)
    # One query: the few matching index rows, each with whether the caller may
    # see that survivor (a correlated check per row, not the caller's whole
    # visible set: a supervisor may see thousands of survivors).
    rows = (
        SurvivorIndexEntry.objects.filter(match)
        .filter(survivor__erased_at__isnull=True)
        .annotate(visible=survivor_visible_to_check(fetched_by))
        .values_list("survivor_id", "kind", "visible")
    )
    found: dict[uuid.UUID, set[str]] = {}
    others = False
    for survivor_id, kind, visible in rows:
        if visible:
            found.setdefault(survivor_id, set()).add(kind)
        else:
            others = True
    matches = [
        {"survivor_id": sid, "matched_on": sorted(k)} for sid, k in sorted(found.items(), key=lambda x: str(x[0]))
    ]
    return matches, others
