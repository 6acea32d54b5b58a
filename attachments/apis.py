"""Attachments over the API, under the object they belong to: a survivor
(/survivors/{id}/attachments/), a case (/cases/{id}/attachments/) and, read
only, a referral that shares them (referrals/apis.py). The parent is checked
by its own access helper (``ObjectCheck``) before anything else; the
attachment is then looked up within it, so unseen and nonexistent are both
404. Uploads stream into the cipher (attachments/upload_handler.py);
downloads stream out of it.
"""

from __future__ import annotations

import logging
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from cases.apis import CASE, CASE_WORKERS, SURVIVOR
from ngo_cases.access_log import Action
from ngo_cases.api.base import BaseAPIView, ListMixin, ObjectCheck
from ngo_cases.api.base import request_user as _user
from ngo_cases.api.base import valid_input as _valid
from ngo_cases.crypto.errors import DecryptionFailed
from ngo_cases.errors import NotFound
from ngo_cases.uploads import CONTENT_TYPES

from . import selectors, services
from . import serializers as s
from .models import Attachment
from .upload_handler import EncryptingUploadHandler

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parent:
    """What attachments hang from: how the URL's object is checked, its route
    name, its attachments, one of them, and what a new one belongs to."""

    check: ObjectCheck
    route: str
    listing: Callable[[Any], QuerySet[Attachment]]
    one: Callable[[Any, uuid.UUID], Attachment]
    owner: Callable[[Any], dict[str, Any]] = lambda parent: {}
    upload: type[s.AttachmentUploadSerializer] = s.AttachmentUploadSerializer


SURVIVOR_PARENT = Parent(
    check=SURVIVOR,
    route="survivor",
    listing=lambda survivor: selectors.attachment_list_of_survivor(survivor=survivor),
    one=lambda survivor, pk: selectors.attachment_of_survivor(survivor=survivor, attachment_id=pk),
    owner=lambda survivor: {"survivor": survivor},
)
CASE_PARENT = Parent(
    check=CASE,
    route="case",
    listing=lambda case: selectors.attachment_list_of_case(case=case),
    one=lambda case, pk: selectors.attachment_of_case(case=case, attachment_id=pk),
    owner=lambda case: {"survivor": case.survivor, "case": case},
    upload=s.CaseAttachmentUploadSerializer,
)


class DownloadRenderer(JSONRenderer):
    """Lets a download be asked for with any Accept header (a file is what
    it is); errors still render as JSON problems."""

    media_type = "*/*"
    format = "download"


class AttachmentApi(BaseAPIView):
    permission_classes = [CASE_WORKERS]
    schema_model: ClassVar[type[Model] | None] = Attachment
    audit_type: ClassVar[str | None] = "attachment"
    parent: ClassVar[Parent]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        parent = getattr(cls, "parent", None)
        if parent is not None:
            cls.object_check = parent.check

    def attachment_data(self, attachment: Attachment) -> Any:
        return s.AttachmentSerializer(attachment, context=self.get_serializer_context()).data

    def download_url(self, attachment: Attachment) -> str:
        kwarg = self.parent.check.kwarg
        return reverse(
            f"api:{self.parent.route}-attachment-content",
            kwargs={kwarg: self.kwargs[kwarg], "attachment_id": attachment.pk},
        )


class AttachmentListApi(ListMixin, AttachmentApi):
    ordering = ("-created_at", "id")
    output = s.AttachmentSerializer

    def audit_row(self, row: Any) -> tuple[Any, Any, Any]:
        return row.pk, row.case_id, row.survivor_id

    @extend_schema(
        description="The attachments, newest first: metadata only (names decrypted for you); each has a "
        "download_url. Every listing is written to the access log.",
        responses={200: s.AttachmentSerializer(many=True)},
    )
    def get(self, request: Request, **kwargs: Any) -> Response:
        return self.list_response(self.parent.listing(self.checked))


class AttachmentUploadApi(AttachmentListApi):
    """The list, and uploads to it."""

    parser_classes = [MultiPartParser]

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        # Before anything reads the body (DRF's CSRF check does, for sessions).
        if request.method == "POST":
            request.upload_handlers = [EncryptingUploadHandler(request)]
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        description="Upload a file (multipart/form-data, the file in the part named `file`): PDF, JPEG, PNG or "
        "WebP up to the size limit (413 above it), its kind decided from its content. It is encrypted as it "
        "arrives; images are re-encoded without their metadata (EXIF, GPS). Needs the right to work on the parent.",
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer},
    )
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = _valid(self.parent.upload, request)
        staged = data.pop("file")
        note, milestone, follow_up = data.pop("note", None), data.pop("milestone", None), data.pop("follow_up", None)
        attachment = services.attachment_create(
            staged=staged,
            uploaded_by=_user(request),
            note_id=note,
            milestone_id=milestone,
            follow_up_id=follow_up,
            **self.parent.owner(self.checked),
            **data,
        )
        return self.detail_response(attachment, self.attachment_data(attachment), status=201)


class AttachmentDetailApi(AttachmentApi):
    @extend_schema(description="One attachment's metadata.", responses={200: s.AttachmentSerializer})
    def get(self, request: Request, attachment_id: uuid.UUID, **kwargs: Any) -> Response:
        attachment = self.parent.one(self.checked, attachment_id)
        return self.detail_response(attachment, self.attachment_data(attachment))


class AttachmentDeleteApi(AttachmentDetailApi):
    """One attachment, which may be deleted."""

    @extend_schema(
        description="Delete an attachment; send the ETag of your last read in If-Match. The stored file is "
        "deleted right after. Written to the access log.",
        responses={204: None},
    )
    def delete(self, request: Request, attachment_id: uuid.UUID, **kwargs: Any) -> Response:
        attachment = self.parent.one(self.checked, attachment_id)
        expected = self.expected_version(attachment)
        services.attachment_delete(attachment=attachment, acting_user=_user(request), expected_version=expected)
        self.audit([attachment.pk], action=Action.DELETE)
        return Response(status=204)


class AttachmentContentApi(AttachmentApi):
    renderer_classes = [JSONRenderer, DownloadRenderer]

    @extend_schema(
        description="The file, decrypted as it streams: always as a download (Content-Disposition: attachment), "
        "never cached or rendered by the browser. Written to the access log.",
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as its kind says.")
            for content_type in CONTENT_TYPES.values()
        },
    )
    def get(self, request: Request, attachment_id: uuid.UUID, **kwargs: Any) -> HttpResponseBase:
        attachment = self.parent.one(self.checked, attachment_id)
        self.audit([attachment.pk], action=Action.DOWNLOAD)
        return download_response(attachment, body=request.method != "HEAD")


def download_response(attachment: Attachment, *, body: bool = True) -> HttpResponseBase:
    """The file as a streamed download. The first chunk is decrypted before
    the answer starts, so a missing or damaged file is an error response;
    a chunk failing later ends the transfer short of Content-Length (the
    client sees a broken download, never a different file). HEAD gets the
    headers without decrypting anything."""
    if not body:
        return _download_headers(HttpResponse(content_type=attachment.content_type), attachment)
    try:
        chunks = selectors.attachment_plaintext(attachment)
        first = next(chunks)
    except FileNotFoundError:
        logger.error("attachment %s: its stored object is missing", attachment.pk)
        raise NotFound() from None
    except DecryptionFailed:
        logger.exception("attachment %s failed its integrity check", attachment.pk)
        raise

    def content() -> Iterator[bytes]:
        yield first
        try:
            yield from chunks
        except DecryptionFailed:
            logger.exception("attachment %s failed its integrity check while streaming", attachment.pk)
            raise

    return _download_headers(StreamingHttpResponse(content(), content_type=attachment.content_type), attachment)


def _download_headers(response: HttpResponseBase, attachment: Attachment) -> HttpResponseBase:
    response["Content-Length"] = str(attachment.size)
    quoted = urllib.parse.quote(attachment.name or "file", safe="")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{attachment.pk}.{attachment.file_kind}\"; filename*=UTF-8''{quoted}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# --- the routes ------------------------------------------------------------------------------


class SurvivorAttachmentListApi(AttachmentUploadApi):
    parent = SURVIVOR_PARENT


class SurvivorAttachmentDetailApi(AttachmentDeleteApi):
    parent = SURVIVOR_PARENT


class SurvivorAttachmentContentApi(AttachmentContentApi):
    parent = SURVIVOR_PARENT


class CaseAttachmentListApi(AttachmentUploadApi):
    parent = CASE_PARENT


class CaseAttachmentDetailApi(AttachmentDeleteApi):
    parent = CASE_PARENT


class CaseAttachmentContentApi(AttachmentContentApi):
    parent = CASE_PARENT


ROUTES: dict[str, tuple[type[BaseAPIView], ...]] = {
    "survivor": (SurvivorAttachmentListApi, SurvivorAttachmentDetailApi, SurvivorAttachmentContentApi),
    "case": (CaseAttachmentListApi, CaseAttachmentDetailApi, CaseAttachmentContentApi),
}
