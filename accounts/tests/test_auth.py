"""Sign-in, lockout, tokens (hashing, expiry, per-device revocation), argon2."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.tests.factories import TEST_PASSWORD, UserFactory

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/me"

pytestmark = pytest.mark.django_db


def login(client: APIClient, username: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password, **extra}, format="json")


def test_login_returns_a_bearer_token_that_opens_the_api(api: APIClient) -> None:
    user = UserFactory.create(username="anna")
    response = login(api, "anna", TEST_PASSWORD, device="Anna's laptop")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at", "scope"}
    assert body["scope"] == "full"
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = api.get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == str(user.pk)
    assert ApiToken.objects.get(user=user).device == "Anna's laptop"


def test_token_is_stored_only_as_a_digest(api: APIClient) -> None:
    UserFactory.create(username="anna")
    token = login(api, "anna", TEST_PASSWORD).json()["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])


def test_unknown_user_and_wrong_password_get_identical_answers(api: APIClient) -> None:
    UserFactory.create(username="anna")
    wrong_password = login(api, "anna", "not the password")
    unknown_user = login(api, "nobody-by-this-name", "not the password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert wrong_password["Content-Type"] == "application/problem+json"


def test_inactive_user_cannot_sign_in(api: APIClient) -> None:
    user = UserFactory.create(username="anna")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert login(api, "anna", TEST_PASSWORD).status_code == 401


def test_lockout_after_repeated_failures_even_with_the_right_password(api: APIClient, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory.create(username="anna")
    assert [login(api, "anna", "wrong").status_code for _ in range(3)] == [401, 401, 429]
    # The failures were committed despite the error answers (non-atomic view).
    assert AccessAttempt.objects.filter(username="anna").get().failures_since_start == 3
    locked = login(api, "anna", TEST_PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["type"] == "urn:ngo-cases:problem:locked-out"


def test_lockout_of_unknown_user_looks_the_same(api: APIClient, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory.create(username="anna")
    for username in ("anna", "ghost"):
        for _ in range(2):
            login(api, username, "wrong")
    assert login(api, "anna", "wrong").json() == login(api, "ghost", "wrong").json()


def test_admin_login_failures_lock_the_api_login_too(api: APIClient, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory.create(username="anna")
    browser = Client()
    for _ in range(3):
        browser.post("/admin/login/", {"username": "anna", "password": "wrong"})
    assert login(api, "anna", TEST_PASSWORD).status_code == 429


def test_success_resets_the_failure_count(api: APIClient, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory.create(username="anna")
    login(api, "anna", "wrong")
    login(api, "anna", "wrong")
    assert login(api, "anna", TEST_PASSWORD).status_code == 200
    login(api, "anna", "wrong")
    login(api, "anna", "wrong")
    assert login(api, "anna", TEST_PASSWORD).status_code == 200


def test_expired_token_is_refused(api: APIClient) -> None:
    UserFactory.create(username="anna")
    token = login(api, "anna", TEST_PASSWORD).json()["token"]
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_logout_revokes_only_this_device(api: APIClient) -> None:
    UserFactory.create(username="anna")
    laptop = login(api, "anna", TEST_PASSWORD, device="laptop").json()["token"]
    phone = login(api, "anna", TEST_PASSWORD, device="phone").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {laptop}")
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get(ME).status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {phone}")
    assert api.get(ME).status_code == 200


def test_logout_all_revokes_every_device(api: APIClient) -> None:
    UserFactory.create(username="anna")
    laptop = login(api, "anna", TEST_PASSWORD, device="laptop").json()["token"]
    phone = login(api, "anna", TEST_PASSWORD, device="phone").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {laptop}")
    assert api.post("/api/v1/auth/logout-all").status_code == 204
    for token in (laptop, phone):
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert api.get(ME).status_code == 401


def test_a_device_can_be_signed_out_from_another(api: APIClient) -> None:
    UserFactory.create(username="anna")
    laptop = login(api, "anna", TEST_PASSWORD, device="laptop").json()["token"]
    phone = login(api, "anna", TEST_PASSWORD, device="lost phone").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {laptop}")
    devices = api.get("/api/v1/auth/tokens/").json()["results"]
    assert {d["device"]: d["current"] for d in devices} == {"laptop": True, "lost phone": False}
    lost = next(d["id"] for d in devices if d["device"] == "lost phone")
    assert api.post(f"/api/v1/auth/tokens/{lost}/revoke").status_code == 204
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {phone}")
    assert api.get(ME).status_code == 401


def test_token_limit_per_user_drops_the_oldest_device(api: APIClient, settings) -> None:
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    UserFactory.create(username="anna")
    first = login(api, "anna", TEST_PASSWORD, device="first").json()["token"]
    login(api, "anna", TEST_PASSWORD, device="second")
    login(api, "anna", TEST_PASSWORD, device="third")
    assert set(ApiToken.objects.values_list("device", flat=True)) == {"second", "third"}
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {first}")
    assert api.get(ME).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer \u00e9\u00e9\u00e9", "Bearer " + "f" * 5000])
def test_malformed_authorization_headers_are_401(api: APIClient, header: str) -> None:
    response = api.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_production_hashes_passwords_with_argon2(settings) -> None:
    from ngo_cases.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = make_password("a long enough password")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("a long enough password", encoded)


def test_superuser_gets_an_admin_role() -> None:
    root = User.objects.create_superuser("root", "r@example.invalid", TEST_PASSWORD)
    assert root.role == "admin"
    assert root.organisation is None


def test_an_api_sign_in_makes_no_session_and_sets_no_cookie(api: APIClient) -> None:
    from django.contrib.sessions.models import Session

    UserFactory.create(username="anna")
    response = login(api, "anna", TEST_PASSWORD, device="phone")
    assert response.status_code == 200
    assert Session.objects.count() == 0
    assert "sessionid" not in response.cookies
