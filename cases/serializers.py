"""Cases serializers: every field named; input and output kept apart.

Identity fields are read through the model's encrypted attributes (decrypted
on read). A survivor whose data key was destroyed (erased) shows
``erased: true`` and no identity.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team, User
from ngo_cases.api import serializers
from ngo_cases.crypto.errors import KeyDestroyed

from .models import (
    ISIC_SECTIONS,
    AgeBand,
    CaseStatus,
    ClosureReason,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    Decision,
    ExploitationType,
    FollowUpStatus,
    Gender,
    IdentityDocumentType,
    MeansOfControl,
    MigrationStatus,
    MilestoneKind,
    RecruitmentMethod,
    RiskLevel,
    SexualExploitationType,
    Survivor,
    TraffickerRelationship,
    TraffickingStatus,
)
from .services import IDENTITY_FIELDS


class TextField(serializers.CharField):
    """Free text: a JSON string only (DRF's CharField would turn 12 or true into text)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class _Sealed:
    """Output of an encrypted attribute: ``null`` once the survivor's data
    key was destroyed (erased), never an error."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        try:
            return super().get_attribute(instance)  # type: ignore[misc]
        except KeyDestroyed:
            return None


class SealedTextField(_Sealed, serializers.CharField):
    pass


class SealedListField(_Sealed, serializers.ListField):
    pass


def _alpha3_list() -> serializers.ListField:
    return serializers.ListField(child=serializers.RegexField(r"^[A-Z]{3}$", max_length=3), max_length=20)


def _choices(choices: Any, max_length: int = 20) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), max_length=max_length)


class IdentityDocumentSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=IdentityDocumentType.choices)
    number = serializers.CharField(max_length=64)
    issuing_country = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, required=False)
    expiry = serializers.DateField(required=False, allow_null=True)


# --- survivors ---------------------------------------------------------------------------


class SurvivorInputSerializer(serializers.Serializer):
    given_names = TextField(max_length=200, allow_blank=True, required=False)
    middle_names = TextField(max_length=200, allow_blank=True, required=False)
    family_name = TextField(max_length=200, allow_blank=True, required=False)
    aliases = serializers.ListField(child=TextField(max_length=200), max_length=20, required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    place_of_birth = TextField(max_length=200, allow_blank=True, required=False)
    phone = TextField(max_length=40, allow_blank=True, required=False)
    email = serializers.EmailField(max_length=254, allow_blank=True, required=False)
    address = TextField(max_length=2000, allow_blank=True, required=False)
    identity_documents = IdentityDocumentSerializer(many=True, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    birth_year = serializers.IntegerField(min_value=1900, max_value=2100, required=False, allow_null=True)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False)
    citizenships = _alpha3_list()
    languages = serializers.ListField(child=serializers.RegexField(r"^[a-z]{2,3}$", max_length=3), max_length=20)
    migration_status = serializers.ChoiceField(choices=MigrationStatus.choices, allow_blank=True, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["citizenships"].required = False
        self.fields["languages"].required = False

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not self.partial and not (attrs.get("given_names") or attrs.get("family_name") or attrs.get("aliases")):
            raise serializers.ValidationError({"given_names": [_("Give a name or an alias.")]})
        if "identity_documents" in attrs:
            attrs["identity_documents"] = [
                {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in doc.items() if v is not None}
                for doc in attrs["identity_documents"]
            ]
        return attrs


class SurvivorOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    erased = serializers.SerializerMethodField()
    gender = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    age_band = serializers.CharField()
    citizenships = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    migration_status = serializers.CharField()
    created_at = serializers.DateTimeField()
    given_names = serializers.CharField(allow_null=True)
    middle_names = serializers.CharField(allow_null=True)
    family_name = serializers.CharField(allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField(), allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    place_of_birth = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    identity_documents = serializers.ListField(child=serializers.DictField(), allow_null=True)

    def get_erased(self, survivor: Survivor) -> bool:
        return survivor.erased_at is not None

    def to_representation(self, survivor: Survivor) -> dict[str, Any]:
        if survivor.erased_at is None:
            try:
                return super().to_representation(survivor)
            except KeyDestroyed:
                pass
        data: dict[str, Any] = dict.fromkeys(IDENTITY_FIELDS)
        for name, field in self.fields.items():
            if name in IDENTITY_FIELDS:
                continue
            attribute = field.get_attribute(survivor)
            data[name] = field.to_representation(attribute) if attribute is not None else None
        data["erased"] = True
        return data


class SurvivorBriefSerializer(SurvivorOutputSerializer):
    """For lists: names and profile; no contact details or documents."""

    class Meta:
        pass

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("place_of_birth", "phone", "email", "address", "identity_documents", "middle_names"):
            self.fields.pop(name)


class DuplicateSearchInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=400, required=False, allow_blank=False)
    date_of_birth = serializers.DateField(required=False)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=False)
    document_number = serializers.CharField(max_length=64, required=False, allow_blank=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(
                {"name": ["Give at least one of name, date_of_birth, phone, document_number."]}
            )
        return attrs


class DuplicateMatchSerializer(serializers.Serializer):
    survivor_id = serializers.UUIDField()
    matched_on = serializers.ListField(child=serializers.CharField())


class DuplicateResultSerializer(serializers.Serializer):
    matches = DuplicateMatchSerializer(many=True)
    others_exist = serializers.BooleanField(help_text="Matches exist that you may not see.")


# --- cases ---------------------------------------------------------------------------------


class CaseFieldsSerializer(serializers.Serializer):
    trafficking_status = serializers.ChoiceField(choices=TraffickingStatus.choices, required=False)
    trafficking_status_decided_by = TextField(max_length=200, allow_blank=True, required=False)
    exploitation_types = _choices(ExploitationType.choices)
    sexual_exploitation_types = _choices(SexualExploitationType.choices)
    labour_industry = serializers.ChoiceField(choices=ISIC_SECTIONS, allow_blank=True, required=False)
    means_of_control = _choices(MeansOfControl.choices)
    recruitment_methods = _choices(RecruitmentMethod.choices)
    trafficker_relationship = serializers.ChoiceField(
        choices=TraffickerRelationship.choices, allow_blank=True, required=False
    )
    countries_of_recruitment = _alpha3_list()
    countries_of_exploitation = _alpha3_list()
    regions_of_recruitment = serializers.ListField(child=serializers.CharField(max_length=120), max_length=20)
    regions_of_exploitation = serializers.ListField(child=serializers.CharField(max_length=120), max_length=20)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    summary = TextField(max_length=20000, allow_blank=True, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, serializers.ListField):
                field.required = False


def _active_users(user: User) -> Any:
    return User.objects.filter(is_active=True)


class CaseCreateSerializer(CaseFieldsSerializer):
    survivor = serializers.UUIDField()
    team = serializers.ScopedRelatedField(
        Team,
        lambda user: Team.objects.filter(memberships__user=user),
        unknown=_("You can open cases only in your own teams."),
    )


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name"]
        read_only_fields = fields


class CaseListSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    survivor = serializers.UUIDField(source="survivor_id")
    team = serializers.UUIDField(source="team_id")
    status = serializers.CharField()
    risk_level = serializers.CharField()  # list rows are dictionaries, details are Case objects
    trafficking_status = serializers.CharField()
    exploitation_types = serializers.ListField(child=serializers.CharField())
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    assignees = serializers.SerializerMethodField()

    def get_assignees(self, case: Any) -> list[str]:
        # the list query's ``worker_ids`` (its rows are dictionaries); the detail view's ``workers`` grants
        worker_ids = case.get("worker_ids") if isinstance(case, dict) else None
        if worker_ids is None:
            worker_ids = [grant.user_id for grant in getattr(case, "workers", [])]
        return sorted(str(user_id) for user_id in worker_ids)


class CaseRowSerializer(CaseListSerializer):
    """A row of the case list: what a caseworker needs to recognise the case
    and see what is due. The survivor's name is decrypted for the row, and
    the survivor's id goes to the access log with the case's."""

    survivor_name = serializers.CharField(
        allow_null=True, help_text="Given and family names; null once the survivor is erased."
    )
    next_follow_up_on = serializers.DateField(allow_null=True, help_text="Earliest due date of an open follow-up.")
    follow_up_overdue = serializers.BooleanField(help_text="An open follow-up was due before today (your time zone).")


class CaseDetailSerializer(CaseListSerializer):
    organisation = serializers.UUIDField(source="organisation_id")
    closure_reason = serializers.CharField()
    trafficking_status_decided_by = SealedTextField()
    sexual_exploitation_types = serializers.ListField(child=serializers.CharField())
    labour_industry = serializers.CharField()
    means_of_control = serializers.ListField(child=serializers.CharField())
    recruitment_methods = serializers.ListField(child=serializers.CharField())
    trafficker_relationship = serializers.CharField()
    countries_of_recruitment = serializers.ListField(child=serializers.CharField())
    countries_of_exploitation = serializers.ListField(child=serializers.CharField())
    regions_of_recruitment = SealedListField(child=serializers.CharField())
    regions_of_exploitation = SealedListField(child=serializers.CharField())
    summary = SealedTextField()
    opened_by = serializers.UUIDField(source="opened_by_id")
    version = serializers.IntegerField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="What you may do now: `edit` (the case, its notes, consents, milestones, follow-ups and referrals), "
        "`close`, `assign`, `reopen`. Empty when you read it through break-glass."
    )

    def get_allowed_actions(self, case: Any) -> list[str]:
        is_open = case.status not in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)
        actions: list[str] = []
        if getattr(case, "can_work", False) and is_open:
            actions += ["edit", "close"]
        if getattr(case, "can_assign", False):
            actions.append("assign" if is_open else "reopen")
        return actions


class AssignInputSerializer(serializers.Serializer):
    assignees = serializers.ListField(
        child=serializers.ScopedRelatedField(User, _active_users, unknown=_("Unknown or inactive user.")),
        max_length=20,
    )


class CloseInputSerializer(serializers.Serializer):
    closure_reason = serializers.ChoiceField(choices=ClosureReason.choices)


class BreakGlassInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class BreakGlassByReferenceInputSerializer(BreakGlassInputSerializer):
    reference = serializers.RegexField(
        r"^[A-Za-z0-9-]+$", max_length=20, help_text="The case's reference, C-YYYY-NNNNNN."
    )


class BreakGlassOutputSerializer(serializers.Serializer):
    case = serializers.UUIDField(source="content_object_id")
    expires_at = serializers.DateTimeField()


class AccessEntrySerializer(serializers.Serializer):
    user = UserBriefSerializer(allow_null=True)
    group = serializers.CharField(allow_null=True)
    team = serializers.UUIDField(allow_null=True)
    referral = serializers.CharField(allow_null=True, help_text="The referral's reference, for referral grants.")
    permissions = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    granted_by = serializers.UUIDField()
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    justification = serializers.CharField(
        allow_blank=True, allow_null=True, help_text="The break-glass reason; null once the survivor was erased."
    )


# --- notes, consents, milestones, follow-ups ----------------------------------------------


class NoteInputSerializer(serializers.Serializer):
    body = TextField(max_length=50000)


class NoteOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    author = serializers.UUIDField(source="author_id")
    body = SealedTextField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class ConsentInputSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=ConsentScope.choices)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    given_by = serializers.ChoiceField(choices=ConsentGiver.choices)
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    given_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ConsentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    scope = serializers.CharField()
    organisation = serializers.UUIDField(source="organisation_id", allow_null=True)
    given_by = serializers.CharField()
    method = serializers.CharField()
    given_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_by = serializers.UUIDField(source="revoked_by_id", allow_null=True)
    recorded_by = serializers.UUIDField(source="recorded_by_id")
    is_live = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    def get_is_live(self, consent: Any) -> bool:
        return bool(consent.is_live())


class MilestoneInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MilestoneKind.choices)
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True, required=False)
    deciding_body = TextField(max_length=200, allow_blank=True, required=False)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    completed_on = serializers.DateField(required=False, allow_null=True)
    description = TextField(max_length=5000, allow_blank=True, required=False)


class MilestoneUpdateSerializer(MilestoneInputSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("kind")


class MilestoneOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    kind = serializers.CharField()
    decision = serializers.CharField()
    deciding_body = SealedTextField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    description = SealedTextField()
    recorded_by = serializers.UUIDField(source="recorded_by_id")
    version = serializers.IntegerField()


class FollowUpInputSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    assignee = serializers.ScopedRelatedField(User, _active_users, unknown=_("Unknown or inactive user."))
    description = TextField(max_length=5000, allow_blank=True, required=False, default="")


class FollowUpUpdateSerializer(serializers.Serializer):
    due_on = serializers.DateField(required=False)
    assignee = serializers.ScopedRelatedField(
        User, _active_users, unknown=_("Unknown or inactive user."), required=False
    )
    status = serializers.ChoiceField(choices=FollowUpStatus.choices, required=False)
    description = TextField(max_length=5000, allow_blank=True, required=False)


class FollowUpOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    case_reference = serializers.CharField(source="case.reference")
    due_on = serializers.DateField()
    assignee = serializers.UUIDField(source="assignee_id")
    status = serializers.CharField()
    description = SealedTextField()
    completed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]
        read_only_fields = fields
