"""``GET /healthz``: is the database and the broker reachable (and the virus scanner, when configured)?

Public and unauthenticated (load balancers, docker-compose healthchecks), so
it says only "ok" or "unavailable" per component: no versions, hostnames or
error text an attacker could use. Runs outside the request transaction so a
database outage is a 503, not a crash.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ngo_cases import virus_scan
from ngo_cases.api.permissions import PublicRoute
from ngo_cases.celery import app as celery_app

from .base import BaseAPIView

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 3


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure is "unavailable"; the reason goes to the log only
        logger.warning("healthz: database check failed", exc_info=True)
        return False


def broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            # Opening a channel proves the broker answers, not only the socket.
            conn.default_channel  # noqa: B018
        return True
    except Exception:
        logger.warning("healthz: broker check failed", exc_info=True)
        return False


class HealthApi(BaseAPIView):
    authentication_classes: list[Any] = []
    base_permission = PublicRoute
    # Monitors poll it every few seconds: never throttled like the API (each
    # call costs one SELECT 1 and one broker handshake, and reveals nothing).
    throttle_classes: list[Any] = []
    atomic_request = False

    @extend_schema(
        auth=[],
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.CharField(),
                    "checks": serializers.DictField(child=serializers.CharField()),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        """Whether the database and the broker answer: `ok` or `unavailable` for each, nothing more (503 unless
        both are ok). `virus_scan` says whether uploads are scanned: `off` (no scanner configured), `ok` or
        `unavailable` (uploads are then refused; the rest works). No authentication; never throttled.
        """
        checks = {
            "database": "ok" if database_ok() else "unavailable",
            "broker": "ok" if broker_ok() else "unavailable",
        }
        healthy = all(value == "ok" for value in checks.values())
        # Uploads fail closed without it, but everything else works: reported, not a reason for 503.
        checks["virus_scan"] = virus_scan.status()
        return Response(
            {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
        )
