"""The one base API class every endpoint inherits from.

It fixes, so that no endpoint can forget them:

* default-deny authentication (bearer token or OTP-verified session) and the
  ``IsStaffMember`` permission unless a view names a stricter/public one;
* the scoped queryset: views implement ``scoped_queryset()`` by calling a
  selector that takes the requesting user; they may not override
  ``get_queryset`` (checked when the class is created, as in PostHog);
* cursor pagination, throttling, problem+json errors (settings);
* ``Cache-Control: no-store`` and ``Vary`` on every response;
* the user's language and time zone for messages and dates;
* ETag on detail responses and ``If-Match`` on writes (``etag_response``,
  ``expected_version``);
* the access log: a data endpoint (``audit_type`` set) reports what it
  returns with ``self.audit(...)``; ``finalize_response`` writes one row
  per request inside the request's transaction. A data response with
  nothing reported is refused (fail closed), and a response whose log row
  cannot be written becomes a 503 and rolls the request back.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, generics, serializers, viewsets
from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass
from rest_framework.request import Request
from rest_framework.response import Response

from ngo_cases import access_log, user_locale
from ngo_cases.db import VersionedModel
from ngo_cases.errors import Invalid

from . import concurrency
from .errors import problem_body, problem_response
from .permissions import IsStaffMember

logger = logging.getLogger(__name__)

_FINAL_METHODS = ("get_queryset", "finalize_response", "initial", "get_permissions")


@dataclass(frozen=True)
class ObjectCheck:
    """How a view gets the object its URL names, before its handler runs (as
    sentry's ``convert_args``): the type's access helper, called as
    ``helper(user, id, action)`` (404 unseen or nonexistent, 403 seen but not
    allowed), the URL keyword holding the id, the action asked of safe
    methods (``read``) and of the others (``write``) unless ``actions`` names
    one for a method, and what the object adds to every access-log report of
    the request (its case, survivor, break-glass grant)."""

    helper: Callable[[Any, Any, Any], Any]
    kwarg: str
    read: Any
    write: Any
    report: Callable[[Any], dict[str, Any]] = field(default=lambda obj: {})
    actions: Mapping[str, Any] = field(default_factory=dict)

    def acting(self, **actions: Any) -> ObjectCheck:
        """The same check asking other actions of some methods: ``CASE.acting(POST=CaseAction.ASSIGN)``."""
        return replace(self, actions={**self.actions, **actions})

    def action_for(self, method: str) -> Any:
        method = "GET" if method == "HEAD" else method  # HEAD answers as GET does
        if method in self.actions:
            return self.actions[method]
        return self.read if method == "GET" else self.write


class ApiBase:
    """Mixin carrying the shared behaviour; use BaseAPIView or BaseViewSet."""

    # Who may call, checked in this order: ``base_permission`` (a signed-in
    # staff member, unless a route names PublicRoute or the enrolment check),
    # then each of the view's own ``permission_classes``, which narrow it.
    base_permission: ClassVar[type[BasePermission]] = IsStaffMember
    permission_classes: Sequence[_PermissionClass] = ()

    # Subclasses that list objects set ``ordering`` for cursor pagination.
    ordering: ClassVar[str | tuple[str, ...]] = "-created_at"
    # Every request runs in one database transaction (ATOMIC_REQUESTS). Only
    # views whose error answers must still commit a write (failure counters
    # of sign-in and OTP checks) or that must answer without the database
    # (health) set this to False.
    atomic_request: ClassVar[bool] = True

    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        view = super().as_view(*args, **kwargs)  # type: ignore[misc]
        if not cls.atomic_request:
            view = transaction.non_atomic_requests(view)
        return view

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("ngo_cases.api."):
            return
        for name in _FINAL_METHODS:
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__qualname__} overrides {name}(); the base API class owns it. "
                    "Implement scoped_queryset() with a selector instead."
                )

    # --- querysets -----------------------------------------------------------

    def scoped_queryset(self) -> QuerySet[Any]:
        """The objects the requesting user may see, from a selector: only
        views that serve a list implement it (the paginated list of
        ListMixin); one object is fetched through its access helper."""
        raise NotImplementedError(f"{type(self).__name__} serves no list: it has no scoped_queryset()")

    # The model the OpenAPI generator describes (it has no user to scope for).
    schema_model: ClassVar[type[Model] | None] = None
    # Methods that must send If-Match (428 without, 412 when stale) and
    # methods whose success answers carry an ETag. The schema documents both
    # from here, and expected_version()/etag_response() refuse to run for a
    # method not declared, so the schema cannot drift from the code.
    if_match_methods: ClassVar[frozenset[str]] = frozenset({"PATCH", "PUT", "DELETE"})
    etag_methods: ClassVar[frozenset[str]] = frozenset({"GET", "PATCH", "PUT", "POST"})
    # What this endpoint returns about survivors ("case", "note", ...): its
    # successful responses are written to the access log. None: no survivor data.
    audit_type: ClassVar[str | None] = None
    # What this response has shown so far (self.audit); one per request, as the view instance is.
    access_report: access_log.AccessReport | None = None
    # The object the URL names, fetched and checked by ``object_check`` before
    # the handler runs; the handler uses ``self.checked``.
    object_check: ClassVar[ObjectCheck | None] = None
    checked: Any = None

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False) and self.schema_model is not None:
            return self.schema_model._default_manager.none()
        return self.scoped_queryset()

    # --- request / response ----------------------------------------------------

    # The query parameters an endpoint takes besides a list's filters (ListMixin
    # adds those, ``cursor`` and ``page_size``). Any other parameter is a 400
    # on every endpoint: a misspelt filter never silently widens a list.
    query_parameters: ClassVar[frozenset[str]] = frozenset()

    def accepted_query_parameters(self) -> frozenset[str]:
        return self.query_parameters

    def _check_query_parameters(self, request: Request) -> None:
        unknown = set(request.query_params) - self.accepted_query_parameters()
        if unknown and request.method != "OPTIONS":
            raise Invalid({name: [_("Unknown query parameter.")] for name in sorted(unknown)})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self._check_query_parameters(request)
        access_log.set_actor(request.user)
        user_locale.activate_for(request, request.user)
        check = self.object_check
        if check is not None and request.method != "OPTIONS":
            object_id = self.kwargs[check.kwarg]  # type: ignore[attr-defined]
            self.checked = check.helper(request.user, object_id, check.action_for(request.method or "GET"))

    def recheck(self) -> Any:
        """The checked object fetched again, as reading it sees it (after a
        service changed it: new version, new annotations)."""
        check = self.object_check
        assert check is not None  # noqa: S101 - only views with an object_check call it
        request = self.request  # type: ignore[attr-defined]
        self.checked = check.helper(request.user, self.kwargs[check.kwarg], check.read)  # type: ignore[attr-defined]
        return self.checked

    def get_permissions(self) -> list[Any]:
        return [self.base_permission(), *(permission() for permission in self.permission_classes)]

    def check_permissions(self, request: Request) -> None:
        """A signed-in caller using a method the endpoint lacks gets 405
        whatever their role (a role check would otherwise answer 403 first)."""
        if request.user.is_authenticated and not hasattr(self, (request.method or "").lower()):
            raise exceptions.MethodNotAllowed(request.method or "")
        super().check_permissions(request)  # type: ignore[misc]

    # --- the access log -----------------------------------------------------------

    def audit(self, ids: Iterable[Any], **related: Any) -> None:
        """Report the objects this response shows (of ``audit_type``) and what
        they belong to (``AccessReport.add``: case_ids, survivor_ids, action,
        break_glass_grant_id, detail); may be called several times."""
        if self.checked is not None and self.object_check is not None:
            related = {**self.object_check.report(self.checked), **related}
        if self.access_report is None:
            self.access_report = access_log.AccessReport()
        self.access_report.add(ids, **related)

    def options(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """OPTIONS: the methods this route answers, in the ``Allow`` header.
        No body and no data, so nothing is written to the access log (and no
        renderer is involved, whatever the route renders)."""
        return HttpResponse(status=204)

    def _write_access_log(self, request: Request, response: Any) -> Any:
        report = self.access_report
        if self.audit_type is None or response.status_code >= 400 or request.method == "OPTIONS":
            return response
        if report is None:
            raise ImproperlyConfigured(f"{type(self).__name__} returned data without reporting it to the access log")
        # No savepoint: if the INSERT fails, the whole request is rolled back.
        try:
            access_log.record(
                action=report.action or ("read" if request.method in ("GET", "HEAD") else "write"),
                actor=request.user,
                object_type=self.audit_type,
                object_ids=report.ids,
                case_ids=report.case_ids,
                survivor_ids=report.survivor_ids,
                break_glass_grant_id=report.break_glass_grant_id,
                status_code=response.status_code,
                detail=report.detail,
                meta=access_log.request_meta(request),
            )
        except DatabaseError:
            logger.exception("access log not written; %s answered 503 and rolled back", self.audit_type)
            transaction.set_rollback(True)
            body = problem_body(503, detail=_("The access log could not be written; nothing was shown or changed."))
            return problem_response(503, body)
        return response

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = self._write_access_log(request, response)
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response["Cache-Control"] = "no-store"
        response["Content-Language"] = translation.get_language() or "en"
        patch_vary_headers(response, ("Authorization", "Accept-Language", "Cookie"))
        return response

    # --- concurrency -----------------------------------------------------------

    def detail_response(self, obj: VersionedModel, data: Any, status: int = 200, **related: Any) -> Response:
        """One object: reported to the access log (with what the checked
        object belongs to, and ``related``) and answered with its ETag."""
        if self.audit_type is not None:
            self.audit([obj.pk], **related)
        return self.etag_response(obj, data, status)

    def etag_response(self, obj: VersionedModel, data: Any, status: int = 200) -> Response:
        method = self.request.method  # type: ignore[attr-defined]
        if method not in self.etag_methods and method != "HEAD":
            raise ImproperlyConfigured(f"{type(self).__name__}: add {method} to etag_methods (the schema reads it)")
        return Response(data, status=status, headers={"ETag": concurrency.etag_for(obj)})

    def expected_version(self, obj: VersionedModel) -> int:
        method = self.request.method  # type: ignore[attr-defined]
        if method not in self.if_match_methods:
            raise ImproperlyConfigured(f"{type(self).__name__}: add {method} to if_match_methods (the schema reads it)")
        return concurrency.expected_version(self.request, obj)  # type: ignore[attr-defined]


class BaseAPIView(ApiBase, generics.GenericAPIView):
    """Base for endpoints written as explicit get/post/patch methods."""


class BaseViewSet(ApiBase, viewsets.GenericViewSet):
    """Base for resource viewsets (routers)."""


# --- helpers shared by the apps' views ---------------------------------------------


def request_user(request: Request) -> Any:
    """The signed-in user of a view whose permission classes have run."""
    from django.contrib.auth import get_user_model

    user = request.user
    assert isinstance(user, get_user_model())  # noqa: S101 - IsStaffMember has run
    return user


def valid_input(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@functools.cache
def _field_names(serializer_class: type[serializers.Serializer]) -> frozenset[str]:
    """A filter serializer's parameter names, built once per class (asked on every list request)."""
    return frozenset(serializer_class().fields)


class ListMixin:
    """Paginated list of ``scoped_queryset()`` rendered with ``output``; the
    page's ids go to the access log (``audit_row`` says which ids a row holds).

    ``filters`` names the serializer of the list's query parameters: the
    schema documents them from it (ngo_cases.api.openapi) and
    ``filter_values()`` validates them: a bad value is a 400, and so is an
    unknown parameter (the base refuses those on every endpoint). A ``ListField`` takes the parameter repeated
    (``?status=Active&status=FollowUp``)."""

    output: type[serializers.Serializer]
    filters: ClassVar[type[serializers.Serializer] | None] = None

    def accepted_query_parameters(self) -> frozenset[str]:
        filters = _field_names(self.filters) if self.filters is not None else frozenset()
        return super().accepted_query_parameters() | filters | {"cursor", "page_size"}  # type: ignore[misc]

    def filter_values(self) -> dict[str, Any]:
        """The filters, validated (unknown parameters were refused by the base)."""
        if self.filters is None:
            return {}
        params = self.request.query_params  # type: ignore[attr-defined]
        serializer = self.filters(data={})
        lists = {name for name, field in serializer.fields.items() if isinstance(field, serializers.ListField)}
        raw = {key: (params.getlist(key) if key in lists else params[key]) for key in params}
        serializer = self.filters(data={key: value for key, value in raw.items() if key in serializer.fields})
        if not serializer.is_valid():
            raise exceptions.ValidationError(serializer.errors)
        return dict(serializer.validated_data)

    def audit_row(self, row: Any) -> tuple[Any, Any, Any]:
        """(object id, case id, survivor id) of one row of the page."""
        return (row["id"] if isinstance(row, dict) else row.pk), None, None

    def page_rows(self, page: list[Any]) -> list[Any]:
        """The page's rows as ``output`` renders them; lists that add decrypted
        or computed values to their rows (one more query per page) say so here."""
        return page

    def list_response(self, queryset: QuerySet[Any]) -> Response:
        page = self.page_rows(self.paginate_queryset(queryset))  # type: ignore[attr-defined]
        if self.audit_type is not None:  # type: ignore[attr-defined]
            rows = [self.audit_row(row) for row in page]
            related = {
                "case_ids": [r[1] for r in rows if r[1] is not None],
                "survivor_ids": [r[2] for r in rows if r[2] is not None],
            }
            # sub-resources add their case's ids themselves (CaseObjectApi.audit)
            self.audit([r[0] for r in rows], **{k: v for k, v in related.items() if v})  # type: ignore[attr-defined]
        data = self.output(page, many=True, context=self.get_serializer_context()).data  # type: ignore[attr-defined]
        return self.get_paginated_response(data)  # type: ignore[attr-defined]
