"""The partner directory, the service catalogue and referrals over the API.

Directory: everyone in the home NGO reads it; its coordinators keep it.
Referrals: every view fetches through referrals/permissions.py and writes
through services; the representation depends on the caller's side.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organisation, OrganisationType, Role, User
from attachments import selectors as attachments_selectors
from attachments.apis import AttachmentContentApi, AttachmentDetailApi, AttachmentListApi, Parent
from cases.permissions import CaseAction, access_case
from ngo_cases.api import serializers
from ngo_cases.api.base import BaseAPIView, ListMixin, ObjectCheck
from ngo_cases.api.base import request_user as _user
from ngo_cases.api.base import valid_input as _valid
from ngo_cases.api.permissions import HasRole, HomeRole, IsHomeStaff, ReadOrWrite

from . import selectors, services
from . import serializers as s
from .models import (
    OrganisationContact,
    OrganisationService,
    Referral,
    ReferralStatus,
    ServiceDelivery,
    ServiceType,
    Urgency,
)
from .permissions import Need, access_referral, access_referral_documents, visible_groups

DIRECTORY = ReadOrWrite.of(read=IsHomeStaff, write=HomeRole.of(Role.COORDINATOR))
REFERRAL_ROLES = HasRole.of(Role.CASEWORKER, Role.SUPERVISOR, Role.COORDINATOR, Role.PARTNER_CASEWORKER)


# --- directory -----------------------------------------------------------------------------------------


class OrganisationFilterSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, required=False)
    org_type = serializers.ListField(child=serializers.ChoiceField(choices=OrganisationType.choices), required=False)
    service = serializers.ListField(child=serializers.ChoiceField(choices=ServiceType.choices), required=False)
    region = serializers.CharField(max_length=120, required=False)
    active = serializers.QueryBooleanField(required=False)


def _organisation(organisation_id: uuid.UUID) -> Organisation:
    return selectors.organisation_get(organisation_id=organisation_id)


class OrganisationListApi(ListMixin, BaseAPIView):
    permission_classes = [DIRECTORY]
    schema_model = Organisation
    ordering = ("name", "id")
    output = s.OrganisationOutputSerializer
    filters = OrganisationFilterSerializer

    def scoped_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisation_list(filters=self.filter_values())

    @extend_schema(responses={200: s.OrganisationOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """The directory of organisations (home NGO staff)."""
        return self.list_response(self.get_queryset())

    @extend_schema(request=s.OrganisationInputSerializer, responses={201: s.OrganisationDetailSerializer})
    def post(self, request: Request) -> Response:
        """Add an organisation to the directory (the home NGO's coordinators)."""
        data = _valid(s.OrganisationInputSerializer, request)
        organisation = services.organisation_create(created_by=_user(request), **data)
        return OrganisationDetailApi.organisation_response(self, organisation.pk, status=201)


class OrganisationDetailApi(BaseAPIView):
    permission_classes = [DIRECTORY]
    schema_model = Organisation

    @staticmethod
    def organisation_response(view: BaseAPIView, organisation_id: uuid.UUID, status: int = 200) -> Response:
        organisation: Any = _organisation(organisation_id)
        organisation.contact_rows = list(selectors.contact_list(organisation=organisation))
        organisation.service_rows = list(selectors.service_list(filters={"organisation": organisation.pk}))
        return view.detail_response(organisation, s.OrganisationDetailSerializer(organisation).data, status=status)

    @extend_schema(responses={200: s.OrganisationDetailSerializer})
    def get(self, request: Request, organisation_id: uuid.UUID) -> Response:
        """One organisation of the directory."""
        return self.organisation_response(self, organisation_id)

    @extend_schema(request=s.OrganisationInputSerializer, responses={200: s.OrganisationDetailSerializer})
    def patch(self, request: Request, organisation_id: uuid.UUID) -> Response:
        """Change an organisation (the home NGO's coordinators). Needs If-Match."""
        organisation = _organisation(organisation_id)
        expected = self.expected_version(organisation)
        data = _valid(s.OrganisationInputSerializer, request, partial=True)
        services.organisation_update(
            organisation=organisation, acting_user=_user(request), expected_version=expected, **data
        )
        return self.organisation_response(self, organisation_id)


class ContactListApi(ListMixin, BaseAPIView):
    permission_classes = [DIRECTORY]
    schema_model = OrganisationContact
    ordering = ("name", "id")
    output = s.ContactOutputSerializer

    def scoped_queryset(self) -> QuerySet[OrganisationContact]:
        return selectors.contact_list()

    @extend_schema(responses={200: s.ContactOutputSerializer(many=True)})
    def get(self, request: Request, organisation_id: uuid.UUID) -> Response:
        """An organisation's contacts."""
        return self.list_response(selectors.contact_list(organisation=_organisation(organisation_id)))

    @extend_schema(request=s.ContactInputSerializer, responses={201: s.ContactOutputSerializer})
    def post(self, request: Request, organisation_id: uuid.UUID) -> Response:
        """Add a contact to an organisation."""
        organisation = _organisation(organisation_id)
        data = _valid(s.ContactInputSerializer, request)
        contact = services.contact_create(organisation=organisation, created_by=_user(request), **data)
        return self.detail_response(contact, s.ContactOutputSerializer(contact).data, status=201)


class ContactDetailApi(BaseAPIView):
    permission_classes = [DIRECTORY]
    schema_model = OrganisationContact

    def contact(self, organisation_id: uuid.UUID, contact_id: uuid.UUID) -> OrganisationContact:
        return selectors.contact_get(organisation=_organisation(organisation_id), contact_id=contact_id)

    @extend_schema(request=s.ContactInputSerializer, responses={200: s.ContactOutputSerializer})
    def patch(self, request: Request, organisation_id: uuid.UUID, contact_id: uuid.UUID) -> Response:
        """Change a contact. Needs If-Match."""
        contact = self.contact(organisation_id, contact_id)
        expected = self.expected_version(contact)
        data = _valid(s.ContactInputSerializer, request, partial=True)
        contact = services.contact_update(
            contact=contact, acting_user=_user(request), expected_version=expected, **data
        )
        return self.detail_response(contact, s.ContactOutputSerializer(contact).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, organisation_id: uuid.UUID, contact_id: uuid.UUID) -> Response:
        """Remove a contact. Needs If-Match."""
        contact = self.contact(organisation_id, contact_id)
        expected = self.expected_version(contact)
        services.contact_delete(contact=contact, acting_user=_user(request), expected_version=expected)
        return Response(status=204)


class ServiceFilterSerializer(serializers.Serializer):
    service = serializers.ListField(child=serializers.ChoiceField(choices=ServiceType.choices), required=False)
    region = serializers.CharField(max_length=120, required=False)
    organisation = serializers.UUIDField(required=False)
    language = serializers.RegexField(r"^[a-z]{2,3}$", max_length=3, required=False)
    active = serializers.QueryBooleanField(required=False)


class ServiceListApi(ListMixin, BaseAPIView):
    """The service catalogue: search by service, region, language."""

    permission_classes = [DIRECTORY]
    schema_model = OrganisationService
    ordering = ("service", "id")
    output = s.ServiceOutputSerializer
    filters = ServiceFilterSerializer

    def scoped_queryset(self) -> QuerySet[OrganisationService]:
        return selectors.service_list(filters=self.filter_values())

    @extend_schema(responses={200: s.ServiceOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return self.list_response(self.get_queryset())

    @extend_schema(request=s.ServiceInputSerializer, responses={201: s.ServiceOutputSerializer})
    def post(self, request: Request) -> Response:
        """Add a service an organisation offers."""
        data = _valid(s.ServiceInputSerializer, request)
        offered = services.service_create(organisation=data.pop("organisation"), created_by=_user(request), **data)
        offered = selectors.service_get(service_id=offered.pk)
        return self.detail_response(offered, s.ServiceOutputSerializer(offered).data, status=201)


class ServiceDetailApi(BaseAPIView):
    permission_classes = [DIRECTORY]
    schema_model = OrganisationService

    def offered(self, service_id: uuid.UUID) -> OrganisationService:
        return selectors.service_get(service_id=service_id)

    @extend_schema(responses={200: s.ServiceOutputSerializer})
    def get(self, request: Request, service_id: uuid.UUID) -> Response:
        """One service an organisation offers."""
        offered = self.offered(service_id)
        return self.detail_response(offered, s.ServiceOutputSerializer(offered).data)

    @extend_schema(request=s.ServiceUpdateSerializer, responses={200: s.ServiceOutputSerializer})
    def patch(self, request: Request, service_id: uuid.UUID) -> Response:
        """Change a service. Needs If-Match."""
        offered = self.offered(service_id)
        expected = self.expected_version(offered)
        data = _valid(s.ServiceUpdateSerializer, request, partial=True)
        services.service_update(offered=offered, acting_user=_user(request), expected_version=expected, **data)
        offered = self.offered(service_id)
        return self.detail_response(offered, s.ServiceOutputSerializer(offered).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, service_id: uuid.UUID) -> Response:
        """Remove a service. Needs If-Match."""
        offered = self.offered(service_id)
        expected = self.expected_version(offered)
        services.service_delete(offered=offered, acting_user=_user(request), expected_version=expected)
        return Response(status=204)


# --- referrals ------------------------------------------------------------------------------------------


class ReferralFilterSerializer(serializers.Serializer):
    status = serializers.ListField(child=serializers.ChoiceField(choices=ReferralStatus.choices), required=False)
    direction = serializers.ChoiceField(choices=["sent", "received"], required=False)
    organisation = serializers.UUIDField(required=False)
    service = serializers.ListField(child=serializers.ChoiceField(choices=ServiceType.choices), required=False)
    urgency = serializers.ListField(child=serializers.ChoiceField(choices=Urgency.choices), required=False)
    awaiting = serializers.ChoiceField(choices=["me"], required=False, help_text="Waiting for my action.")
    case = serializers.UUIDField(required=False)


class ReferralListApi(ListMixin, BaseAPIView):
    permission_classes = [REFERRAL_ROLES]
    schema_model = Referral
    audit_type = "referral"
    ordering = ("-created_at", "id")
    output = s.ReferralListSerializer
    filters = ReferralFilterSerializer

    def audit_row(self, row: Any) -> tuple[Any, Any, Any]:
        return row["id"], row["case_id"], row["survivor_id"]

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.referral_list(fetched_by=_user(self.request), filters=self.filter_values())

    @extend_schema(responses={200: s.ReferralListSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """The referrals you may see: sent from your cases, or received by your organisation's desk or assigned to you.
        Metadata only.
        """
        return self.list_response(self.get_queryset())

    @extend_schema(request=s.ReferralInputSerializer, responses={201: s.ReferralSenderSerializer})
    def post(self, request: Request) -> Response:
        """Draft a referral of a case to an organisation: services, urgency, reason, and the field groups you share."""
        user = _user(request)
        data = _valid(s.ReferralInputSerializer, request)
        case = access_case(user, data.pop("case"), action=CaseAction.WORK)
        referral = services.referral_create(case=case, created_by=user, **data)
        return _referral_response(self, user, referral.pk, status=201)


def _referral_report(referral: Any) -> dict[str, Any]:
    """Everything under /referrals/{id} belongs to the referral's case and its survivor."""
    return {"case_ids": [referral.case_id], "survivor_ids": [referral.case.survivor_id]}


# The referral a URL names: read with VIEW, changed by the sender side (EDIT) unless a view says otherwise.
REFERRAL = ObjectCheck(access_referral, "referral_id", read=Need.VIEW, write=Need.EDIT, report=_referral_report)


def _referral_response(view: BaseAPIView, user: User, referral_id: uuid.UUID, status: int = 200) -> Response:
    referral = access_referral(user, referral_id)
    return view.detail_response(referral, s.referral_data(user, referral), status=status, **_referral_report(referral))


class ReferralObjectApi(BaseAPIView):
    """Base of the views under /referrals/{referral_id}."""

    permission_classes = [REFERRAL_ROLES]
    schema_model: ClassVar[type[Model] | None] = Referral
    audit_type: ClassVar[str | None] = "referral"

    object_check: ClassVar[ObjectCheck | None] = REFERRAL

    def respond(self) -> Response:
        """The referral as it is now (after a change), as the caller's side sees it."""
        referral = self.recheck()
        return self.detail_response(referral, s.referral_data(_user(self.request), referral))


class ReferralDetailApi(ReferralObjectApi):
    @extend_schema(responses={200: s.ReferralSenderSerializer})
    def get(self, request: Request, referral_id: uuid.UUID) -> Response:
        """One referral. Recipients see only the field groups the sender shared, while the consent is live."""
        return self.respond()

    @extend_schema(request=s.ReferralUpdateSerializer, responses={200: s.ReferralSenderSerializer})
    def patch(self, request: Request, referral_id: uuid.UUID) -> Response:
        """Change a draft referral. Needs If-Match."""
        referral = self.checked
        expected = self.expected_version(referral)
        data = _valid(s.ReferralUpdateSerializer, request, partial=True)
        services.referral_update(referral=referral, acting_user=_user(request), expected_version=expected, **data)
        return self.respond()


class ReferralTransitionApi(ReferralObjectApi):
    """POST /referrals/{id}/<action>: one subclass per transition."""

    if_match_methods = frozenset({"POST"})

    input_serializer: type[serializers.Serializer] | None = None

    def perform(self, referral: Referral, user: User, expected: int, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, referral_id: uuid.UUID) -> Response:
        referral = self.checked
        expected = self.expected_version(referral)
        data = _valid(self.input_serializer, request) if self.input_serializer else {}
        self.perform(referral, _user(request), expected, data)
        return self.respond()


def _transition(
    name: str,
    need: Need,
    service: Any,
    input_serializer: type[serializers.Serializer] | None = None,
    *,
    description: str,
) -> type[ReferralTransitionApi]:
    def perform(self: Any, referral: Referral, user: User, expected: int, data: dict[str, Any]) -> None:
        service(referral=referral, acting_user=user, expected_version=expected, **data)

    decorated = extend_schema(
        request=input_serializer, responses={200: s.ReferralSenderSerializer}, description=description
    )(ReferralTransitionApi.post)
    return type(
        f"Referral{name}Api",
        (ReferralTransitionApi,),
        {
            "object_check": REFERRAL.acting(POST=need),
            "input_serializer": input_serializer,
            "perform": perform,
            "post": decorated,
            "__module__": __name__,
        },
    )


_IF_MATCH = " Needs If-Match; an action the state does not allow answers 409 (illegal-transition)."
ReferralSendApi = _transition(
    "Send",
    Need.EDIT,
    services.referral_send,
    s.SendInputSerializer,
    description="Send a draft. Needs a live referral consent for the organisation (409 consent-required), or the "
    "override permission and a reason." + _IF_MATCH,
)
ReferralAcceptApi = _transition(
    "Accept", Need.ANSWER, services.referral_accept, description="Accept a sent referral (recipients)." + _IF_MATCH
)
ReferralDeclineApi = _transition(
    "Decline",
    Need.ANSWER,
    services.referral_decline,
    s.DeclineInputSerializer,
    description="Decline a sent referral with a reason (recipients)." + _IF_MATCH,
)
ReferralStartApi = _transition(
    "Start", Need.ANSWER, services.referral_start, description="Start work on an accepted referral." + _IF_MATCH
)
ReferralCompleteApi = _transition(
    "Complete",
    Need.ANSWER,
    services.referral_complete,
    s.CompleteInputSerializer,
    description="Complete a referral with its outcome." + _IF_MATCH,
)
ReferralWithdrawApi = _transition(
    "Withdraw",
    Need.EDIT,
    services.referral_withdraw,
    s.WithdrawInputSerializer,
    description="Withdraw an open referral with a reason (the sender); the recipient's access ends at once."
    + _IF_MATCH,
)
ReferralAssignApi = _transition(
    "Assign",
    Need.ASSIGN,
    services.referral_assign,
    s.ReferralAssignInputSerializer,
    description="Assign a received referral to a member of the receiving organisation (its desk)." + _IF_MATCH,
)


class ReferralDeliveryListApi(ListMixin, ReferralObjectApi):
    object_check = REFERRAL.acting(POST=Need.ANSWER)
    schema_model = ServiceDelivery
    audit_type = "delivery"
    ordering = ("started_on", "id")
    output = s.DeliveryOutputSerializer

    @extend_schema(responses={200: s.DeliveryOutputSerializer(many=True)})
    def get(self, request: Request, referral_id: uuid.UUID) -> Response:
        """The services delivered under this referral."""
        referral = self.checked
        # The page's delivery ids are added by list_response; the referral is
        # named in the row's detail so that an empty page still says what was read.
        self.audit([], detail=f"referral={referral.pk}")
        return self.list_response(selectors.delivery_list(referral=referral))

    @extend_schema(request=s.DeliveryInputSerializer, responses={201: s.DeliveryOutputSerializer})
    def post(self, request: Request, referral_id: uuid.UUID) -> Response:
        """Record a service delivered (the receiving organisation)."""
        data = _valid(s.DeliveryInputSerializer, request)
        delivery = services.delivery_record(referral=self.checked, recorded_by=_user(request), **data)
        return self.detail_response(delivery, s.DeliveryOutputSerializer(delivery).data, status=201)


class ReferralLetterApi(ReferralObjectApi):
    """A printable letter for a receiving organisation without accounts,
    holding only the shared field groups."""

    object_check = REFERRAL.acting(GET=Need.LETTER)

    @extend_schema(responses={(200, "text/html"): OpenApiResponse(description="A printable HTML letter.")})
    def get(self, request: Request, referral_id: uuid.UUID) -> HttpResponse:
        user = _user(request)
        referral = self.checked
        services.referral_letter_check(referral=referral)
        groups = visible_groups(user, referral)
        html = render_to_string(
            "referrals/letter.html",
            {
                "referral": referral,
                "sections": s.letter_sections(referral, groups),
                "service_labels": [ServiceType(code).label for code in referral.services],
                "urgency_label": Urgency(referral.urgency).label,
                "printed_at": timezone.localtime(),
                "printed_by": user,
            },
        )
        services.referral_letter_produced(referral=referral, produced_by=user)
        self.audit([referral.pk], action="letter")
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{referral.reference}.html"'
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return response


# --- the attachments a referral shares (read only) ----------------------------------------------


REFERRAL_DOCUMENTS = Parent(
    check=ObjectCheck(
        access_referral_documents, "referral_id", read=Need.VIEW, write=Need.EDIT, report=_referral_report
    ),
    route="referral",
    listing=attachments_selectors.attachments_shared_by,
    one=lambda referral, pk: attachments_selectors.attachment_shared_by(referral=referral, attachment_id=pk),
)


# Read only; the recipient's side sees the shared ones while the referral is open.
class ReferralAttachmentListApi(AttachmentListApi):
    permission_classes = [REFERRAL_ROLES]
    parent = REFERRAL_DOCUMENTS


class ReferralAttachmentDetailApi(AttachmentDetailApi):
    permission_classes = [REFERRAL_ROLES]
    parent = REFERRAL_DOCUMENTS


class ReferralAttachmentContentApi(AttachmentContentApi):
    permission_classes = [REFERRAL_ROLES]
    parent = REFERRAL_DOCUMENTS


ATTACHMENT_ROUTES = (ReferralAttachmentListApi, ReferralAttachmentDetailApi, ReferralAttachmentContentApi)
