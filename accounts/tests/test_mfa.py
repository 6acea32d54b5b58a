"""TOTP multi-factor authentication: enrolment, enforcement, recovery codes."""

from __future__ import annotations

import binascii
import time

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import ApiToken, TokenScope, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory

LOGIN = "/api/v1/auth/login"

pytestmark = pytest.mark.django_db


def code_for(user: User, *, steps_ahead: int = 0) -> str:
    """The code of the current time step; with ``steps_ahead``, the code that
    many steps after the last one the device accepted — a fresh code however
    the clock moved since (counting from the wall clock failed when a 30 s
    step ended between two requests: two steps ahead is beyond the one step
    of drift a device accepts)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-id").first()
    assert device is not None
    totp = TOTP(binascii.unhexlify(device.key), device.step, device.t0, device.digits)
    if steps_ahead and device.last_t >= 0:
        totp.time = device.t0 + (device.last_t + steps_ahead) * device.step
    else:
        totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(api: APIClient, user: User) -> list[str]:
    """Enrol ``user`` through the API with a token already set on ``api``."""
    begun = api.post("/api/v1/auth/mfa/totp/begin")
    assert begun.status_code == 200, begun.content
    assert begun.json()["otpauth_uri"].startswith("otpauth://totp/")
    confirmed = api.post("/api/v1/auth/mfa/totp/confirm", {"otp": code_for(user)}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    codes: list[str] = confirmed.json()["recovery_codes"]
    return codes


@pytest.fixture
def mfa_required(settings):
    settings.NGO_MFA_REQUIRED = True


def test_mfa_required_first_login_gives_an_enrolment_only_token(api: APIClient, mfa_required: None) -> None:
    UserFactory.create(username="anna")
    body = api.post(LOGIN, {"username": "anna", "password": TEST_PASSWORD}, format="json").json()
    assert body["scope"] == TokenScope.MFA_ENROLMENT
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    refused = api.get("/api/v1/me")
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:ngo-cases:problem:mfa-enrolment-required"
    assert api.get("/api/v1/auth/mfa/").json() == {"enrolled": False, "enforced": True, "recovery_codes_left": 0}


def test_enrolment_then_login_needs_the_current_code(api: APIClient, mfa_required: None) -> None:
    user = UserFactory.create(username="anna")
    token = api.post(LOGIN, {"username": "anna", "password": TEST_PASSWORD}, format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    codes = enrol(api, user)
    assert len(codes) == len(set(codes)) == 10
    assert not ApiToken.objects.filter(user=user, scope=TokenScope.MFA_ENROLMENT).exists()

    api.credentials()
    missing = api.post(LOGIN, {"username": "anna", "password": TEST_PASSWORD}, format="json")
    assert missing.status_code == 401
    assert missing.json()["type"] == "urn:ngo-cases:problem:mfa-required"
    ok = api.post(
        LOGIN, {"username": "anna", "password": TEST_PASSWORD, "otp": code_for(user, steps_ahead=1)}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["scope"] == TokenScope.FULL


def test_enrolled_user_needs_otp_even_when_mfa_is_not_required(api: APIClient, client_for) -> None:
    user = UserFactory.create(username="anna")
    enrol(client_for(user), user)
    response = api.post(LOGIN, {"username": "anna", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 401
    assert response.json()["type"] == "urn:ngo-cases:problem:mfa-required"


def test_wrong_and_replayed_codes_are_refused_and_counted(api: APIClient, client_for) -> None:
    user = UserFactory.create(username="anna")
    enrol(client_for(user), user)
    good = code_for(user, steps_ahead=1)
    assert (
        api.post(LOGIN, {"username": "anna", "password": TEST_PASSWORD, "otp": good}, format="json").status_code == 200
    )
    replay = api.post(LOGIN, {"username": "anna", "password": TEST_PASSWORD, "otp": good}, format="json")
    assert replay.status_code == 401
    assert replay.json()["type"] == "urn:ngo-cases:problem:invalid-otp"
    assert AccessAttempt.objects.get(username="anna").failures_since_start == 1


def test_otp_failures_lead_to_lockout(api: APIClient, client_for, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    user = UserFactory.create(username="anna")
    enrol(client_for(user), user)
    for _ in range(2):
        api.post(LOGIN, {"username": "anna", "password": TEST_PASSWORD, "otp": "000000"}, format="json")
    locked = api.post(
        LOGIN, {"username": "anna", "password": TEST_PASSWORD, "otp": code_for(user, steps_ahead=1)}, format="json"
    )
    assert locked.status_code == 429


def test_recovery_code_signs_in_once_and_is_stored_hashed(api: APIClient, client_for) -> None:
    user = UserFactory.create(username="anna")
    codes = enrol(client_for(user), user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM otp_static_statictoken")
        stored = {row[0] for row in cursor.fetchall()}
    assert stored and not stored & {c.replace("-", "") for c in codes} and not stored & set(codes)

    payload = {"username": "anna", "password": TEST_PASSWORD, "otp": codes[0].upper()}
    assert api.post(LOGIN, payload, format="json").status_code == 200
    assert api.post(LOGIN, payload, format="json").status_code == 401


def test_regenerating_recovery_codes_invalidates_the_old_ones(client_for, api: APIClient) -> None:
    user = UserFactory.create(username="anna")
    client = client_for(user)
    old = enrol(client, user)
    response = client.post("/api/v1/auth/mfa/recovery-codes", {"otp": code_for(user, steps_ahead=1)}, format="json")
    assert response.status_code == 200
    new = response.json()["recovery_codes"]
    assert not set(old) & set(new)
    payload = {"username": "anna", "password": TEST_PASSWORD, "otp": old[0]}
    assert api.post(LOGIN, payload, format="json").status_code == 401


def test_second_enrolment_is_a_conflict(client_for) -> None:
    user = UserFactory.create(username="anna")
    client = client_for(user)
    enrol(client, user)
    response = client.post("/api/v1/auth/mfa/totp/begin")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"


def test_unverified_session_is_not_authenticated_when_mfa_required(mfa_required: None) -> None:
    user = UserFactory.create(username="anna")
    browser = Client()
    browser.force_login(user)
    assert browser.get("/api/v1/me").status_code == 401


def test_admin_asks_for_otp_when_mfa_required(mfa_required: None) -> None:
    assert 'name="otp_token"' in Client().get("/admin/login/").content.decode()


def test_admin_without_authenticator_is_sent_to_enrolment_when_mfa_required(mfa_required: None) -> None:
    user = UserFactory.create(username="adam", role="admin")
    browser = Client()
    browser.force_login(user)  # a password sign-in, no second factor yet
    response = browser.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert browser.get(response["Location"])["Location"] == "/admin/account/"
    page = browser.get("/admin/account/").content.decode()
    assert "Set up two-factor sign-in" in page
    assert "Save preferences" not in page  # the enrolment is all this session may do
    assert browser.get("/admin/accounts/user/").status_code == 302


def test_enrolment_token_opens_only_mfa_and_logout_routes(api: APIClient, mfa_required: None) -> None:
    UserFactory.create(username="anna")
    token = api.post(LOGIN, {"username": "anna", "password": TEST_PASSWORD}, format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/auth/tokens/").status_code == 403
    assert api.post("/api/v1/auth/mfa/recovery-codes", {"otp": "123456"}, format="json").status_code == 403
    assert api.get("/api/v1/auth/mfa/").status_code == 200
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/auth/mfa/").status_code == 401


def test_admin_resets_a_lost_authenticator_by_deleting_it(api: APIClient, client_for, mfa_required: None) -> None:
    user = UserFactory.create(username="anna")
    enrol(client_for(user), user)
    adam = UserFactory.create(username="adam", role="admin")
    admin = Client()
    admin.force_login(adam)
    device = TOTPDevice.objects.get(user=user)
    session = admin.session
    session["otp_device_id"] = TOTPDevice.objects.create(user=adam, name="a", confirmed=True).persistent_id
    session.save()
    assert admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").status_code == 200
    assert device.key not in admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    response = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    body = api.post(LOGIN, {"username": "anna", "password": TEST_PASSWORD}, format="json").json()
    assert body["scope"] == TokenScope.MFA_ENROLMENT
