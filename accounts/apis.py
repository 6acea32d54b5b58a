"""Accounts endpoints: sign-in, tokens, MFA, and the caller's own profile."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import logout as session_logout
from django.db.models import QuerySet
from django.http import Http404
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from ngo_cases.api import serializers
from ngo_cases.api.authentication import ENROLLING_AUTHENTICATION, MfaSessionAuthentication, session_is_enrolling
from ngo_cases.api.base import BaseAPIView, ListMixin
from ngo_cases.api.base import request_user as _user
from ngo_cases.api.permissions import IsStaffMemberOrEnrolling, PublicRoute
from ngo_cases.api.throttling import LoginThrottle

from . import selectors, services
from .models import ApiToken, User
from .selectors import COLLEAGUE_ROLES
from .serializers import (
    LoginInputSerializer,
    LoginOutputSerializer,
    MeOutputSerializer,
    MeUpdateSerializer,
    MfaStatusOutputSerializer,
    OtpInputSerializer,
    RecoveryCodesOutputSerializer,
    TokenOutputSerializer,
    TotpEnrolmentOutputSerializer,
)


class LoginApi(BaseAPIView):
    """Exchange username, password (and `otp`) for a bearer token."""

    authentication_classes: list[Any] = []
    base_permission = PublicRoute
    throttle_classes = [LoginThrottle]
    atomic_request = False  # failure counters must commit with the error answer
    answers_401 = True

    @extend_schema(request=LoginInputSerializer, responses={200: LoginOutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.auth_login(request=request._request, **serializer.validated_data)
        return Response(LoginOutputSerializer(issued).data)


class CsrfTokenOutputSerializer(serializers.Serializer):
    csrf_token = serializers.CharField(help_text="Send it back in the X-CSRFToken header of session writes.")


@method_decorator(ensure_csrf_cookie, name="dispatch")
class CsrfTokenApi(BaseAPIView):
    """The CSRF token a browser client sends back (X-CSRFToken) with its session sign-in and writes."""

    authentication_classes: list[Any] = []
    base_permission = PublicRoute

    @extend_schema(responses={200: CsrfTokenOutputSerializer}, auth=[])
    def get(self, request: Request) -> Response:
        return Response(CsrfTokenOutputSerializer({"csrf_token": get_token(request._request)}).data)


class SessionLoginInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class SessionStateOutputSerializer(serializers.Serializer):
    signed_in = serializers.BooleanField()
    locked = serializers.BooleanField(help_text="The screen is locked: unlock with the password (POST /auth/unlock).")
    idle_timeout = serializers.IntegerField(
        help_text="Seconds without a request after which the server ends the session."
    )
    enrolling = serializers.BooleanField(
        help_text="Signed in with the password, but two-factor sign-in must be set up first (POST "
        "/auth/mfa/totp/begin): until then only the enrolment endpoints and sign-out answer."
    )


@method_decorator(csrf_protect, name="dispatch")
class SessionLoginApi(BaseAPIView):
    """Sign in to a browser session (the workspace): username, password and, where two-factor sign-in is on,
    `otp`. Needs the CSRF token (GET /auth/csrf) in X-CSRFToken. Answers you, like GET /me."""

    authentication_classes = [MfaSessionAuthentication]  # GET reads the session; POST makes one
    base_permission = PublicRoute
    atomic_request = False  # failure counters must commit with the error answer
    csrf_protected = True
    answers_401 = True

    def get_throttles(self) -> list[Any]:
        """The per-address sign-in limit on POST; the workspace asks GET on every load."""
        if self.request.method == "POST":
            return [LoginThrottle()]
        return [throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES]  # type: ignore[operator]

    @extend_schema(responses={200: SessionStateOutputSerializer})
    def get(self, request: Request) -> Response:
        """Whether this browser has a signed-in (and, where required, verified) session; never 401."""
        user = request.user
        signed_in = bool(user and user.is_authenticated and user.is_active and getattr(user, "role", ""))
        state = {
            "signed_in": signed_in,
            "locked": signed_in and services.session_is_locked(request._request),
            "idle_timeout": settings.NGO_SESSION_IDLE_TIMEOUT,
            "enrolling": not signed_in and session_is_enrolling(request._request),
        }
        return Response(SessionStateOutputSerializer(state).data)

    @extend_schema(request=SessionLoginInputSerializer, responses={200: MeOutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = SessionLoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.auth_session_login(request=request._request, **serializer.validated_data)
        return Response(MeOutputSerializer(user).data)


class UnlockInputSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


@method_decorator(csrf_protect, name="dispatch")
class SessionLockApi(BaseAPIView):
    """Lock this browser session at once: until the password is given again (POST /auth/unlock) the session can do
    nothing but unlock or sign out. For a session left open at a desk; tokens are revoked instead."""

    csrf_protected = True

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.session_lock(request=request._request, user=_user(request))
        return Response(status=204)


@method_decorator(csrf_protect, name="dispatch")
class SessionUnlockApi(BaseAPIView):
    """Unlock a locked browser session with the account's password. A wrong password counts as a failed sign-in;
    too many end the session."""

    atomic_request = False  # failure counters must commit with the error answer
    csrf_protected = True
    answers_401 = True

    def get_throttles(self) -> list[Any]:
        return [LoginThrottle()]

    @extend_schema(request=UnlockInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = UnlockInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_unlock(request=request._request, user=_user(request), **serializer.validated_data)
        return Response(status=204)


class LogoutApi(BaseAPIView):
    """Revoke the token (or end the session) this request was made with."""

    authentication_classes = ENROLLING_AUTHENTICATION
    base_permission = IsStaffMemberOrEnrolling

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            services.token_revoke(token=request.auth, acting_user=_user(request))
        else:
            session_logout(request._request)
        return Response(status=204)


class LogoutAllApi(BaseAPIView):
    """Sign out everywhere: revoke every token of the caller and end every browser session, on every device."""

    authentication_classes = ENROLLING_AUTHENTICATION
    base_permission = IsStaffMemberOrEnrolling

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.tokens_revoke_all(user=_user(request))
        if not isinstance(request.auth, ApiToken):
            session_logout(request._request)
        return Response(status=204)


class TokenListApi(ListMixin, BaseAPIView):
    """The caller's signed-in devices (their live tokens)."""

    serializer_class = TokenOutputSerializer
    output = TokenOutputSerializer
    schema_model = ApiToken
    ordering = ("-created", "digest")

    def scoped_queryset(self) -> QuerySet[ApiToken]:
        return selectors.token_list(fetched_by=_user(self.request))

    @extend_schema(responses={200: TokenOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return self.list_response(self.get_queryset())


class TokenRevokeApi(BaseAPIView):
    """Sign one device out."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, token_id: UUID) -> Response:
        token = selectors.token_list(fetched_by=_user(request)).filter(public_id=token_id).first()
        if token is None:
            raise Http404
        services.token_revoke(token=token, acting_user=_user(request))
        return Response(status=204)


class ColleagueOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.CharField()
    teams = serializers.ListField(child=serializers.UUIDField(), source="team_ids")


class ColleagueFilterSerializer(serializers.Serializer):
    role = serializers.ListField(child=serializers.ChoiceField(choices=COLLEAGUE_ROLES), required=False)
    team = serializers.UUIDField(required=False)


class ColleagueListApi(ListMixin, BaseAPIView):
    """The people of your organisation work can be assigned to (caseworkers, supervisors, coordinators, partner
    caseworkers), with their teams: for choosing an assignee. Filter by `role` and `team`."""

    schema_model = User
    ordering = ("username", "id")
    output = ColleagueOutputSerializer
    filters = ColleagueFilterSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.colleague_list(fetched_by=_user(self.request), filters=self.filter_values())

    @extend_schema(responses={200: ColleagueOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return self.list_response(self.get_queryset())


class MeApi(BaseAPIView):
    """The caller: organisation, teams, role, language and time zone."""

    @extend_schema(responses={200: MeOutputSerializer})
    def get(self, request: Request) -> Response:
        """You: organisation, teams, role, language, time zone and preferences."""
        me = selectors.user_me(fetched_by=_user(request))
        return self.detail_response(me, MeOutputSerializer(me).data)

    @extend_schema(request=MeUpdateSerializer, responses={200: MeOutputSerializer})
    def patch(self, request: Request) -> Response:
        """Change your language, time zone or email digest. Needs If-Match."""
        me = _user(request)
        expected = self.expected_version(me)
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.user_update_preferences(user=me, expected_version=expected, **serializer.validated_data)
        me = selectors.user_me(fetched_by=me)
        return self.detail_response(me, MeOutputSerializer(me).data)


class MfaStatusApi(BaseAPIView):
    authentication_classes = ENROLLING_AUTHENTICATION
    base_permission = IsStaffMemberOrEnrolling

    @extend_schema(responses={200: MfaStatusOutputSerializer})
    def get(self, request: Request) -> Response:
        """Whether two-factor sign-in is set up for you, and how many recovery codes are left."""
        user = _user(request)
        data = {
            "enrolled": services.user_has_mfa(user),
            "enforced": settings.NGO_MFA_REQUIRED,
            "recovery_codes_left": services.recovery_codes_left(user),
        }
        return Response(MfaStatusOutputSerializer(data).data)


class MfaTotpBeginApi(BaseAPIView):
    """Start authenticator enrolment: returns the secret and otpauth:// URI."""

    authentication_classes = ENROLLING_AUTHENTICATION
    base_permission = IsStaffMemberOrEnrolling

    @extend_schema(request=None, responses={200: TotpEnrolmentOutputSerializer})
    def post(self, request: Request) -> Response:
        enrolment = services.mfa_totp_begin(user=_user(request))
        return Response(TotpEnrolmentOutputSerializer(enrolment).data)


class MfaTotpConfirmApi(BaseAPIView):
    """Confirm the authenticator with a current code; returns recovery codes once."""

    authentication_classes = ENROLLING_AUTHENTICATION
    base_permission = IsStaffMemberOrEnrolling
    atomic_request = False  # the OTP failure throttle must commit with the error

    @extend_schema(request=OtpInputSerializer, responses={200: RecoveryCodesOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = OtpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _user(request)
        codes = services.mfa_totp_confirm(user=user, otp=serializer.validated_data["otp"])
        if not isinstance(request.auth, ApiToken):  # a browser session: verified from now on
            services.session_verify(request=request._request, user=user)
        return Response(RecoveryCodesOutputSerializer({"recovery_codes": codes}).data)


class MfaRecoveryCodesApi(BaseAPIView):
    """Replace the recovery codes (needs a current code)."""

    atomic_request = False

    @extend_schema(request=OtpInputSerializer, responses={200: RecoveryCodesOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = OtpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = services.mfa_recovery_codes_regenerate(user=_user(request), otp=serializer.validated_data["otp"])
        return Response(RecoveryCodesOutputSerializer({"recovery_codes": codes}).data)
