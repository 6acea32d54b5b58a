"""Statistics over the API: the list of panels, and one panel as a
suppressed table. Administrators and supervisors of an organisation, over
that organisation's consented cases. Every panel run is written to the
access log with its parameters (never its values)."""

from __future__ import annotations

import json
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from ngo_cases.access_log import Action
from ngo_cases.api.base import BaseAPIView
from ngo_cases.api.base import request_user as _user
from ngo_cases.api.permissions import HomeRole
from ngo_cases.errors import Invalid, NotFound

from .panels import PANELS, table
from .selectors import EARLIEST, LATEST, LONGEST_PERIOD_DAYS, Filters

# The home NGO's administrators and supervisors (the bootstrap superuser has no organisation to count).
REPORTERS = HomeRole.of(Role.ADMIN, Role.SUPERVISOR)


_IN_RANGE = [MinValueValidator(EARLIEST), MaxValueValidator(LATEST)]


class PanelFilterSerializer(serializers.Serializer):
    opened_from = serializers.DateField(
        required=False, validators=_IN_RANGE, help_text="Cases opened on or after this day."
    )
    opened_to = serializers.DateField(
        required=False, validators=_IN_RANGE, help_text="Cases opened on or before this day."
    )
    team = serializers.UUIDField(required=False, help_text="Cases of this team only.")
    partner = serializers.UUIDField(required=False, help_text="Referral panels: referrals to this organisation only.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("opened_from"), attrs.get("opened_to")
        if start and end and start > end:
            raise serializers.ValidationError({"opened_to": [_("The period ends before it starts.")]})
        if start and end and (end - start).days > LONGEST_PERIOD_DAYS:
            raise serializers.ValidationError({"opened_to": [_("A period is at most a hundred years.")]})
        return attrs


class LabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not DRF's Field.label


class PanelSerializer(serializers.Serializer):
    panel = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField(help_text="What the figure counts, where it needs saying.")
    unit = serializers.CharField()
    k = serializers.IntegerField(help_text="No shown value counts fewer than k (except zero).")
    rounded_to = serializers.IntegerField(allow_null=True)
    rows = LabelSerializer(many=True)
    columns = LabelSerializer(many=True)
    cells = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(allow_null=True)),
        help_text="One list per row; null where a value is hidden.",
    )
    row_totals = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    column_totals = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    total = serializers.IntegerField(allow_null=True)
    hidden = serializers.IntegerField(help_text="How many values are hidden (small counts and their companions).")


class PanelListItemSerializer(serializers.Serializer):
    panel = serializers.CharField()
    title = serializers.CharField()


class PanelListSerializer(serializers.Serializer):
    panels = PanelListItemSerializer(many=True)


class PanelListApi(BaseAPIView):
    permission_classes = [REPORTERS]

    @extend_schema(operation_id="statistics_panels", responses={200: PanelListSerializer})
    def get(self, request: Request) -> Response:
        """The statistics panels there are: their names (for GET /statistics/{panel}) and titles."""
        panels = [{"panel": name, "title": str(panel.title)} for name, panel in PANELS.items()]
        return Response(PanelListSerializer({"panels": panels}).data)


class PanelApi(BaseAPIView):
    permission_classes = [REPORTERS]
    audit_type = "statistics"
    query_parameters = frozenset(PanelFilterSerializer().fields)

    @extend_schema(
        operation_id="statistics_panel", parameters=[PanelFilterSerializer], responses={200: PanelSerializer}
    )
    def get(self, request: Request, panel: str) -> Response:
        """One panel as a table of counts of consented cases (docs/statistics.md): every value from 1 to k-1
        hidden, and enough others hidden that none can be worked out from the totals. Written to the access log
        with its parameters."""
        chosen = PANELS.get(panel)
        if chosen is None:
            raise NotFound()
        params = PanelFilterSerializer(data=request.query_params)
        if not params.is_valid():
            raise Invalid(params.errors)
        values = params.validated_data
        user = _user(request)
        filters = Filters(
            organisation_id=user.organisation_id,
            opened_from=values.get("opened_from"),
            opened_to=values.get("opened_to"),
            team_id=values.get("team"),
            partner_id=values.get("partner"),
        )
        self.audit(
            [],
            action=Action.REPORT,
            detail=json.dumps({"panel": panel, **{key: str(value) for key, value in values.items()}}, sort_keys=True),
        )
        return Response(table(chosen, filters))
