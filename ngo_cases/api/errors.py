"""Every error the API gives is ``application/problem+json`` (RFC 9457).

``type`` is ``about:blank`` for plain HTTP errors (the title is then the
status phrase) and a ``urn:ngo-cases:problem:<slug>`` for ours, listed in
docs/api.md. Validation errors add ``errors``: field name (dotted for
nested fields) to a list of messages. Nothing here echoes input values, so
no personal data can reach a response, a log line or an error report.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework import exceptions, status
from rest_framework.response import Response

from ngo_cases import errors

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_PREFIX = "urn:ngo-cases:problem:"

_TITLES = {
    400: _("Bad Request"),
    401: _("Unauthorized"),
    403: _("Forbidden"),
    404: _("Not Found"),
    405: _("Method Not Allowed"),
    406: _("Not Acceptable"),
    409: _("Conflict"),
    412: _("Precondition Failed"),
    413: _("Content Too Large"),
    415: _("Unsupported Media Type"),
    428: _("Precondition Required"),
    429: _("Too Many Requests"),
    500: _("Internal Server Error"),
    503: _("Service Unavailable"),
}


class ProblemError(exceptions.APIException):
    """An API error with its own problem type. Subclass per kind of problem."""

    problem_type = "about:blank"
    title: Any = None

    def __init__(self, detail: Any = None, *, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.extra = dict(extra or {})


class PreconditionRequired(ProblemError):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    problem_type = PROBLEM_PREFIX + "precondition-required"
    title = _("Precondition Required")
    default_detail = _("Send the ETag of the version you edit in an If-Match header.")


class ContentTooLarge(ProblemError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    problem_type = PROBLEM_PREFIX + "content-too-large"
    title = _("Content Too Large")
    default_detail = _("The request body is larger than this endpoint accepts.")


# --- domain errors (ngo_cases.errors) as HTTP: the one place that maps them ---------------------

DOMAIN_STATUS: dict[type[errors.DomainError], int] = {
    errors.NotFound: status.HTTP_404_NOT_FOUND,
    errors.NotAllowed: status.HTTP_403_FORBIDDEN,
    errors.Invalid: status.HTTP_400_BAD_REQUEST,
    errors.Conflict: status.HTTP_409_CONFLICT,
    errors.StaleVersion: status.HTTP_412_PRECONDITION_FAILED,
    errors.TooLarge: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    errors.Unavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
    errors.InvalidCredentials: status.HTTP_401_UNAUTHORIZED,
    errors.MfaRequired: status.HTTP_401_UNAUTHORIZED,
    errors.InvalidOtp: status.HTTP_401_UNAUTHORIZED,
    errors.MfaEnrolmentRequired: status.HTTP_403_FORBIDDEN,
    errors.LockedOut: status.HTTP_429_TOO_MANY_REQUESTS,
    errors.SessionRequired: status.HTTP_400_BAD_REQUEST,
    errors.SignInUnavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def domain_status(error_class: type[errors.DomainError]) -> int:
    """The HTTP status of a domain error: its nearest mapped class."""
    for cls in error_class.__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return status.HTTP_500_INTERNAL_SERVER_ERROR


def problem_from_domain(error: errors.DomainError) -> exceptions.APIException:
    status_code = domain_status(type(error))
    if isinstance(error, errors.NotFound):
        return exceptions.NotFound(error.message)
    if isinstance(error, errors.NotAllowed):
        return exceptions.PermissionDenied(error.message)
    if isinstance(error, errors.Invalid) and error.errors:
        problem = ProblemError(error.default_message, extra={**error.extra, "errors": error.errors})
    else:
        problem = ProblemError(error.message, extra=error.extra)
    problem.status_code = status_code
    problem.problem_type = PROBLEM_PREFIX + error.code if error.code else "about:blank"
    problem.title = error.title
    problem.wait = getattr(error, "retry_after", None)  # type: ignore[attr-defined]
    return problem


def problem_body_of(error_class: type[errors.DomainError]) -> dict[str, Any]:
    """The problem+json body of a domain error with its default message
    (for answers given outside DRF, e.g. axes' lockout)."""
    return problem_body(
        domain_status(error_class),
        problem_type=PROBLEM_PREFIX + error_class.code,
        title=error_class.title,
        detail=error_class.default_message,
    )


def problem_body(
    status_code: int,
    *,
    detail: Any = None,
    problem_type: str = "about:blank",
    title: Any = None,
    instance: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type,
        "title": str(title or _TITLES.get(status_code, _("Error"))),
        "status": status_code,
        "detail": str(detail) if detail is not None else str(title or _TITLES.get(status_code, "")),
    }
    if instance:
        body["instance"] = instance
    if extra:
        # extension members never replace the standard ones (RFC 9457 3.1)
        body.update({key: value for key, value in extra.items() if key not in body})
    return body


def _flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure → {"field": [...], "items.0.name": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten_errors(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, (Mapping, list)) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}.{index}" if prefix else str(index)
                for k, v in _flatten_errors(item, name).items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def problem_response(status_code: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    response = Response(body, status=status_code, headers=dict(headers or {}))
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF exception handler: every handled error becomes problem+json."""
    if isinstance(exc, errors.DomainError):
        exc = problem_from_domain(exc)
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, DataError):
        # A value the database refuses (out of range, bad encoding) is the
        # client's error, never a 500. Serializers should catch these first;
        # the log names the view so the gap can be closed.
        view = context.get("view")
        logger.warning("DataError reached the API layer in %s", type(view).__name__)
        exc = problem_from_domain(errors.Invalid(_("A value is out of the accepted range or format.")))

    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's handler500 answers (problem+json too)

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]

    extra: dict[str, Any] = dict(getattr(exc, "extra", {}) or {})
    if isinstance(exc, ProblemError):
        problem_type, title = exc.problem_type, exc.title
    else:
        problem_type, title = "about:blank", None

    detail: Any = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        problem_type = PROBLEM_PREFIX + errors.Invalid.code
        title = errors.Invalid.title
        extra["errors"] = _flatten_errors(exc.detail)
        detail = errors.Invalid.default_message
    elif isinstance(detail, (list, dict)):
        extra["errors"] = _flatten_errors(detail)
        detail = None

    body = problem_body(exc.status_code, detail=detail, problem_type=problem_type, title=title, extra=extra)
    if getattr(context.get("view"), "atomic_request", True):
        # Undo the request's writes. Views running outside the request
        # transaction (sign-in) keep what they committed, e.g. failure counts.
        from rest_framework.views import set_rollback  # late: rest_framework.views imports our permissions

        set_rollback()
    return problem_response(exc.status_code, body, headers)


# --- Django-level handlers (outside DRF views: unmatched URLs, crashes) ------


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/healthz")


def _json_problem(status_code: int, request: HttpRequest, detail: Any = None) -> JsonResponse:
    response = JsonResponse(
        problem_body(status_code, detail=detail), status=status_code, content_type=PROBLEM_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json_problem(400, request)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json_problem(403, request)
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json_problem(404, request, _("No resource at this address, or it is not visible to you."))
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _json_problem(500, request, _("Something went wrong on our side. It has been logged."))
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _is_api(request):
        return _json_problem(403, request, _("CSRF verification failed."))
    return django_csrf_failure(request, reason)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """django-axes' answer to a locked-out login (admin and API alike)."""
    if _is_api(request):
        response = JsonResponse(problem_body_of(errors.LockedOut), status=429, content_type=PROBLEM_CONTENT_TYPE)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponse(str(errors.LockedOut.default_message), status=429, content_type="text/plain; charset=utf-8")


__all__ = [
    "ContentTooLarge",
    "PreconditionRequired",
    "ProblemError",
    "problem_exception_handler",
    "problem_from_domain",
]
