"""No input, method or header produces a 500 or an HTML page (issue 13):
every route answers OPTIONS and HEAD, bodies that are too big, too deep or
malformed are refused before they can do harm, ids that are not UUIDs,
bogus cursors and page sizes answer 400/404, and client addresses come
from trusted proxies only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AccessLogEntry
from conftest import Cast
from ngo_cases.api.throttling import AnonThrottle, LoginThrottle
from ngo_cases.client_address import resolve_client_address, trusted_proxies

from .test_api_conventions import PROBLEM, assert_problem
from .test_permission_matrix import API_ROUTES, Route, _route_kwargs

pytestmark = pytest.mark.django_db

DATA_ROUTES = [r for r in API_ROUTES if r.name.startswith("api:") and r.name not in {"api:docs", "api:schema"}]


def _url(route: Route, cast: Cast) -> str:
    return reverse(route.name, kwargs=_route_kwargs(route, cast))


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.name)
def test_options_answers_every_route_without_data(
    route: Route, cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    url = _url(route, cast)
    for user in (None, cast.alice, cast.pat, cast.audrey):
        response = client_for(user).options(url)
        expected = {200} if route.name == "front" else {204, 401, 403, 404}  # the front page is Django's own view
        assert response.status_code in expected, (user, response.status_code, response.content[:200])
        if response.status_code in {200, 204}:
            assert response.content == b""
            allowed = set(response["Allow"].replace(" ", "").split(","))
            assert "OPTIONS" in allowed and allowed & {"GET", "POST", "PATCH", "PUT", "DELETE"}, allowed
        elif route.name != "front":
            assert response["Content-Type"] == PROBLEM


def test_options_of_the_login_route_answers_anonymous_callers(api: APIClient) -> None:
    response = api.options("/api/v1/auth/login")
    assert response.status_code == 204
    assert set(response["Allow"].replace(" ", "").split(",")) == {"POST", "OPTIONS"}


def test_options_writes_nothing_to_the_access_log(cast: Cast, client_for: Callable[[User | None], APIClient]) -> None:
    before = AccessLogEntry.objects.count()
    assert client_for(cast.alice).options("/api/v1/cases/").status_code == 204
    assert AccessLogEntry.objects.count() == before


@pytest.mark.parametrize("route", DATA_ROUTES, ids=lambda r: r.name)
def test_head_answers_like_get_without_a_body(
    route: Route, cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    url = _url(route, cast)
    client = client_for(cast.alice)
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code
    assert head.content == b""


NOT_IDS = {
    "panel"
}  # a statistics panel's name (a slug): an unknown one is a 404 to those who may ask (reporting/tests)


@pytest.mark.parametrize("route", [r for r in DATA_ROUTES if set(r.converters) - NOT_IDS], ids=lambda r: r.name)
def test_ids_that_are_not_uuids_answer_problem_404(
    route: Route, cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    kwargs = _route_kwargs(route, cast)
    good = reverse(route.name, kwargs=kwargs)
    for name, value in kwargs.items():
        if name in NOT_IDS:
            continue
        for bad in ("not-a-uuid", "1' OR '1'='1", "%00", "..%2F..%2Fetc"):
            url = good.replace(str(value), bad, 1)
            for method in ("GET", "POST", "PATCH", "DELETE"):
                response = client_for(cast.alice).generic(method, url, "{}", content_type="application/json")
                assert_problem(response, 404)


def _post(client: APIClient, url: str, body: str, content_type: str = "application/json") -> Any:
    return client.generic("POST", url, body, content_type=content_type)


def test_deep_nesting_is_refused_before_the_parser_recurses(
    cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    client = client_for(cast.alice)
    for depth in (33, 500, 2000, 100_000):
        for url in ("/api/v1/survivors/", "/api/v1/survivors/duplicates", "/api/v1/auth/login"):
            body = assert_problem(_post(client, url, "[" * depth + "]" * depth), 400)
            assert "nested" in body["detail"]


def test_oversize_bodies_answer_413_unread(
    cast: Cast, client_for: Callable[[User | None], APIClient], settings: Any
) -> None:
    settings.NGO_API_MAX_BODY_BYTES = 1000
    body = json.dumps({"given_name": "x" * 2000})
    response = _post(client_for(cast.alice), "/api/v1/survivors/", body)
    assert_problem(response, 413)
    assert response.json()["type"] == "urn:ngo-cases:problem:content-too-large"


@pytest.mark.parametrize(
    "text",
    ["nul\x00byte", "lone \ud800 surrogate", "\udfff"],
    ids=["nul", "high-surrogate", "low-surrogate"],
)
def test_text_postgresql_cannot_store_is_refused_in_every_field(
    text: str, cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    client = client_for(cast.alice)
    raw = json.dumps({"given_name": text, "aliases": [text], text: "key"}, ensure_ascii=True)
    assert_problem(_post(client, "/api/v1/survivors/", raw), 400)
    assert_problem(_post(client, "/api/v1/survivors/duplicates", raw), 400)


def test_odd_but_valid_text_never_breaks_a_write(cast: Cast, client_for: Callable[[User | None], APIClient]) -> None:
    client = client_for(cast.alice)
    for text in ("\u200f\u202eRTL override", "x" * 10_000, "emoji \U0001f600", "Ёлкина-Щукина"):
        response = client.post("/api/v1/survivors/", {"given_name": text, "gender": "Feminine"}, format="json")
        assert response.status_code in {201, 400}, response.content[:300]
        assert response.status_code == 201 or response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"a": NaN}', "application/json", 400),
        ("", "application/json", 400),
        ("given_name=x", "application/x-www-form-urlencoded", 415),
        ("given_name=x", "text/plain", 415),
        ('{"given_name": "x"}', "application/xml", 415),
        ("\xff\xfe", "application/json", 400),
    ],
)
def test_malformed_bodies_and_media_types(
    body: str, content_type: str, status: int, cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    assert_problem(_post(client_for(cast.alice), "/api/v1/survivors/", body, content_type), status)


@pytest.mark.parametrize("cursor", ["garbage", "cD0yMDI2", "%00", "=" * 40])
def test_a_cursor_the_server_did_not_make_is_400(
    cursor: str, cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    body = assert_problem(client_for(cast.alice).get("/api/v1/cases/", {"cursor": cursor}), 400)
    assert "cursor" in body["errors"]


@pytest.mark.parametrize("size", ["-1", "0", "abc", "1e23", "2.5", " 5", "٣", "9" * 30])
def test_page_size_that_is_not_a_positive_whole_number_is_400(
    size: str, cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    body = assert_problem(client_for(cast.alice).get("/api/v1/cases/", {"page_size": size}), 400)
    assert "page_size" in body["errors"]


def test_page_size_above_the_cap_gets_the_cap(cast: Cast, client_for: Callable[[User | None], APIClient]) -> None:
    assert client_for(cast.alice).get("/api/v1/cases/", {"page_size": "201"}).status_code == 200


@pytest.mark.parametrize("if_match", ["garbage", '"v"', '"v99999999999999999999"', 'W/"v1"', "\u00e9"])
def test_garbage_if_match_is_412(if_match: str, cast: Cast, client_for: Callable[[User | None], APIClient]) -> None:
    client = client_for(cast.alice)
    response = client.patch("/api/v1/me", {"language": "ru"}, format="json", HTTP_IF_MATCH=if_match)
    assert_problem(response, 412)


def test_html_is_never_the_answer_of_the_api(cast: Cast, client_for: Callable[[User | None], APIClient]) -> None:
    client = client_for(cast.alice)
    for url in ("/api/v1/cases/", "/api/v1/me", "/api/v1/cases/?format=api"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code in {200, 404, 406}
        assert "html" not in response["Content-Type"]
    assert_problem(client.get("/api/v2/cases/"), 404)
    assert_problem(client.get("/api/v2/cases/?status=Active"), 404)  # not a 400 for the query: nothing is here
    assert_problem(client.get("/api/v1/cases/not-a-uuid"), 404)


def test_unknown_api_paths_are_problem_json_even_with_debug(
    cast: Cast, client_for: Callable[[User | None], APIClient], settings: Any
) -> None:
    settings.DEBUG = True
    assert_problem(client_for(cast.alice).get("/api/v1/cases/not-a-uuid"), 404)
    assert_problem(client_for(None).post("/api/nowhere", {}, format="json"), 404)


# --- client addresses from trusted proxies only --------------------------------------------


def test_forwarded_for_is_ignored_without_trusted_proxies() -> None:
    assert resolve_client_address("203.0.113.9", "198.51.100.1", ()) == "203.0.113.9"


def test_forwarded_for_from_a_trusted_proxy_gives_the_right_most_untrusted_hop(settings: Any) -> None:
    settings.NGO_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    networks = trusted_proxies()
    # The client claimed 1.1.1.1; the proxy appended the address it saw.
    assert resolve_client_address("10.1.2.3", "1.1.1.1, 198.51.100.7", networks) == "198.51.100.7"
    assert resolve_client_address("10.1.2.3", "198.51.100.7, 10.9.9.9", networks) == "198.51.100.7"
    assert resolve_client_address("10.1.2.3", "garbage", networks) == "10.1.2.3"
    # A connection that is not from a proxy keeps its own address.
    assert resolve_client_address("203.0.113.9", "198.51.100.7", networks) == "203.0.113.9"


def test_spoofed_forwarded_for_does_not_escape_the_login_throttle(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.clear()
    monkeypatch.setattr(LoginThrottle, "rate", "3/minute", raising=False)
    statuses = [
        api.post(
            "/api/v1/auth/login",
            {"username": f"nobody{i}", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(6)
    ]
    cache.clear()
    assert statuses == [401, 401, 401, 429, 429, 429]


def test_access_log_records_the_connection_address_not_a_spoofed_header(
    cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    client = client_for(cast.alice)
    client.get("/api/v1/cases/", HTTP_X_FORWARDED_FOR="198.51.100.66", REMOTE_ADDR="203.0.113.5")
    entry = AccessLogEntry.objects.filter(object_type="case").latest("id")
    assert str(entry.ip) == "203.0.113.5"


def test_access_log_records_the_client_behind_a_trusted_proxy(
    cast: Cast, client_for: Callable[[User | None], APIClient], settings: Any
) -> None:
    settings.NGO_TRUSTED_PROXIES = ["127.0.0.1"]
    client = client_for(cast.alice)
    client.get("/api/v1/cases/", HTTP_X_FORWARDED_FOR="198.51.100.66", REMOTE_ADDR="127.0.0.1")
    entry = AccessLogEntry.objects.filter(object_type="case").latest("id")
    assert str(entry.ip) == "198.51.100.66"


def test_healthz_is_not_throttled(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.clear()
    monkeypatch.setattr(AnonThrottle, "rate", "2/hour", raising=False)
    statuses = {api.get("/healthz").status_code for _ in range(10)}
    # the same anonymous caller is throttled on the API (the public schema) after two requests
    schema = [api.get("/api/v1/schema/").status_code for _ in range(3)]
    cache.clear()
    assert statuses <= {200, 503}
    assert schema == [200, 200, 429]


@pytest.mark.parametrize("field", ["slug", "name"])
def test_text_fields_of_every_kind_refuse_numbers(
    field: str, cast: Cast, client_for: Callable[[User | None], APIClient]
) -> None:
    body: dict[str, Any] = {"name": "Shelter North", "slug": "shelter-north", "org_type": "Shelter", field: 0}
    response = client_for(cast.cora).post("/api/v1/organisations/", body, format="json")
    assert field in assert_problem(response, 400)["errors"]


UNREACHABLE_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def test_without_the_cache_the_api_works_and_sign_in_pauses(
    cast: Cast, client_for: Callable[[User | None], APIClient], api: APIClient, settings: Any
) -> None:
    """Redis down (the rate limits' counters): authenticated work goes on, unthrottled and logged; sign-in
    answers 503 with Retry-After instead of going unthrottled (the production drill stops Redis for real)."""
    as_alice = client_for(cast.alice)
    settings.CACHES = UNREACHABLE_REDIS
    assert as_alice.get("/api/v1/me").status_code == 200
    refused = api.post("/api/v1/auth/login", {"username": "alice", "password": "whatever"}, format="json")
    assert_problem(refused, 503)
    assert refused.json()["type"] == "urn:ngo-cases:problem:sign-in-unavailable"
    assert refused["Retry-After"] == "30"
