"""/api/v1/notifications/: the caller's own notifications, unread count,
mark read. Every signed-in staff member has an inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ngo_cases.api import serializers
from ngo_cases.api.base import BaseAPIView, ListMixin
from ngo_cases.api.base import request_user as _user
from ngo_cases.api.base import valid_input as _valid

from . import selectors, services
from . import serializers as s
from .models import Notification


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.QueryBooleanField(required=False, help_text="true: only the unread ones.")


class NotificationListApi(ListMixin, BaseAPIView):
    """Your notifications, newest first; `?unread=true` gives only the unread ones. Texts hold a case or referral
    reference and a link, never personal data."""

    schema_model = Notification
    ordering = ("-created_at", "-id")
    output = s.NotificationSerializer

    filters = NotificationFilterSerializer

    def scoped_queryset(self) -> QuerySet[Notification]:
        return selectors.inbox(fetched_by=_user(self.request), unread=self.filter_values().get("unread", False))

    @extend_schema(responses={200: s.NotificationSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return self.list_response(self.get_queryset())


class UnreadCountApi(BaseAPIView):
    schema_model = Notification

    @extend_schema(responses={200: s.UnreadCountSerializer})
    def get(self, request: Request) -> Response:
        """How many of your notifications are unread."""
        return Response({"unread": selectors.unread_count(fetched_by=_user(request))})


class NotificationReadApi(BaseAPIView):
    schema_model = Notification

    @extend_schema(operation_id="notification_read", request=None, responses={200: s.NotificationSerializer})
    def post(self, request: Request, notification_id: int) -> Response:
        """Mark one notification read."""
        user = _user(request)
        if not selectors.inbox(fetched_by=user).filter(pk=notification_id).exists():
            raise NotFound()
        services.mark_read(recipient=user, notification_ids=[notification_id])
        notification = selectors.inbox(fetched_by=user).get(pk=notification_id)
        return Response(s.NotificationSerializer(notification).data)


class NotificationReadAllApi(BaseAPIView):
    schema_model = Notification

    @extend_schema(
        operation_id="notifications_read_all",
        request=s.MarkReadInputSerializer,
        responses={200: s.UnreadCountSerializer},
    )
    def post(self, request: Request) -> Response:
        """Mark notifications read: `{"ids": [...]}` marks those, `{}` all of yours."""
        data: dict[str, Any] = _valid(s.MarkReadInputSerializer, request)
        services.mark_read(recipient=_user(request), notification_ids=data.get("ids"))
        return Response({"unread": selectors.unread_count(fetched_by=_user(request))})
