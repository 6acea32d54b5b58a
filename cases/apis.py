"""Survivors and cases over the API. Every view fetches through the access
helpers (cases/permissions.py) and writes through services; lists are scoped
in the database and paginated by cursor."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from ngo_cases.api import serializers
from ngo_cases.api.base import BaseAPIView, ListMixin, ObjectCheck
from ngo_cases.api.base import request_user as _user
from ngo_cases.api.base import valid_input as _valid
from ngo_cases.api.permissions import HasRole

from . import selectors, services
from . import serializers as s
from .models import Case, CaseNote, CaseStatus, Consent, ExploitationType, FollowUp, Milestone, RiskLevel, Survivor
from .permissions import (
    CaseAction,
    access_case,
    access_survivor,
    case_exists_for_break_glass,
    case_for_break_glass_by_reference,
)

CASE_WORKERS = HasRole.of(Role.CASEWORKER, Role.SUPERVISOR)


# --- survivors ------------------------------------------------------------------------------


class SurvivorListApi(ListMixin, BaseAPIView):
    permission_classes = [CASE_WORKERS]
    schema_model = Survivor
    audit_type = "survivor"
    ordering = ("-created_at", "id")
    output = s.SurvivorBriefSerializer

    def audit_row(self, row: Any) -> tuple[Any, Any, Any]:
        return row.pk, None, row.pk

    def scoped_queryset(self) -> QuerySet[Survivor]:
        return selectors.survivor_list(fetched_by=_user(self.request))

    @extend_schema(responses={200: s.SurvivorBriefSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """The survivors whose cases you may see, newest first. Names and other identity fields are decrypted for you;
        every row you receive is written to the access log.
        """
        return self.list_response(self.get_queryset())

    @extend_schema(request=s.SurvivorInputSerializer, responses={201: s.SurvivorOutputSerializer})
    def post(self, request: Request) -> Response:
        """Register a survivor. Run the duplicate check (POST /survivors/duplicates) first. Identity fields are
        encrypted with the survivor's own key.
        """
        data = _valid(s.SurvivorInputSerializer, request)
        survivor = services.survivor_create(created_by=_user(request), **data)
        return self.detail_response(
            survivor, s.SurvivorOutputSerializer(survivor).data, status=201, survivor_ids=[survivor.pk]
        )


# The survivor a URL names: read with VIEW, written with WORK.
SURVIVOR = ObjectCheck(
    access_survivor,
    "survivor_id",
    read=CaseAction.VIEW,
    write=CaseAction.WORK,
    report=lambda survivor: {"survivor_ids": [survivor.pk]},
)


class SurvivorDetailApi(BaseAPIView):
    permission_classes = [CASE_WORKERS]
    schema_model = Survivor
    audit_type = "survivor"
    object_check = SURVIVOR

    @extend_schema(responses={200: s.SurvivorOutputSerializer})
    def get(self, request: Request, survivor_id: uuid.UUID) -> Response:
        """One survivor's file (identity, documents, languages). 404 when it does not exist or you may not see it."""
        return self.detail_response(self.checked, s.SurvivorOutputSerializer(self.checked).data)

    @extend_schema(request=s.SurvivorInputSerializer, responses={200: s.SurvivorOutputSerializer})
    def patch(self, request: Request, survivor_id: uuid.UUID) -> Response:
        """Change a survivor's file. Send the ETag of your last read in If-Match."""
        survivor = self.checked
        expected = self.expected_version(survivor)
        data = _valid(s.SurvivorInputSerializer, request, partial=True)
        survivor = services.survivor_update(
            survivor=survivor, acting_user=_user(request), expected_version=expected, **data
        )
        return self.detail_response(survivor, s.SurvivorOutputSerializer(survivor).data)


class SurvivorDuplicatesApi(BaseAPIView):
    """Duplicate check by POST, so that no PII travels in a URL."""

    permission_classes = [CASE_WORKERS]
    schema_model = Survivor
    audit_type = "survivor"

    @extend_schema(request=s.DuplicateSearchInputSerializer, responses={200: s.DuplicateResultSerializer})
    def post(self, request: Request) -> Response:
        criteria = _valid(s.DuplicateSearchInputSerializer, request)
        matches, others = selectors.survivor_duplicates(fetched_by=_user(request), criteria=criteria)
        ids = [match["survivor_id"] for match in matches]
        self.audit(ids, survivor_ids=ids, action="search")
        return Response(s.DuplicateResultSerializer({"matches": matches, "others_exist": others}).data)


# --- cases ----------------------------------------------------------------------------------


class CaseFilterSerializer(serializers.Serializer):
    status = serializers.ListField(child=serializers.ChoiceField(choices=CaseStatus.choices), required=False)
    risk_level = serializers.ListField(child=serializers.ChoiceField(choices=RiskLevel.choices), required=False)
    exploitation_type = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationType.choices), required=False
    )
    assignee = serializers.UUIDField(required=False, help_text="Cases this user owns or is assigned to.")
    team = serializers.UUIDField(required=False)
    survivor = serializers.UUIDField(required=False, help_text="The cases of this survivor.")
    opened_after = serializers.DateTimeField(required=False)
    opened_before = serializers.DateTimeField(required=False)
    reference = serializers.RegexField(
        r"^[A-Za-z0-9-]+$", max_length=20, required=False, help_text="The start of a case reference, e.g. C-2026-0001."
    )


class CaseListApi(ListMixin, BaseAPIView):
    permission_classes = [CASE_WORKERS]
    schema_model = Case
    audit_type = "case"
    ordering = ("-opened_at", "id")
    output = s.CaseRowSerializer
    filters = CaseFilterSerializer

    def audit_row(self, row: Any) -> tuple[Any, Any, Any]:
        return row["id"], row["id"], row["survivor_id"]

    def page_rows(self, page: list[Any]) -> list[Any]:
        names = selectors.survivor_display_names(survivor_ids=[row["survivor_id"] for row in page])
        today = timezone.localdate()
        for row in page:
            row["survivor_name"] = names.get(row["survivor_id"])
            row["follow_up_overdue"] = row["next_follow_up_on"] is not None and row["next_follow_up_on"] < today
        return page

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.case_list(fetched_by=_user(self.request), filters=self.filter_values())

    @extend_schema(responses={200: s.CaseRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """The cases you may see, newest first, with filters by status, risk, exploitation type, assignee and dates.
        Each row names the survivor (decrypted; the survivor's id is written to the access log with the case's) and
        the next open follow-up's due date, marked overdue when it was due before today in your time zone.
        """
        return self.list_response(self.get_queryset())

    @extend_schema(request=s.CaseCreateSerializer, responses={201: s.CaseDetailSerializer})
    def post(self, request: Request) -> Response:
        """Open a case for a survivor in one of your teams. You become its owner; the team's supervisors see it too."""
        user = _user(request)
        data = _valid(s.CaseCreateSerializer, request)
        survivor = access_survivor(user, data.pop("survivor"), action=CaseAction.WORK)
        case = services.case_open(survivor=survivor, team=data.pop("team"), opened_by=user, **data)
        case = access_case(user, case.pk)
        return self.detail_response(case, self._detail(case), status=201, **_case_report(case))

    @staticmethod
    def _detail(case: Any) -> Any:
        case.workers = selectors.case_workers(case=case)
        return s.CaseDetailSerializer(case).data


def _case_report(case: Any) -> dict[str, Any]:
    """Everything under /cases/{id} belongs to that case and its survivor, and
    may have been reached through a break-glass grant."""
    return {
        "case_ids": [case.pk],
        "survivor_ids": [case.survivor_id],
        "break_glass_grant_id": case.break_glass_grant_id,
    }


# The case a URL names: read with VIEW, written with WORK (unless a view says otherwise).
CASE = ObjectCheck(access_case, "case_id", read=CaseAction.VIEW, write=CaseAction.WORK, report=_case_report)


class CaseObjectApi(BaseAPIView):
    """Base of the views under /cases/{case_id}/: ``self.checked`` is the case."""

    permission_classes = [CASE_WORKERS]
    object_check: ClassVar[ObjectCheck | None] = CASE
    schema_model: ClassVar[type[Model] | None] = Case
    audit_type: ClassVar[str | None] = "case"

    def case_response(self, case: Any, status_code: int = 200) -> Response:
        case.workers = selectors.case_workers(case=case)
        return self.detail_response(case, s.CaseDetailSerializer(case).data, status=status_code)


class CaseDetailApi(CaseObjectApi):
    @extend_schema(responses={200: s.CaseDetailSerializer})
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        """One case. 404 when it does not exist or you may not see it."""
        return self.case_response(self.checked)

    @extend_schema(request=s.CaseFieldsSerializer, responses={200: s.CaseDetailSerializer})
    def patch(self, request: Request, case_id: uuid.UUID) -> Response:
        """Change a case's details. Send the ETag of your last read in If-Match."""
        case = self.checked
        expected = self.expected_version(case)
        data = _valid(s.CaseFieldsSerializer, request, partial=True)
        services.case_update(case=case, acting_user=_user(request), expected_version=expected, **data)
        return self.case_response(self.recheck())


class CaseAssignApi(CaseObjectApi):
    if_match_methods = frozenset({"POST"})
    object_check = CASE.acting(POST=CaseAction.ASSIGN)

    @extend_schema(request=s.AssignInputSerializer, responses={200: s.CaseDetailSerializer})
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        """Assign the case to caseworkers of its team (supervisors). Needs If-Match."""
        case = self.checked
        expected = self.expected_version(case)
        data = _valid(s.AssignInputSerializer, request)
        assignees = list({user.pk: user for user in data["assignees"]}.values())
        services.case_assign(case=case, acting_user=_user(request), assignees=assignees, expected_version=expected)
        return self.case_response(self.recheck())


class CaseCloseApi(CaseObjectApi):
    if_match_methods = frozenset({"POST"})

    @extend_schema(request=s.CloseInputSerializer, responses={200: s.CaseDetailSerializer})
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        """Close the case with a closure reason. Needs If-Match."""
        case = self.checked
        expected = self.expected_version(case)
        data = _valid(s.CloseInputSerializer, request)
        services.case_close(case=case, acting_user=_user(request), expected_version=expected, **data)
        return self.case_response(self.recheck())


class CaseReopenApi(CaseObjectApi):
    if_match_methods = frozenset({"POST"})
    object_check = CASE.acting(POST=CaseAction.ASSIGN)

    @extend_schema(request=None, responses={200: s.CaseDetailSerializer})
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        """Reopen a closed case (supervisors). Needs If-Match."""
        case = self.checked
        expected = self.expected_version(case)
        services.case_reopen(case=case, acting_user=_user(request), expected_version=expected)
        return self.case_response(self.recheck())


class CaseBreakGlassApi(CaseObjectApi):
    object_check = None  # the case is outside the user's grants: case_exists_for_break_glass decides

    @extend_schema(request=s.BreakGlassInputSerializer, responses={201: s.BreakGlassOutputSerializer})
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        """Open a case outside your assignments for a limited time (default 4 hours), read-only, giving a reason.
        Logged; auditors and the case's supervisors are told.
        """
        user = _user(request)
        case = case_exists_for_break_glass(user, case_id)
        data = _valid(s.BreakGlassInputSerializer, request)
        grant = services.case_break_glass(case=case, acting_user=user, reason=data["reason"])
        self.audit([case.pk], case_ids=[case.pk], survivor_ids=[case.survivor_id], break_glass_grant_id=grant.pk)
        return Response(s.BreakGlassOutputSerializer(grant).data, status=status.HTTP_201_CREATED)


class BreakGlassByReferenceApi(BaseAPIView):
    permission_classes = [CASE_WORKERS]
    schema_model = Case
    audit_type = "case"

    @extend_schema(
        operation_id="cases_break_glass_by_reference",
        request=s.BreakGlassByReferenceInputSerializer,
        responses={201: s.BreakGlassOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        """Break-glass by the case's reference, for when that is all you have: the same as
        POST /cases/{case_id}/break-glass. 404 unless you hold the break-glass permission and the case exists.
        """
        user = _user(request)
        data = _valid(s.BreakGlassByReferenceInputSerializer, request)
        case = case_for_break_glass_by_reference(user, data["reference"])
        grant = services.case_break_glass(case=case, acting_user=user, reason=data["reason"])
        self.audit([case.pk], case_ids=[case.pk], survivor_ids=[case.survivor_id], break_glass_grant_id=grant.pk)
        return Response(s.BreakGlassOutputSerializer(grant).data, status=status.HTTP_201_CREATED)


class CaseAccessApi(CaseObjectApi):
    pagination_class = None  # the whole access list, one array

    @extend_schema(responses={200: s.AccessEntrySerializer(many=True)})
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        """Who can see this case and why: each holder, the reason (owner, assigned, team supervisor, referral, break-
        glass), what they may do and until when.
        """
        case = self.checked
        self.audit([case.pk])
        return Response(s.AccessEntrySerializer(selectors.case_access_list(case=case), many=True).data)


# --- notes, consents, milestones, follow-ups ---------------------------------------------------


class CaseNoteListApi(ListMixin, CaseObjectApi):
    audit_type = "note"
    schema_model = CaseNote
    ordering = ("-created_at", "id")
    output = s.NoteOutputSerializer

    @extend_schema(responses={200: s.NoteOutputSerializer(many=True)})
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        """The case's notes, oldest first."""
        return self.list_response(selectors.note_list(case=self.checked))

    @extend_schema(request=s.NoteInputSerializer, responses={201: s.NoteOutputSerializer})
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        """Write a note on the case (encrypted)."""
        case = self.checked
        data = _valid(s.NoteInputSerializer, request)
        note = services.case_note_create(case=case, author=_user(request), **data)
        return self.detail_response(note, s.NoteOutputSerializer(note).data, status=201)


class CaseNoteDetailApi(CaseObjectApi):
    audit_type = "note"

    def note(self, case: Any, note_id: uuid.UUID) -> CaseNote:
        return selectors.note_get(case=case, note_id=note_id)

    @extend_schema(responses={200: s.NoteOutputSerializer})
    def get(self, request: Request, case_id: uuid.UUID, note_id: uuid.UUID) -> Response:
        """One note."""
        note = self.note(self.checked, note_id)
        return self.detail_response(note, s.NoteOutputSerializer(note).data)

    @extend_schema(request=s.NoteInputSerializer, responses={200: s.NoteOutputSerializer})
    def patch(self, request: Request, case_id: uuid.UUID, note_id: uuid.UUID) -> Response:
        """Correct a note. Needs If-Match."""
        note = self.note(self.checked, note_id)
        expected = self.expected_version(note)
        data = _valid(s.NoteInputSerializer, request)
        note = services.case_note_update(note=note, acting_user=_user(request), expected_version=expected, **data)
        return self.detail_response(note, s.NoteOutputSerializer(note).data)


class CaseConsentListApi(ListMixin, CaseObjectApi):
    audit_type = "consent"
    schema_model = Consent
    ordering = ("-given_at", "id")
    output = s.ConsentOutputSerializer

    @extend_schema(responses={200: s.ConsentOutputSerializer(many=True)})
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        """The case's consents: scope, who gave it and how, when, expiry, revocation."""
        return self.list_response(selectors.consent_list(case=self.checked))

    @extend_schema(request=s.ConsentInputSerializer, responses={201: s.ConsentOutputSerializer})
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        """Record a consent (services, referral to one named organisation, or reporting). A referral consent expires
        after 90 days unless an expiry is given.
        """
        case = self.checked
        data = _valid(s.ConsentInputSerializer, request)
        consent = services.consent_record(case=case, recorded_by=_user(request), **data)
        return self.detail_response(consent, s.ConsentOutputSerializer(consent).data, status=201)


class CaseConsentRevokeApi(CaseObjectApi):
    if_match_methods = frozenset({"POST"})
    audit_type = "consent"

    @extend_schema(request=None, responses={200: s.ConsentOutputSerializer})
    def post(self, request: Request, case_id: uuid.UUID, consent_id: uuid.UUID) -> Response:
        """Revoke a consent at once. Revoking a referral consent withdraws that organisation's referrals and access.
        Needs If-Match.
        """
        case = self.checked
        consent = selectors.consent_get(case=case, consent_id=consent_id)
        expected = self.expected_version(consent)
        consent = services.consent_revoke(consent=consent, acting_user=_user(request), expected_version=expected)
        return self.detail_response(consent, s.ConsentOutputSerializer(consent).data)


class CaseMilestoneListApi(ListMixin, CaseObjectApi):
    audit_type = "milestone"
    schema_model = Milestone
    ordering = ("starts_on", "id")
    output = s.MilestoneOutputSerializer

    @extend_schema(responses={200: s.MilestoneOutputSerializer(many=True)})
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        """The case's milestones: identification decisions, recovery period, support plan items."""
        return self.list_response(selectors.milestone_list(case=self.checked))

    @extend_schema(request=s.MilestoneInputSerializer, responses={201: s.MilestoneOutputSerializer})
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        """Record a milestone."""
        case = self.checked
        data = _valid(s.MilestoneInputSerializer, request)
        milestone = services.milestone_record(case=case, recorded_by=_user(request), **data)
        return self.detail_response(milestone, s.MilestoneOutputSerializer(milestone).data, status=201)


class CaseMilestoneDetailApi(CaseObjectApi):
    audit_type = "milestone"

    @extend_schema(request=s.MilestoneUpdateSerializer, responses={200: s.MilestoneOutputSerializer})
    def patch(self, request: Request, case_id: uuid.UUID, milestone_id: uuid.UUID) -> Response:
        """Change a milestone. Needs If-Match."""
        case = self.checked
        milestone = selectors.milestone_get(case=case, milestone_id=milestone_id)
        expected = self.expected_version(milestone)
        data = _valid(s.MilestoneUpdateSerializer, request, partial=True)
        milestone = services.milestone_update(
            milestone=milestone, acting_user=_user(request), expected_version=expected, **data
        )
        return self.detail_response(milestone, s.MilestoneOutputSerializer(milestone).data)


class CaseFollowUpListApi(ListMixin, CaseObjectApi):
    audit_type = "follow_up"
    schema_model = FollowUp
    ordering = ("due_on", "id")
    output = s.FollowUpOutputSerializer

    @extend_schema(responses={200: s.FollowUpOutputSerializer(many=True)})
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        """The case's follow-ups."""
        return self.list_response(selectors.follow_up_list(case=self.checked))

    @extend_schema(request=s.FollowUpInputSerializer, responses={201: s.FollowUpOutputSerializer})
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        """Plan a follow-up: a due date and an assignee."""
        case = self.checked
        data = _valid(s.FollowUpInputSerializer, request)
        follow_up = services.follow_up_create(case=case, created_by=_user(request), **data)
        return self.detail_response(follow_up, s.FollowUpOutputSerializer(follow_up).data, status=201)


class CaseFollowUpDetailApi(CaseObjectApi):
    audit_type = "follow_up"

    @extend_schema(request=s.FollowUpUpdateSerializer, responses={200: s.FollowUpOutputSerializer})
    def patch(self, request: Request, case_id: uuid.UUID, follow_up_id: uuid.UUID) -> Response:
        """Change or complete a follow-up. Needs If-Match."""
        case = self.checked
        follow_up = selectors.follow_up_get(case=case, follow_up_id=follow_up_id)
        expected = self.expected_version(follow_up)
        data = _valid(s.FollowUpUpdateSerializer, request, partial=True)
        follow_up = services.follow_up_update(
            follow_up=follow_up, acting_user=_user(request), expected_version=expected, **data
        )
        return self.detail_response(follow_up, s.FollowUpOutputSerializer(follow_up).data)


class MyFollowUpFilterSerializer(serializers.Serializer):
    when = serializers.ChoiceField(
        choices=[("due", "due"), ("overdue", "overdue")],
        required=False,
        help_text="due: due today or earlier; overdue: due before today (your time zone).",
    )
    assignee = serializers.ChoiceField(
        choices=[("me", "me"), ("anyone", "anyone")],
        required=False,
        help_text="me (the default): assigned to you; anyone: on every case you see, whoever it is assigned to "
        "(a supervisor's team).",
    )


class MyFollowUpListApi(ListMixin, BaseAPIView):
    """``/follow-ups/?when=due|overdue&assignee=me|anyone``: open follow-ups."""

    permission_classes = [CASE_WORKERS]
    ordering = ("due_on", "id")
    output = s.FollowUpOutputSerializer
    schema_model = FollowUp
    audit_type = "follow_up"

    def audit_row(self, row: Any) -> tuple[Any, Any, Any]:
        return row.pk, row.case_id, row.case.survivor_id

    filters = MyFollowUpFilterSerializer

    def scoped_queryset(self) -> QuerySet[FollowUp]:
        values = self.filter_values()
        return selectors.open_follow_ups(
            fetched_by=_user(self.request), when=values.get("when", ""), anyone=values.get("assignee") == "anyone"
        )

    @extend_schema(responses={200: s.FollowUpOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Your open follow-ups; `?when=due` or `?when=overdue` narrows them, `?assignee=anyone` widens them to
        every case you see (a supervisor's team)."""
        return self.list_response(self.get_queryset())
