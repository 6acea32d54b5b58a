"""OpenAPI schema and Swagger UI, behind the base API class like every
endpoint, and public (PublicRoute): the contract is no secret, and outside
clients read it before they can sign in. Swagger UI's assets come from
drf-spectacular-sidecar and are served by this service: no CDN; its start-up
script is a separate file (the split view), so the page needs no inline
script under the Content-Security-Policy. The schema's generator is
ngo_cases/api/openapi.py.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .base import ApiBase
from .permissions import PublicRoute


class SchemaApi(ApiBase, SpectacularAPIView):
    base_permission = PublicRoute
    query_parameters = frozenset({"format", "lang"})


class SwaggerUiApi(ApiBase, SpectacularSwaggerSplitView):
    base_permission = PublicRoute
    query_parameters = frozenset({"script"})


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ngo_cases.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Token from POST /api/v1/auth/login"}


class MfaSessionScheme(OpenApiAuthenticationExtension):
    target_class = "ngo_cases.api.authentication.MfaSessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class EnrolmentSessionScheme(OpenApiAuthenticationExtension):
    """The enrolment endpoints and sign-out: the same cookie, also while two-factor enrolment is pending."""

    target_class = "ngo_cases.api.authentication.EnrolmentSessionAuthentication"
    name = "enrolmentSessionAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "A browser session; here also one signed in with the password while two-factor "
            "sign-in must still be set up (POST /auth/session answered mfa-enrolment-required).",
        }
