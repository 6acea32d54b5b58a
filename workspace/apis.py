"""GET /api/v1/vocabularies: every code list of the API with its words in
the caller's language, so that a client shows "Закрыто, передано" for
``ClosedReferred`` from the same translations as the admin and the API's
messages instead of keeping its own copy.

It lives beside the workspace, its first client, because it reads the
enumerations of every domain app, which the base package may not import.
"""

from __future__ import annotations

from typing import Any

from django.db.models import TextChoices
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import OrganisationType, Role
from attachments.models import Category as AttachmentCategory
from cases import models as cases
from ngo_cases.api import serializers
from ngo_cases.api.base import BaseAPIView
from ngo_cases.uploads import FileKind
from referrals import models as referrals
from referrals.serializers import SHARED_FIELDS

VOCABULARIES: dict[str, type[TextChoices]] = {
    "age_band": cases.AgeBand,
    "attachment_category": AttachmentCategory,
    "file_kind": FileKind,
    "case_status": cases.CaseStatus,
    "closure_reason": cases.ClosureReason,
    "consent_giver": cases.ConsentGiver,
    "consent_method": cases.ConsentMethod,
    "consent_scope": cases.ConsentScope,
    "decision": cases.Decision,
    "decline_reason": referrals.DeclineReason,
    "exploitation_type": cases.ExploitationType,
    "field_group": referrals.FieldGroup,
    "follow_up_status": cases.FollowUpStatus,
    "gender": cases.Gender,
    "grant_reason": cases.GrantReason,
    "identity_document_type": cases.IdentityDocumentType,
    "means_of_control": cases.MeansOfControl,
    "migration_status": cases.MigrationStatus,
    "milestone_kind": cases.MilestoneKind,
    "organisation_type": OrganisationType,
    "outcome": referrals.Outcome,
    "recruitment_method": cases.RecruitmentMethod,
    "referral_grant_reason": referrals.ReferralGrantReason,
    "referral_status": referrals.ReferralStatus,
    "risk_level": cases.RiskLevel,
    "role": Role,
    "service": referrals.ServiceType,
    "sexual_exploitation_type": cases.SexualExploitationType,
    "trafficker_relationship": cases.TraffickerRelationship,
    "trafficking_status": cases.TraffickingStatus,
    "urgency": referrals.Urgency,
    "withdraw_reason": referrals.WithdrawReason,
}


def _shared_fields() -> list[tuple[str, str]]:
    """The fields of a referral's shared groups (``shared`` in its detail), with their names."""
    models = {"survivor": cases.Survivor, "case": cases.Case, "referral": referrals.Referral}
    fields: dict[str, Any] = {}
    for group in SHARED_FIELDS.values():
        for where, name in group:
            fields.setdefault(name, getattr(models[where]._meta.get_field(name), "verbose_name", name))
    return [(name, str(label)) for name, label in fields.items()]


class TermSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not DRF's Field.label


VocabularyOutputSerializer = type(
    "VocabularyOutputSerializer",
    (serializers.Serializer,),
    {name: TermSerializer(many=True) for name in [*VOCABULARIES, "shared_field"]},
)


class VocabularyApi(BaseAPIView):
    """Every code list of the API (statuses, reasons, services, …) in its order, each code with its label in your
    language. Read it once after signing in to show words instead of codes."""

    @extend_schema(responses={200: VocabularyOutputSerializer})
    def get(self, request: Request) -> Response:
        data: dict[str, Any] = {
            name: [{"code": code, "label": str(label)} for code, label in choices.choices]
            for name, choices in VOCABULARIES.items()
        }
        data["shared_field"] = [{"code": code, "label": label.capitalize()} for code, label in _shared_fields()]
        return Response(VocabularyOutputSerializer(data).data)
