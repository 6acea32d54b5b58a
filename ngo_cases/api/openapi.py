"""The OpenAPI generator (DRF's DEFAULT_SCHEMA_CLASS).

``ApiSchema`` makes the schema tell the truth about what every route can
answer, from what the base API class knows about the view: the problem+json
errors (400 … 503), the ``If-Match`` request header where the view demands
one, and the ``ETag`` response header of single resources. It imports no
view module (DRF loads it while views are being defined).
"""

from __future__ import annotations

import inspect
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

from .permissions import PublicRoute

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error, as application/problem+json (RFC 9457). See docs/api.md for the `type` values.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "`about:blank` or `urn:ngo-cases:problem:<slug>`."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Validation errors: field name (dotted for nested fields) to messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}

ERRORS: dict[int, str] = {
    400: "The request is malformed or a value is invalid (`errors` names the fields).",
    401: "Not signed in, or the token expired or was revoked.",
    403: "Signed in, but this role may not do this (or two-factor enrolment comes first).",
    404: "No such object, or it is not visible to you: the two look the same.",
    409: "The object's state does not allow this now (e.g. an illegal transition, a missing consent).",
    412: "The If-Match ETag is stale: someone changed the object. Fetch it again and reapply.",
    413: "The request body is larger than the API accepts.",
    415: "The body is not application/json.",
    428: "If-Match is missing: send the ETag of the version you edit.",
    429: "Too many requests (Retry-After says when to try again), or the account is locked out.",
    503: "The access log could not be written, so nothing was shown or changed; or a dependency is down.",
}

IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": 'The ETag of the version you edit, as received (e.g. `"v3"`). Missing: 428. Stale: 412.',
    "schema": {"type": "string"},
}
ETAG_HEADER = {
    "ETag": {
        "description": "The version of this object; send it back in If-Match to change it.",
        "schema": {"type": "string"},
    }
}


class ApiSchema(AutoSchema):
    def get_description(self) -> str:  # type: ignore[override]
        """The handler's own docstring, else the view class's own (never one
        inherited from a base class: those describe the code, not the API)."""
        own = type(self.view).__dict__
        handler_doc = getattr(own.get(self.method.lower()), "__doc__", None)
        return inspect.cleandoc(handler_doc or own.get("__doc__") or "")

    def get_auth(self) -> list[dict[str, Any]]:
        """Public routes (PublicRoute, a named AllowAny) may be called without
        credentials: spectacular recognises only AllowAny itself."""
        auths = list(super().get_auth())
        public = any(isinstance(p, PublicRoute) for p in self.view.get_permissions())
        if public and {} not in auths:
            auths.append({})
        return auths

    def get_override_parameters(self) -> list[Any]:
        """A list's query parameters, from its ``filters`` serializer."""
        parameters = list(super().get_override_parameters())
        filters = getattr(self.view, "filters", None)
        if filters is not None and self.method == "GET":
            parameters.append(filters)
        return parameters

    def get_operation(self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any) -> Any:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or not hasattr(self.view, "if_match_methods"):
            return operation  # not one of ours (drf-spectacular's own views)
        registry.register_on_missing(
            ResolvedComponent(name="Problem", type=ResolvedComponent.SCHEMA, object="Problem", schema=PROBLEM_SCHEMA)
        )
        view: Any = self.view
        responses: dict[str, Any] = operation.setdefault("responses", {})
        is_list = hasattr(view, "list_response") and method == "GET"
        for code, response in responses.items():
            if code in {"200", "201"} and method in view.etag_methods and not is_list:
                response.setdefault("headers", {}).update(ETAG_HEADER)
        if method in view.if_match_methods:
            operation.setdefault("parameters", []).append(IF_MATCH)
        for status in sorted(self._error_codes(operation, method, view)):
            responses.setdefault(
                str(status),
                {
                    "description": ERRORS[status],
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                },
            )
        return operation

    @staticmethod
    def _error_codes(operation: dict[str, Any], method: str, view: Any) -> set[int]:
        public = all(isinstance(p, AllowAny) for p in view.get_permissions())
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        codes = {429} if getattr(view, "throttle_classes", None) else set()
        if has_body or any(p.get("in") == "query" for p in parameters) or method != "GET":
            codes.add(400)
        if not public or getattr(view, "answers_401", False):
            codes.add(401)  # not signed in; or, on the sign-in routes, wrong credentials
        if not public or getattr(view, "csrf_protected", False):
            codes |= {403}  # a role refused, or a missing CSRF token
        if any(p.get("in") == "path" for p in parameters) or (has_body and not public):
            codes.add(404)  # the object in the path, or one the body names, is not visible
        if has_body:
            codes |= {413, 415}
        if method in view.if_match_methods:
            codes |= {412, 428}
        if (method != "GET" and not public) or getattr(view, "answers_409", False):
            codes.add(409)  # a state that does not allow it; some reads too (an export not ready yet)
        if view.audit_type is not None or not view.atomic_request:
            codes.add(503)
        return codes
