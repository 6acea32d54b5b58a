"""Bad input never gives a 500: random JSON (and non-JSON) bodies and query
strings against every route in the permission matrix, signed in."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory, issue_token

from .policy import API_POLICY

# Field names the endpoints know, so that generated objects reach validation
# of real fields and not only "unknown key" paths.
KNOWN_FIELDS = [
    "username", "password", "otp", "device", "language", "time_zone", "page_size", "cursor",
    # survivors, duplicates, cases and what hangs off them
    "given_names", "family_name", "aliases", "date_of_birth", "phone", "email", "identity_documents",
    "citizenships", "languages", "birth_year", "name", "document_number", "survivor", "team", "status",
    "risk_level", "exploitation_type", "exploitation_types", "assignee", "assignees", "opened_after", "summary",
    "body", "scope", "organisation", "given_by", "method", "given_at", "expires_at", "kind", "starts_on",
    "ends_on", "decision", "due_on", "description", "closure_reason", "reason", "when",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.sampled_from(["\x00", "ru", "en", "Europe/Moscow", "Анна Иванова", "😀" * 50, "a" * 5000, "-1", "1e309"]),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.one_of(st.sampled_from(KNOWN_FIELDS), st.text(max_size=20)), children, max_size=5)
    ),
    max_leaves=12,
)
bodies = st.dictionaries(st.sampled_from(KNOWN_FIELDS), json_values, max_size=5) | json_values


def _without_parameters(name: str) -> bool:
    """Routes with path parameters are covered by the permission matrix."""
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


WRITE_ROUTES = [
    (name, method)
    for name, policy in API_POLICY.items()
    for method in policy["methods"]  # type: ignore[attr-defined]
    if method in {"POST", "PATCH", "PUT"} and _without_parameters(name)
]
GET_ROUTES = [
    name
    for name, policy in API_POLICY.items()
    if "GET" in policy["methods"] and _without_parameters(name)  # type: ignore[operator]
]


def _client(user: User) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")


def _assert_clean(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"


FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), WRITE_ROUTES, ids=lambda v: str(v))
@FUZZ
@given(body=bodies)
def test_random_json_bodies_never_crash(route: str, method: str, body: Any) -> None:
    user = User.objects.filter(username="fuzz").first() or UserFactory.create(username="fuzz")
    client = _client(user)
    url = reverse(route)
    headers: dict[str, Any] = {}
    if method in {"PATCH", "PUT"}:
        headers["HTTP_IF_MATCH"] = client.get(url).get("ETag", "")
    _assert_clean(client.generic(method, url, data=_dump(body), content_type="application/json", **headers))


def _dump(body: Any) -> str:
    import json

    return json.dumps(body, allow_nan=True)


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r, _ in WRITE_ROUTES], ids=str)
@FUZZ
@given(raw=st.binary(max_size=500))
def test_random_bytes_never_crash(route: str, raw: bytes) -> None:
    user = User.objects.filter(username="fuzz").first() or UserFactory.create(username="fuzz")
    _assert_clean(_client(user).generic("POST", reverse(route), data=raw, content_type="application/json"))  # type: ignore[arg-type]


@pytest.mark.django_db
@pytest.mark.parametrize("route", GET_ROUTES, ids=str)
@FUZZ
@given(params=st.dictionaries(st.sampled_from(KNOWN_FIELDS), st.text(max_size=50), max_size=3))
def test_random_query_strings_never_crash(route: str, params: dict[str, str]) -> None:
    user = User.objects.filter(username="fuzz").first() or UserFactory.create(username="fuzz")
    _assert_clean(_client(user).get(reverse(route), params))


CASE_WRITES = [
    (name, method)
    for name, policy in API_POLICY.items()
    for method in policy["methods"]  # type: ignore[attr-defined]
    if method in {"POST", "PATCH"} and name.startswith(("api:case-", "api:survivor-detail"))
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), CASE_WRITES, ids=lambda v: str(v))
@FUZZ
@given(body=bodies)
def test_random_bodies_on_a_case_never_crash(route: str, method: str, body: Any) -> None:
    """On the fuzzer's own case, with a current If-Match: every write of the
    case API either works or answers problem+json."""
    from accounts.models import Role, Team
    from accounts.tests.factories import OrganisationFactory
    from cases.tests.factories import make_case_with_everything

    user = User.objects.filter(username="fuzz-sup").first()
    if user is None:
        team = Team.objects.create(organisation=OrganisationFactory.create(), name="Fuzz")
        user = UserFactory.create(
            username="fuzz-sup", role=Role.SUPERVISOR, organisation=team.organisation, teams=[team]
        )
    objects = make_case_with_everything(user, user.teams.get())
    client = _client(user)
    url = reverse(route, kwargs={k: v for k, v in objects.items() if k in _route_params(route)})
    etag = '"v1"'  # every object was just made: version 1
    _assert_clean(client.generic(method, url, data=_dump(body), content_type="application/json", HTTP_IF_MATCH=etag))


def _route_params(route: str) -> set[str]:
    from django.urls import get_resolver

    for pattern in get_resolver().url_patterns:
        for inner in getattr(pattern, "url_patterns", []):
            if f"api:{getattr(inner, 'name', '')}" == route:
                return set(inner.pattern.converters)
    return set()
