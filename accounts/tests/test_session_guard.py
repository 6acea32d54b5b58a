"""The browser session's guard (accounts.middleware.SessionGuardMiddleware):
idle sign-out decided by the server, the lock screen, and "sign out
everywhere" ending every session of the person."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.services import SESSION_SEEN_KEY
from accounts.tests.factories import TEST_PASSWORD, UserFactory, issue_token
from audit.models import AccessLogEntry, Action
from conftest import Cast

pytestmark = pytest.mark.django_db

SESSION = "/api/v1/auth/session"


def _signed_in(username: str = "anna") -> tuple[Client, str]:
    browser = Client(enforce_csrf_checks=True)
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    answer = browser.post(
        SESSION,
        {"username": username, "password": TEST_PASSWORD},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert answer.status_code == 200
    return browser, browser.get("/api/v1/auth/csrf").json()["csrf_token"]


def _post(browser: Client, path: str, csrf: str, body: Any = None) -> Any:
    return browser.post(path, body or {}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)


def _age_session(browser: Client, seconds: int) -> None:
    session = browser.session
    session[SESSION_SEEN_KEY] -= seconds
    session.save()


def test_the_session_state_tells_the_idle_time(settings: Any) -> None:
    settings.NGO_SESSION_IDLE_TIMEOUT = 600
    UserFactory.create(username="anna")
    browser, _csrf = _signed_in()
    assert browser.get(SESSION).json() == {"signed_in": True, "locked": False, "idle_timeout": 600, "enrolling": False}


def test_a_session_left_idle_is_ended_by_the_server_and_logged(settings: Any) -> None:
    settings.NGO_SESSION_IDLE_TIMEOUT = 600
    UserFactory.create(username="anna")
    browser, _csrf = _signed_in()
    assert browser.get("/api/v1/me").status_code == 200
    _age_session(browser, 599)
    assert browser.get("/api/v1/me").status_code == 200  # still within the time: and the clock restarts
    _age_session(browser, 601)
    assert browser.get("/api/v1/me").status_code == 401
    assert browser.get(SESSION).json()["signed_in"] is False
    assert AccessLogEntry.objects.filter(action=Action.SESSION_IDLE, actor__username="anna").count() == 1


def test_the_admin_session_is_idle_timed_too(settings: Any, cast: Cast) -> None:
    settings.NGO_SESSION_IDLE_TIMEOUT = 600
    browser = Client()
    browser.force_login(cast.adam)
    assert browser.get("/admin/").status_code == 200
    _age_session(browser, 601)
    assert browser.get("/admin/").status_code == 302  # to the sign-in page


def test_a_locked_session_can_only_unlock_or_sign_out() -> None:
    UserFactory.create(username="anna")
    browser, csrf = _signed_in()
    assert _post(browser, "/api/v1/auth/lock", csrf).status_code == 204
    assert browser.get(SESSION).json()["locked"] is True
    assert browser.get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/cases/").status_code == 401
    wrong = _post(browser, "/api/v1/auth/unlock", csrf, {"password": "not the password"})
    assert wrong.status_code == 401 and wrong.json()["type"] == "urn:ngo-cases:problem:invalid-credentials"
    assert browser.get("/api/v1/me").status_code == 401
    assert _post(browser, "/api/v1/auth/unlock", csrf, {"password": TEST_PASSWORD}).status_code == 204
    assert browser.get("/api/v1/me").status_code == 200
    actions = list(AccessLogEntry.objects.filter(actor__username="anna").values_list("action", flat=True))
    assert Action.SESSION_LOCKED in actions and Action.SESSION_UNLOCKED in actions
    assert Action.LOGIN_FAILED in actions  # the wrong password counted as a failed sign-in


def test_wrong_passwords_on_the_lock_screen_end_in_the_lockout(settings: Any) -> None:
    UserFactory.create(username="anna")
    browser, csrf = _signed_in()
    _post(browser, "/api/v1/auth/lock", csrf)
    answers = [
        _post(browser, "/api/v1/auth/unlock", csrf, {"password": f"wrong {n}"}).status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers[-1] == 429 and set(answers[:-1]) == {401}
    assert browser.get(SESSION).json()["signed_in"] is False  # the session ended with the lockout


def test_a_token_cannot_be_locked() -> None:
    anna = UserFactory.create(username="anna")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(anna)}")
    answer = api.post("/api/v1/auth/lock", content_type="application/json")
    assert answer.status_code == 400 and answer.json()["type"] == "urn:ngo-cases:problem:session-required"
    answer = api.post("/api/v1/auth/unlock", {"password": TEST_PASSWORD}, content_type="application/json")
    assert answer.status_code == 400


def test_sign_out_everywhere_ends_every_session_and_token() -> None:
    anna = UserFactory.create(username="anna")
    laptop, csrf = _signed_in()
    phone, _other = _signed_in()
    token = issue_token(anna)
    assert _post(laptop, "/api/v1/auth/logout-all", csrf).status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code == 401
    again, _csrf = _signed_in()  # signing in again works as before
    assert again.get("/api/v1/me").status_code == 200


def test_a_browser_session_changes_its_own_preferences() -> None:
    """PATCH /me through a session (the user is django-otp's lazy proxy there:
    this answered 500 until the versioned update stopped using type())."""
    UserFactory.create(username="anna")
    browser, csrf = _signed_in()
    me = browser.get("/api/v1/me")
    answer = browser.patch(
        "/api/v1/me",
        {"language": "ru"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
        HTTP_IF_MATCH=me["ETag"],
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["language"] == "ru"
