"""Directory and referral serializers: every field named; input and output
kept apart; one output serializer per side of a referral.

What the receiving organisation sees is built field by field from the shared
field groups (:data:`SHARED_FIELDS`), never by serializing the case: a field
outside the shared groups cannot reach a recipient by accident.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationType, User
from cases.models import iso639
from cases.serializers import SealedTextField, TextField
from ngo_cases.api import serializers
from ngo_cases.crypto.errors import KeyDestroyed
from ngo_cases.grants.access import holds_model_permission

from .models import (
    ENDED_STATUSES,
    OPEN_STATUSES,
    DeclineReason,
    FieldGroup,
    Outcome,
    ReferralStatus,
    ServiceType,
    Urgency,
    WithdrawReason,
)
from .permissions import Need, documents_open, may, side, visible_groups

# --- directory -------------------------------------------------------------------------------------


class OrganisationInputSerializer(serializers.Serializer):
    name = TextField(max_length=200)
    slug = serializers.SlugField(max_length=50)
    org_type = serializers.ChoiceField(choices=OrganisationType.choices)
    region = TextField(max_length=120, allow_blank=True, required=False)
    description = TextField(max_length=4000, allow_blank=True, required=False)
    active = serializers.BooleanField(required=False)


class OrganisationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    slug = serializers.CharField()
    org_type = serializers.CharField()
    region = serializers.CharField()
    description = serializers.CharField()
    active = serializers.BooleanField()
    is_home = serializers.BooleanField()
    services = serializers.ListField(child=serializers.CharField(), source="service_types")
    version = serializers.IntegerField()


class ContactInputSerializer(serializers.Serializer):
    name = TextField(max_length=200)
    position = TextField(max_length=200, allow_blank=True, required=False)
    phone = TextField(max_length=40, allow_blank=True, required=False)
    email = serializers.EmailField(allow_blank=True, required=False)
    notes = TextField(max_length=2000, allow_blank=True, required=False)


class ContactOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    organisation = serializers.UUIDField(source="organisation_id")
    name = serializers.CharField()
    position = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    notes = serializers.CharField()
    version = serializers.IntegerField()


def _regions() -> serializers.ListField:
    return serializers.ListField(child=TextField(max_length=120), max_length=50, required=False)


def _organisations(user: User) -> Any:
    return Organisation.objects.all()


class ServiceInputSerializer(serializers.Serializer):
    organisation = serializers.ScopedRelatedField(Organisation, _organisations, unknown=_("Unknown organisation."))
    service = serializers.ChoiceField(choices=ServiceType.choices)
    regions = _regions()
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3, validators=[iso639]), max_length=30, required=False
    )
    description = TextField(max_length=4000, allow_blank=True, required=False)
    active = serializers.BooleanField(required=False)


class ServiceUpdateSerializer(ServiceInputSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("organisation")


class ServiceOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    organisation = serializers.UUIDField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    organisation_region = serializers.CharField(source="organisation.region")
    service = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()
    active = serializers.BooleanField()
    version = serializers.IntegerField()


class OrganisationDetailSerializer(OrganisationOutputSerializer):
    contacts = ContactOutputSerializer(many=True, source="contact_rows")
    offered = ServiceOutputSerializer(many=True, source="service_rows")


# --- referrals: input ---------------------------------------------------------------------------------


def _unique_choices(choices: Any, max_length: int, **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), max_length=max_length, **kwargs)


class ReferralInputSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    organisation = serializers.ScopedRelatedField(Organisation, _organisations, unknown=_("Unknown organisation."))
    services = _unique_choices(ServiceType.choices, len(ServiceType), min_length=1)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    reason = TextField(max_length=5000)
    needs = TextField(max_length=5000, allow_blank=True, required=False)
    shared_groups = _unique_choices(FieldGroup.choices, len(FieldGroup), required=False)
    shared_attachments = serializers.ListField(
        child=serializers.UUIDField(),
        max_length=50,
        required=False,
        help_text="Attachments of the case or its survivor the recipient may open (with the documents group).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("services", "shared_groups", "shared_attachments"):
            values = attrs.get(name)
            if values is not None and len(set(values)) != len(values):
                raise serializers.ValidationError({name: ["Name each value once."]})
        return attrs


class ReferralUpdateSerializer(ReferralInputSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("case")


class SendInputSerializer(serializers.Serializer):
    override_reason = TextField(max_length=1000, allow_blank=True, required=False)


class DeclineInputSerializer(serializers.Serializer):
    decline_reason = serializers.ChoiceField(choices=DeclineReason.choices)
    notes = TextField(max_length=5000, allow_blank=True, required=False)


class CompleteInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    notes = TextField(max_length=5000, allow_blank=True, required=False)


class WithdrawInputSerializer(serializers.Serializer):
    withdraw_reason = serializers.ChoiceField(choices=WithdrawReason.choices)
    notes = TextField(max_length=5000, allow_blank=True, required=False)


class ReferralAssignInputSerializer(serializers.Serializer):
    assignee = serializers.ScopedRelatedField(User, lambda user: User.objects.all(), unknown=_("Unknown user."))


class DeliveryInputSerializer(serializers.Serializer):
    service = serializers.ChoiceField(choices=ServiceType.choices)
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, required=False)
    notes = TextField(max_length=5000, allow_blank=True, required=False)


class DeliveryOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    referral = serializers.UUIDField(source="referral_id")
    service = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    notes = SealedTextField()
    recorded_by = serializers.UUIDField(source="recorded_by_id")
    version = serializers.IntegerField()


# --- referrals: what is shared ----------------------------------------------------------------------

# group -> [(where, field)]: "survivor", "case" or "referral".
SHARED_FIELDS: dict[str, list[tuple[str, str]]] = {
    # The free-text reason may name the survivor or others: shared only when ticked.
    FieldGroup.REASON: [("referral", "reason")],
    FieldGroup.IDENTITY: [
        ("survivor", "given_names"),
        ("survivor", "middle_names"),
        ("survivor", "family_name"),
        ("survivor", "aliases"),
        ("survivor", "date_of_birth"),
        ("survivor", "place_of_birth"),
        ("survivor", "citizenships"),
        ("survivor", "identity_documents"),
    ],
    FieldGroup.CONTACT: [("survivor", "phone"), ("survivor", "email"), ("survivor", "address")],
    FieldGroup.EXPLOITATION: [
        ("case", "trafficking_status"),
        ("case", "exploitation_types"),
        ("case", "sexual_exploitation_types"),
        ("case", "means_of_control"),
        ("case", "recruitment_methods"),
        ("case", "countries_of_recruitment"),
        ("case", "countries_of_exploitation"),
        ("case", "summary"),
    ],
    FieldGroup.DOCUMENTS: [("referral", "shared_attachments")],
    FieldGroup.NEEDS: [
        ("survivor", "gender"),
        ("survivor", "age_band"),
        ("survivor", "languages"),
        ("survivor", "migration_status"),
        ("case", "risk_level"),
        ("referral", "needs"),
    ],
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def shared_data(referral: Any, groups: list[str]) -> dict[str, dict[str, Any]]:
    """The shared subset, group by group; encrypted values read as ``null``
    once the survivor was erased."""
    sources = {"survivor": referral.case.survivor, "case": referral.case, "referral": referral}
    data: dict[str, dict[str, Any]] = {}
    for group in groups:
        fields: dict[str, Any] = {}
        for where, name in SHARED_FIELDS[group]:
            try:
                fields[name] = (
                    _documents(referral) if name == "shared_attachments" else _plain(getattr(sources[where], name))
                )
            except KeyDestroyed:
                fields[name] = None
        data[group] = fields
    return data


def _documents(referral: Any) -> list[dict[str, Any]]:
    """The shared attachments' metadata (names decrypted); their content is
    at /referrals/{id}/attachments/{attachment_id}/content."""
    return [
        {"id": str(a.pk), "category": a.category, "file_kind": a.file_kind, "size": a.size, "name": a.name}
        for a in referral.shared_attachments.select_related("data_key").order_by("created_at", "id")
    ]


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_display(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(_display(item) for item in value.values() if item not in (None, ""))
    return str(value)


def letter_sections(referral: Any, groups: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The shared subset as (group title, [(field label, text)]) for a letter."""
    models = {"survivor": type(referral.case.survivor), "case": type(referral.case), "referral": type(referral)}
    data = shared_data(referral, groups)
    sections = []
    for group in groups:
        rows = []
        for where, name in SHARED_FIELDS[group]:
            label = str(models[where]._meta.get_field(name).verbose_name).capitalize()
            rows.append((label, _display(data[group][name])))
        sections.append((str(FieldGroup(group).label), rows))
    return sections


# --- referrals: output --------------------------------------------------------------------------------


class ReferralListSerializer(serializers.Serializer):
    """List rows (dictionaries): metadata only; the case only to its own side."""

    id = serializers.UUIDField()
    reference = serializers.CharField()
    organisation = serializers.UUIDField(source="organisation_id")
    organisation_name = serializers.CharField()
    sender_organisation = serializers.UUIDField(source="sender_organisation_id")
    status = serializers.CharField()
    urgency = serializers.CharField()
    services = serializers.ListField(child=serializers.CharField())
    shared_groups = serializers.ListField(child=serializers.CharField())
    assigned_to = serializers.UUIDField(source="assigned_to_id", allow_null=True)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    case = serializers.UUIDField(source="case_id", required=False, help_text="Only for the sending case's workers.")
    case_reference = serializers.CharField(required=False, help_text="Only for the sending case's workers.")

    def to_representation(self, row: Any) -> dict[str, Any]:
        data = super().to_representation(row)
        if not row["on_sender_side"]:
            data.pop("case")
            data.pop("case_reference")
        return dict(data)


def allowed_actions(user: User, referral: Any) -> list[str]:
    status = referral.status
    actions: list[str] = []
    if status == ReferralStatus.DRAFT and may(user, referral, Need.EDIT):
        actions += ["edit", "send"]
        if holds_model_permission(user, "referrals", "override_consent_referral"):
            actions.append("send_with_override")  # POST /send with override_reason, without a live consent
    if status in OPEN_STATUSES and may(user, referral, Need.EDIT):
        actions.append("withdraw")
    if may(user, referral, Need.ANSWER):
        if status == ReferralStatus.SENT:
            actions += ["accept", "decline"]
        elif status == ReferralStatus.ACCEPTED:
            actions.append("start")
        elif status == ReferralStatus.IN_PROGRESS:
            actions.append("complete")
        if status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED):
            actions.append("record_delivery")
    if status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        if may(user, referral, Need.ASSIGN):
            actions.append("assign")
        if may(user, referral, Need.LETTER) and referral.consent_is_live:
            actions.append("letter")
    return actions


class ReferralSharedSerializer(serializers.Serializer):
    """What the receiving organisation and the referral desks see: the
    referral's metadata, its reason, and the shared groups while consent is
    live. Never the case's id, notes or other referrals."""

    id = serializers.UUIDField()
    reference = serializers.CharField()
    organisation = serializers.UUIDField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    sender_organisation = serializers.UUIDField(source="sender_organisation_id")
    sender_organisation_name = serializers.CharField(source="sender_organisation.name")
    status = serializers.CharField()
    urgency = serializers.CharField()
    services = serializers.ListField(child=serializers.CharField())
    reason = serializers.SerializerMethodField(
        help_text="For recipients only when the sender shared the `reason` group; null while the consent has lapsed "
        "(and after erasure)."
    )
    shared_groups = serializers.ListField(child=serializers.CharField())
    shared = serializers.SerializerMethodField()
    consent_lapsed = serializers.SerializerMethodField()
    assigned_to = serializers.UUIDField(source="assigned_to_id", allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdraw_reason = serializers.CharField()
    closing_notes = SealedTextField()
    ended_at = serializers.DateTimeField(allow_null=True)
    allowed_actions = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    def _user(self) -> User:
        user: User = self.context["user"]
        return user

    def get_reason(self, referral: Any) -> str | None:
        """The reason may name the survivor: recipients read it only when the
        sender shared it (the ``reason`` group) and while the consent is live."""
        if not referral.on_sender_side and (
            not referral.consent_is_live or FieldGroup.REASON not in referral.shared_groups
        ):
            return None
        try:
            return str(referral.reason)
        except KeyDestroyed:
            return None

    def get_shared(self, referral: Any) -> dict[str, dict[str, Any]]:
        user = self._user()
        groups = visible_groups(user, referral)
        if not documents_open(user, referral):  # after the referral ended, its documents are closed
            groups = [group for group in groups if group != FieldGroup.DOCUMENTS]
        return shared_data(referral, groups)

    def get_consent_lapsed(self, referral: Any) -> bool:
        return not referral.consent_is_live and referral.status not in (ReferralStatus.DRAFT, *ENDED_STATUSES)

    def get_allowed_actions(self, referral: Any) -> list[str]:
        return allowed_actions(self._user(), referral)


class ReferralSenderSerializer(ReferralSharedSerializer):
    """The sending case's workers: all of the referral, with its case."""

    case = serializers.UUIDField(source="case_id")
    case_reference = serializers.CharField(source="case.reference")
    consent = serializers.UUIDField(source="consent_id", allow_null=True)
    consent_overridden_by = serializers.UUIDField(source="consent_overridden_by_id", allow_null=True)
    consent_override_reason = SealedTextField()
    created_by = serializers.UUIDField(source="created_by_id")
    created_at = serializers.DateTimeField()
    sent_by = serializers.UUIDField(source="sent_by_id", allow_null=True)
    answered_by = serializers.UUIDField(source="answered_by_id", allow_null=True)
    withdrawn_by = serializers.UUIDField(source="withdrawn_by_id", allow_null=True)
    shared_attachments = serializers.SerializerMethodField()

    def get_shared_attachments(self, referral: Any) -> list[str]:
        return [str(pk) for pk in referral.shared_attachments.values_list("pk", flat=True)]


def referral_data(user: User, referral: Any) -> Any:
    """The detail representation for ``user``'s side of the referral."""
    serializer_class = ReferralSenderSerializer if side(user, referral) == "sender" else ReferralSharedSerializer
    return serializer_class(referral, context={"user": user}).data
