"""SPEC section 6 conventions that every endpoint shares through the base class."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import URLPattern, get_resolver
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.tests.factories import UserFactory, issue_token
from ngo_cases.api.base import ApiBase, BaseAPIView
from ngo_cases.api.throttling import UserThrottle
from ngo_cases.errors import StaleVersion
from ngo_cases.versioning import versioned_update

ME = "/api/v1/me"
PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


@pytest.fixture
def anna(db: None) -> User:
    return UserFactory.create(username="anna")


@pytest.fixture
def as_anna(anna: User, client_for: Callable[[User], APIClient]) -> APIClient:
    return client_for(anna)


# --- problem+json for every kind of error ---------------------------------------


def test_401_without_credentials(api: APIClient, db: None) -> None:
    body = assert_problem(api.get(ME), 401)
    assert body["type"] == "about:blank"


def test_403_csrf_failure_on_session_write(anna: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(anna)
    assert_problem(browser.post("/api/v1/auth/logout"), 403)


def test_404_for_unknown_api_path_and_unknown_object(as_anna: APIClient) -> None:
    assert_problem(as_anna.get("/api/v1/no-such-thing"), 404)
    assert_problem(as_anna.post("/api/v1/auth/tokens/00000000-0000-0000-0000-000000000000/revoke"), 404)
    assert_problem(as_anna.get("/api/v1/auth/tokens/not-a-uuid/revoke"), 404)


def test_405_for_unsupported_method(as_anna: APIClient) -> None:
    assert_problem(as_anna.delete(ME), 405)


def test_400_validation_lists_errors_per_field(as_anna: APIClient, anna: User) -> None:
    etag = as_anna.get(ME)["ETag"]
    response = as_anna.patch(ME, {"language": "xx", "time_zone": "Mars/Olympus"}, format="json", HTTP_IF_MATCH=etag)
    body = assert_problem(response, 400)
    assert body["type"] == "urn:ngo-cases:problem:validation-error"
    assert set(body["errors"]) == {"language", "time_zone"}
    anna.refresh_from_db()
    assert (anna.language, anna.time_zone, anna.version) == ("en", "UTC", 1)


def test_400_for_malformed_json_and_415_for_other_media(as_anna: APIClient) -> None:
    etag = as_anna.get(ME)["ETag"]
    assert_problem(as_anna.generic("PATCH", ME, "{not json", content_type="application/json", HTTP_IF_MATCH=etag), 400)
    assert_problem(as_anna.generic("PATCH", ME, "language=ru", content_type="text/plain", HTTP_IF_MATCH=etag), 415)


def test_429_when_throttled(as_anna: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.clear()
    monkeypatch.setattr(UserThrottle, "rate", "2/minute", raising=False)
    as_anna.get(ME)
    as_anna.get(ME)
    response = as_anna.get(ME)
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    cache.clear()


def test_500_is_problem_json_without_internals(as_anna: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(**kwargs: Any) -> None:
        raise RuntimeError("secret internal detail CANARY-500")

    monkeypatch.setattr("accounts.selectors.user_me", crash)
    as_anna.raise_request_exception = False
    response = as_anna.get(ME)
    assert_problem(response, 500)
    assert b"CANARY-500" not in response.content


# --- headers --------------------------------------------------------------------


def test_authenticated_and_error_responses_are_not_stored(as_anna: APIClient, api: APIClient) -> None:
    assert as_anna.get(ME)["Cache-Control"] == "no-store"
    assert api.get(ME)["Cache-Control"] == "no-store"
    assert as_anna.get("/api/v1/nothing-here")["Cache-Control"] == "no-store"


# --- ETag / If-Match ------------------------------------------------------------


def test_patch_without_if_match_is_428_and_changes_nothing(as_anna: APIClient, anna: User) -> None:
    body = assert_problem(as_anna.patch(ME, {"language": "ru"}, format="json"), 428)
    assert body["type"] == "urn:ngo-cases:problem:precondition-required"
    assert_problem(as_anna.patch(ME, {"language": "ru"}, format="json", HTTP_IF_MATCH="*"), 428)
    anna.refresh_from_db()
    assert anna.language == "en"


def test_patch_with_stale_etag_is_412_and_changes_nothing(as_anna: APIClient, anna: User) -> None:
    stale = as_anna.get(ME)["ETag"]
    fresh = as_anna.patch(ME, {"time_zone": "Asia/Vladivostok"}, format="json", HTTP_IF_MATCH=stale)
    assert fresh.status_code == 200
    assert fresh["ETag"] != stale
    assert_problem(as_anna.patch(ME, {"language": "ru"}, format="json", HTTP_IF_MATCH=stale), 412)
    anna.refresh_from_db()
    assert (anna.language, anna.time_zone) == ("en", "Asia/Vladivostok")


def test_the_database_decides_between_two_writers_with_one_version(anna: User) -> None:
    first = User.objects.get(pk=anna.pk)
    second = User.objects.get(pk=anna.pk)
    versioned_update(first, expected=1, language="ru")
    with pytest.raises(StaleVersion):
        versioned_update(second, expected=1, time_zone="Asia/Tokyo")
    anna.refresh_from_db()
    assert (anna.language, anna.time_zone, anna.version) == ("ru", "UTC", 2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_with_one_etag_one_wins_the_rest_get_412() -> None:
    user = UserFactory.create(username="racer")
    tokens = [issue_token(user, device=f"d{i}") for i in range(4)]
    etag = APIClient(HTTP_AUTHORIZATION=f"Bearer {tokens[0]}").get(ME)["ETag"]
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []
    zones = ["Europe/Moscow", "Asia/Omsk", "Asia/Yakutsk", "Asia/Kamchatka"]

    def patch(token: str, zone: str) -> None:
        client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        try:
            statuses.append(client.patch(ME, {"time_zone": zone}, format="json", HTTP_IF_MATCH=etag).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=patch, args=(t, z)) for t, z in zip(tokens, zones, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412, 412, 412]
    user.refresh_from_db()
    assert user.version == 2
    assert user.time_zone in zones


# --- pagination -----------------------------------------------------------------


def test_page_size_is_capped_at_200_and_cursors_walk_everything(as_anna: APIClient, anna: User) -> None:
    for i in range(230):
        ApiToken.objects.create(user=anna, device=f"device {i}")
    first = as_anna.get("/api/v1/auth/tokens/?page_size=1000").json()
    assert set(first) == {"next", "previous", "results"}
    assert len(first["results"]) == 200
    second = as_anna.get(first["next"]).json()
    assert len(second["results"]) == 31  # 230 + the token this client uses
    ids = {t["id"] for t in first["results"]} | {t["id"] for t in second["results"]}
    assert len(ids) == 231
    assert len(as_anna.get("/api/v1/auth/tokens/").json()["results"]) == 50  # the default page
    assert "page_size" in assert_problem(as_anna.get("/api/v1/auth/tokens/?page_size=abc"), 400)["errors"]


def test_unknown_query_parameters_are_refused_on_every_endpoint(as_anna: APIClient, anna: User) -> None:
    """One layer (the base) refuses them: on lists, on single objects and on
    writes, which then change nothing."""
    assert assert_problem(as_anna.get("/api/v1/auth/tokens/?colour=red"), 400)["errors"] == {
        "colour": ["Unknown query parameter."]
    }
    assert "x" in assert_problem(as_anna.get(f"{ME}?x=1"), 400)["errors"]
    version = anna.version
    body = assert_problem(as_anna.patch(f"{ME}?lang=ru", {"language": "ru"}, HTTP_IF_MATCH=f'"v{version}"'), 400)
    assert "lang" in body["errors"]
    anna.refresh_from_db()
    assert (anna.language, anna.version) == ("en", version)
    assert as_anna.get("/api/v1/auth/tokens/?page_size=5").status_code == 200  # a list's paging is not unknown


def test_bad_cursor_is_a_problem_not_a_crash(as_anna: APIClient) -> None:
    assert "cursor" in assert_problem(as_anna.get("/api/v1/auth/tokens/?cursor=%%%garbage"), 400)["errors"]


# --- the base class is not optional ------------------------------------------------


def _views(patterns: list[Any]) -> list[Any]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLPattern):
            found.append(entry)
        else:
            found.extend(_views(entry.url_patterns))
    return found


def test_every_api_route_uses_the_base_api_class() -> None:
    offenders = []
    for entry in _views(get_resolver().url_patterns):
        route = str(entry.pattern)
        view_class = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
        is_api = entry.lookup_str.startswith(("accounts.apis", "cases.apis", "referrals.apis", "ngo_cases.api."))
        if is_api and not (view_class and issubclass(view_class, ApiBase)):
            offenders.append(route)
    assert not offenders, f"API routes not built on ngo_cases.api.base: {offenders}"


def test_subclasses_may_not_override_get_queryset() -> None:
    with pytest.raises(TypeError, match="get_queryset"):

        class Sneaky(BaseAPIView):
            def get_queryset(self):
                return User.objects.all()


def test_subclasses_may_not_override_get_permissions() -> None:
    with pytest.raises(TypeError, match="get_permissions"):

        class Sneaky(BaseAPIView):
            def get_permissions(self):
                return []


def test_the_permission_chain_adds_to_the_signed_in_staff_check() -> None:
    """A view's classes narrow IsStaffMember; only a named PublicRoute replaces it."""
    from ngo_cases.api.permissions import HasRole, IsStaffMember, PublicRoute

    class Narrow(BaseAPIView):
        permission_classes = [HasRole.of("auditor")]

    class Public(BaseAPIView):
        base_permission = PublicRoute

    first, second = (type(p) for p in Narrow().get_permissions())
    assert first is IsStaffMember and issubclass(second, HasRole)
    assert [type(p) for p in Public().get_permissions()] == [PublicRoute]
    assert [type(p) for p in BaseAPIView().get_permissions()] == [IsStaffMember]


def test_every_app_with_tests_is_collected() -> None:
    """A tests/ folder outside pytest's testpaths would never run in make test."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    testpaths = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    with_tests = {
        path.parent.parent.relative_to(root).parts[0]
        for path in root.glob("*/**/tests/__init__.py")
        if ".venv" not in path.parts and "var" not in path.parts
    }
    assert with_tests <= set(testpaths), sorted(with_tests - set(testpaths))
