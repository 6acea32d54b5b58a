"""URL map. Every route under /api/ and /healthz is a subclass of the base
API class and has a row in tests/policy.py (the permission matrix)."""

from django.contrib import admin
from django.urls import include, path

from accounts import apis as accounts_apis
from ngo_cases.api.health import HealthApi
from ngo_cases.api.schema import SchemaApi, SwaggerUiApi

api_v1 = [
    path("auth/login", accounts_apis.LoginApi.as_view(), name="auth-login"),
    path("auth/logout", accounts_apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/logout-all", accounts_apis.LogoutAllApi.as_view(), name="auth-logout-all"),
    path("auth/tokens/", accounts_apis.TokenListApi.as_view(), name="auth-token-list"),
    path("auth/tokens/<uuid:token_id>/revoke", accounts_apis.TokenRevokeApi.as_view(), name="auth-token-revoke"),
    path("auth/mfa/", accounts_apis.MfaStatusApi.as_view(), name="auth-mfa"),
    path("auth/mfa/totp/begin", accounts_apis.MfaTotpBeginApi.as_view(), name="auth-mfa-totp-begin"),
    path("auth/mfa/totp/confirm", accounts_apis.MfaTotpConfirmApi.as_view(), name="auth-mfa-totp-confirm"),
    path("auth/mfa/recovery-codes", accounts_apis.MfaRecoveryCodesApi.as_view(), name="auth-mfa-recovery-codes"),
    path("me", accounts_apis.MeApi.as_view(), name="me"),
    path("schema/", SchemaApi.as_view(), name="schema"),
    path("docs/", SwaggerUiApi.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("healthz", HealthApi.as_view(), name="healthz"),
    path("admin/", admin.site.urls),
]

handler400 = "ngo_cases.api.errors.handler400"
handler403 = "ngo_cases.api.errors.handler403"
handler404 = "ngo_cases.api.errors.handler404"
handler500 = "ngo_cases.api.errors.handler500"
