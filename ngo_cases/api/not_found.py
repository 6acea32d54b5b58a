"""Every address under /api/ that matches no route (a path id that is not a
UUID, a typo, another API version) answers a problem+json 404 through the
base API class — also with DEBUG on, where Django would draw its HTML page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ngo_cases.api.permissions import PublicRoute

from .base import BaseAPIView


@extend_schema(exclude=True)
class NotFoundApi(BaseAPIView):
    authentication_classes: list[Any] = []
    base_permission = PublicRoute

    def accepted_query_parameters(self) -> frozenset[str]:
        """Whatever is asked of an address that does not exist, the answer is 404."""
        return frozenset(self.request.query_params)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFound(_DETAIL)

    post = put = patch = delete = get

    def options(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotFound(_DETAIL)


_DETAIL = _("No resource at this address, or it is not visible to you.")
