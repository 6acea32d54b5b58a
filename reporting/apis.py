"""Statistics over the API: the list of panels, and one panel as a
suppressed table. Administrators and supervisors of an organisation, over
that organisation's consented cases. Every panel run is written to the
access log with its parameters (never its values)."""

from __future__ import annotations

import itertools
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from attachments.apis import DownloadRenderer
from ngo_cases.access_log import Action
from ngo_cases.api import serializers
from ngo_cases.api.base import BaseAPIView, ListMixin
from ngo_cases.api.base import request_user as _user
from ngo_cases.api.base import valid_input as _valid
from ngo_cases.api.permissions import HomeRole
from ngo_cases.crypto.errors import KeyDestroyed
from ngo_cases.errors import Conflict, Invalid, NotFound

from . import selectors, services
from .models import AnonymisedExport, ExportFormat, ExportStatus
from .panels import PANELS, table
from .selectors import EARLIEST, LATEST, LONGEST_PERIOD_DAYS, Filters
from .services import citation

logger = logging.getLogger(__name__)

# The home NGO's administrators and supervisors (the bootstrap superuser has no organisation to count).
REPORTERS = HomeRole.of(Role.ADMIN, Role.SUPERVISOR)


_IN_RANGE = [MinValueValidator(EARLIEST), MaxValueValidator(LATEST)]


class PeriodSerializer(serializers.Serializer):
    opened_from = serializers.DateField(
        required=False, validators=_IN_RANGE, help_text="Cases opened on or after this day."
    )
    opened_to = serializers.DateField(
        required=False, validators=_IN_RANGE, help_text="Cases opened on or before this day."
    )
    team = serializers.UUIDField(required=False, help_text="Cases of this team only.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("opened_from"), attrs.get("opened_to")
        if start and end and start > end:
            raise serializers.ValidationError({"opened_to": [_("The period ends before it starts.")]})
        if start and end and (end - start).days > LONGEST_PERIOD_DAYS:
            raise serializers.ValidationError({"opened_to": [_("A period is at most a hundred years.")]})
        return attrs


class PanelFilterSerializer(PeriodSerializer):
    partner = serializers.UUIDField(required=False, help_text="Referral panels: referrals to this organisation only.")


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


# --- the anonymised export -----------------------------------------------------------------------

EXPORT_CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportSerializer(serializers.ModelSerializer):
    requested_by = serializers.UUIDField(source="requested_by_id", read_only=True)
    citation = serializers.SerializerMethodField(help_text="How to cite the export.")
    csv_url = serializers.SerializerMethodField(help_text="The records as CSV, once ready; null otherwise.")
    xlsx_url = serializers.SerializerMethodField(help_text="The records as XLSX, once ready; null otherwise.")

    class Meta:
        model = AnonymisedExport
        fields = [
            "id",
            "status",
            "requested_by",
            "requested_at",
            "expires_at",
            "parameters",
            "k",
            "records",
            "withheld",
            "generalisation",
            "citation",
            "csv_url",
            "xlsx_url",
        ]
        read_only_fields = fields

    def get_citation(self, export: AnonymisedExport) -> str:
        return citation(export)

    def _url(self, export: AnonymisedExport, fmt: str) -> str | None:
        if export.status != ExportStatus.READY:
            return None
        return reverse(f"api:statistics-export-{fmt}", kwargs={"export_id": export.pk})

    def get_csv_url(self, export: AnonymisedExport) -> str | None:
        return self._url(export, ExportFormat.CSV)

    def get_xlsx_url(self, export: AnonymisedExport) -> str | None:
        return self._url(export, ExportFormat.XLSX)


class ExportApi(BaseAPIView):
    permission_classes = [REPORTERS]
    schema_model = AnonymisedExport
    audit_type = "statistics"

    def organisation_id(self) -> Any:
        return _user(self.request).organisation_id


class ExportListApi(ListMixin, ExportApi):
    ordering = ("-requested_at", "id")
    output = ExportSerializer

    @extend_schema(
        operation_id="statistics_exports",
        description="The organisation's anonymised exports, newest first (expired ones stay listed, without files).",
        responses={200: ExportSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response(selectors.export_list(organisation_id=self.organisation_id()))

    @extend_schema(
        operation_id="statistics_export_create",
        description="Ask for an anonymised export of the organisation's consented cases (docs/statistics.md): one "
        "record per survivor in the CTDC format, k-anonymised on the quasi-identifiers. A worker prepares it; poll "
        "the export until its status is ready, then download csv_url or xlsx_url before it expires. Written to the "
        "access log with its parameters.",
        request=PeriodSerializer,
        responses={202: ExportSerializer},
    )
    def post(self, request: Request) -> Response:
        values = _valid(PeriodSerializer, request)
        filters = Filters(
            organisation_id=self.organisation_id(),
            opened_from=values.get("opened_from"),
            opened_to=values.get("opened_to"),
            team_id=values.get("team"),
        )
        export = services.export_request(requested_by=_user(request), filters=filters)
        detail = {"report": "anonymised-export", **export.parameters}
        self.audit([export.pk], action=Action.EXPORT, detail=json.dumps(detail, sort_keys=True))
        return Response(ExportSerializer(export).data, status=202)


class ExportDetailApi(ExportApi):
    @extend_schema(operation_id="statistics_export", responses={200: ExportSerializer})
    def get(self, request: Request, export_id: uuid.UUID) -> Response:
        """One export: its status, what it published, and its download links once ready."""
        export = selectors.export_get(organisation_id=self.organisation_id(), export_id=export_id)
        self.audit([export.pk])
        return Response(ExportSerializer(export).data)


class ExportFileApi(ExportApi):
    renderer_classes = [JSONRenderer, DownloadRenderer]
    answers_409 = True  # documented: not ready, failed or expired
    fmt: ClassVar[str]

    def get(self, request: Request, export_id: uuid.UUID) -> HttpResponseBase:
        export = selectors.export_get(organisation_id=self.organisation_id(), export_id=export_id)
        if export.status != ExportStatus.READY:
            raise Conflict(EXPORT_NOT_READY[ExportStatus(export.status)])
        self.audit([export.pk], action=Action.DOWNLOAD, detail=json.dumps({"format": self.fmt}))
        return export_download(export, self.fmt, body=request.method != "HEAD")


EXPORT_NOT_READY = {
    ExportStatus.PENDING: _("The export is still being prepared; try again in a moment."),
    ExportStatus.FAILED: _("The export failed; ask for a new one."),
    ExportStatus.EXPIRED: _("The export has expired and its files were deleted; ask for a new one."),
    ExportStatus.READY: "",
}


def _file_schema(fmt: str) -> Any:
    return extend_schema(
        operation_id=f"statistics_export_{fmt}",
        description=f"The export's records as {fmt.upper()}, decrypted as they stream; 409 unless the export is "
        "ready. Written to the access log.",
        responses={(200, EXPORT_CONTENT_TYPES[fmt].split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY)},
    )


class ExportCsvApi(ExportFileApi):
    fmt = ExportFormat.CSV

    @_file_schema(ExportFormat.CSV)
    def get(self, request: Request, export_id: uuid.UUID) -> HttpResponseBase:
        return super().get(request, export_id)


class ExportXlsxApi(ExportFileApi):
    fmt = ExportFormat.XLSX

    @_file_schema(ExportFormat.XLSX)
    def get(self, request: Request, export_id: uuid.UUID) -> HttpResponseBase:
        return super().get(request, export_id)


def export_download(export: AnonymisedExport, fmt: str, *, body: bool = True) -> HttpResponseBase:
    """The file as a streamed download (the API's and the dashboard's).
    Raises Conflict when the export expired after it was read as ready."""
    content_type = EXPORT_CONTENT_TYPES[fmt]
    response: HttpResponseBase
    if body:
        response = StreamingHttpResponse(_export_chunks(export, fmt), content_type=content_type)
    else:
        response = HttpResponse(content_type=content_type)
    response["Content-Length"] = str(export.csv_size if fmt == ExportFormat.CSV else export.xlsx_size)
    response["Content-Disposition"] = f'attachment; filename="anonymised-records-{export.requested_at:%Y-%m-%d}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export_chunks(export: AnonymisedExport, fmt: str) -> Iterator[bytes]:
    """The file's plaintext, its first chunk decrypted before the answer
    starts: an export that expired between being read as ready and being
    opened (beat destroyed its key or deleted its file) is a 409, not a 500."""
    try:
        chunks = selectors.export_plaintext(export, fmt)
        first = next(chunks, b"")
    except (FileNotFoundError, KeyDestroyed):
        logger.info("anonymised export %s expired while it was being downloaded", export.pk)
        raise Conflict(EXPORT_NOT_READY[ExportStatus.EXPIRED]) from None
    return itertools.chain((first,), chunks)
