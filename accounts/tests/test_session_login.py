"""Session sign-in for browser clients (the workspace): CSRF on, the same
lockout and second factor as the token sign-in, a verified session after."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.tests.factories import TEST_PASSWORD, UserFactory, issue_token
from accounts.tests.test_mfa import code_for, enrol
from audit.models import AccessLogEntry, Action

pytestmark = pytest.mark.django_db

SESSION = "/api/v1/auth/session"


def _browser() -> tuple[Client, str]:
    browser = Client(enforce_csrf_checks=True)
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    return browser, token


def _sign_in(browser: Client, token: str, **body: Any) -> Any:
    return browser.post(SESSION, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)


def test_sign_in_needs_the_csrf_token_and_opens_the_api_to_the_session() -> None:
    UserFactory.create(username="anna")
    browser, token = _browser()
    refused = browser.post(SESSION, {"username": "anna", "password": TEST_PASSWORD}, content_type="application/json")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert browser.get("/api/v1/me").status_code == 401
    signed_in = _sign_in(browser, token, username="anna", password=TEST_PASSWORD)
    assert signed_in.status_code == 200 and signed_in.json()["username"] == "anna"
    assert browser.cookies["sessionid"]["httponly"]
    assert browser.get("/api/v1/me").status_code == 200
    assert AccessLogEntry.objects.filter(action=Action.LOGIN, actor__username="anna").count() == 1
    # writes need the (rotated) CSRF token too
    fresh = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    logout = "/api/v1/auth/logout"
    assert browser.post(logout, content_type="application/json").status_code == 403
    assert browser.post(logout, content_type="application/json", HTTP_X_CSRFTOKEN=fresh).status_code == 204
    assert browser.get("/api/v1/me").status_code == 401


def test_wrong_passwords_and_unknown_users_get_the_same_answer() -> None:
    UserFactory.create(username="anna")
    browser, token = _browser()
    wrong = _sign_in(browser, token, username="anna", password="not the password")
    ghost = _sign_in(browser, token, username="ghost", password="not the password")
    assert wrong.status_code == ghost.status_code == 401
    assert wrong.json() == ghost.json()


def test_an_account_with_an_authenticator_needs_the_code(settings: Any, client_for: Any) -> None:
    anna = UserFactory.create(username="anna")
    enrol(client_for(anna), anna)
    settings.NGO_MFA_REQUIRED = True
    browser, token = _browser()
    asked = _sign_in(browser, token, username="anna", password=TEST_PASSWORD)
    assert asked.status_code == 401 and asked.json()["type"] == "urn:ngo-cases:problem:mfa-required"
    signed_in = _sign_in(browser, token, username="anna", password=TEST_PASSWORD, otp=code_for(anna, steps_ahead=1))
    assert signed_in.status_code == 200, signed_in.content
    assert browser.get("/api/v1/me").status_code == 200  # a verified session passes the MFA-required check


def test_without_an_authenticator_where_one_is_required_the_session_opens_enrolment_only(settings: Any) -> None:
    anna = UserFactory.create(username="anna")
    settings.NGO_MFA_REQUIRED = True
    browser, token = _browser()
    answer = _sign_in(browser, token, username="anna", password=TEST_PASSWORD)
    assert answer.status_code == 403
    assert answer.json()["type"] == "urn:ngo-cases:problem:mfa-enrolment-required"
    # the session opens enrolment and sign-out, nothing else
    assert browser.get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/cases/").status_code == 401
    assert browser.get(SESSION).json()["enrolling"] is True and browser.get(SESSION).json()["signed_in"] is False
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]  # signing in rotated it
    assert browser.get("/api/v1/auth/mfa/").json() == {"enrolled": False, "enforced": True, "recovery_codes_left": 0}
    begun = browser.post("/api/v1/auth/mfa/totp/begin", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert begun.status_code == 200, begun.content
    assert begun.json()["qr_code"].startswith("data:image/svg+xml")
    before = browser.cookies["sessionid"].value
    confirmed = browser.post(
        "/api/v1/auth/mfa/totp/confirm", {"otp": code_for(anna)}, "application/json", HTTP_X_CSRFTOKEN=token
    )
    assert confirmed.status_code == 200, confirmed.content
    assert len(confirmed.json()["recovery_codes"]) > 0
    # verified by the authenticator it just confirmed, under a new session key
    assert browser.cookies["sessionid"].value != before
    assert browser.get("/api/v1/me").status_code == 200
    assert browser.get(SESSION).json() | {"idle_timeout": 0} == {
        "signed_in": True,
        "locked": False,
        "enrolling": False,
        "idle_timeout": 0,
    }


def test_an_enrolling_session_ends_with_sign_out_and_is_not_one_once_mfa_is_not_required(settings: Any) -> None:
    UserFactory.create(username="anna")
    settings.NGO_MFA_REQUIRED = True
    browser, token = _browser()
    assert _sign_in(browser, token, username="anna", password=TEST_PASSWORD).status_code == 403
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    assert (
        browser.post("/api/v1/auth/logout", content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code == 204
    )
    assert browser.get(SESSION).json()["enrolling"] is False
    assert browser.get("/api/v1/auth/mfa/").status_code == 401


def test_a_bearer_token_is_not_a_session(client_for: Any) -> None:
    anna = UserFactory.create(username="anna")
    assert issue_token(anna)
    assert "sessionid" not in client_for(anna).get("/api/v1/me").cookies


def test_asking_whether_signed_in_is_not_held_to_the_sign_in_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.cache import cache

    from ngo_cases.api.throttling import LoginThrottle

    cache.clear()
    monkeypatch.setattr(LoginThrottle, "rate", "2/minute", raising=False)
    browser, token = _browser()
    states = [browser.get(SESSION).status_code for _ in range(5)]
    tries = [_sign_in(browser, token, username="ghost", password="wrong").status_code for _ in range(3)]
    cache.clear()
    assert states == [200] * 5
    assert tries == [401, 401, 429]
