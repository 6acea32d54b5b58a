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
    # directory and referrals
    "services", "urgency", "needs", "shared_groups", "override_reason", "decline_reason", "outcome", "notes",
    "withdraw_reason", "service", "started_on", "ended_on", "slug", "org_type", "region", "regions", "active",
    "position", "case", "direction", "awaiting", "q", "language",
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


def _fuzz_user() -> User:
    """A caseworker of the home NGO: reaches the case, referral and directory endpoints."""
    from accounts.tests.factories import home_organisation

    user = User.objects.filter(username="fuzz").first()
    if user is None:
        user = UserFactory.create(username="fuzz", organisation=home_organisation())
    return user


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
    user = _fuzz_user()
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
    user = _fuzz_user()
    _assert_clean(_client(user).generic("POST", reverse(route), data=raw, content_type="application/json"))  # type: ignore[arg-type]


@pytest.mark.django_db
@pytest.mark.parametrize("route", GET_ROUTES, ids=str)
@FUZZ
@given(params=st.dictionaries(st.sampled_from(KNOWN_FIELDS), st.text(max_size=50), max_size=3))
def test_random_query_strings_never_crash(route: str, params: dict[str, str]) -> None:
    user = _fuzz_user()
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
    from accounts.tests.factories import home_organisation
    from cases.tests.factories import make_case_with_everything

    user = User.objects.filter(username="fuzz-sup").first()
    if user is None:
        team = Team.objects.create(organisation=home_organisation(), name="Fuzz")
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


DIRECTORY_AND_REFERRAL_WRITES = [
    (name, method)
    for name, policy in API_POLICY.items()
    for method in policy["methods"]  # type: ignore[attr-defined]
    if method in {"POST", "PATCH", "DELETE"} and name.startswith(("api:referral-", "api:organisation-", "api:service-"))
]


def _referral_fixture() -> dict[str, Any]:
    """A home NGO with a coordinator and a supervisor, a partner with a
    coordinator, and objects of every kind: a draft and a sent referral,
    a service and a contact of the partner."""
    from accounts.models import Organisation, Role, Team
    from accounts.tests.factories import OrganisationFactory, home_organisation
    from cases.tests.factories import make_case
    from referrals.tests.factories import make_directory_entries, make_draft, make_sent

    home = home_organisation()
    supervisor = User.objects.filter(username="fuzz-ref-sup").first()
    if supervisor is None:
        team = Team.objects.create(organisation=home, name="Fuzz referrals")
        supervisor = UserFactory.create(username="fuzz-ref-sup", role=Role.SUPERVISOR, organisation=home, teams=[team])
        UserFactory.create(username="fuzz-ref-coord", role=Role.COORDINATOR, organisation=home)
        partner = OrganisationFactory.create(name="Fuzz partner")
        UserFactory.create(username="fuzz-partner-coord", role=Role.COORDINATOR, organisation=partner)
    partner = Organisation.objects.get(name="Fuzz partner")
    case = make_case(opened_by=supervisor, team=supervisor.teams.get())
    offered, contact = make_directory_entries(OrganisationFactory.create(), User.objects.get(username="fuzz-ref-coord"))
    return {
        "draft": make_draft(case, partner, supervisor),
        "sent": make_sent(case, partner, supervisor),
        "organisation_id": offered.organisation_id,
        "service_id": offered.pk,
        "contact_id": contact.pk,
        "offered": offered,
        "contact": contact,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), DIRECTORY_AND_REFERRAL_WRITES, ids=lambda v: str(v))
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(body=bodies)
def test_random_bodies_on_referrals_and_the_directory_never_crash(route: str, method: str, body: Any) -> None:
    """With the user who may do it and a current If-Match: every write of the
    directory and referral API either works or answers problem+json."""
    objects = _referral_fixture()
    params = _route_params(route)
    kwargs: dict[str, Any] = {k: v for k, v in objects.items() if k in params}
    version = 1
    if "referral_id" in params:
        # drafts are edited and sent by the sender; sent ones answered by the receiving desk
        referral = objects["draft"] if route in {"api:referral-detail", "api:referral-send"} else objects["sent"]
        kwargs["referral_id"] = referral.pk
        version = referral.version
        sender_side = route in {"api:referral-detail", "api:referral-send", "api:referral-withdraw"}
        user = User.objects.get(username="fuzz-ref-sup" if sender_side else "fuzz-partner-coord")
    elif route.startswith("api:referral-"):
        user = User.objects.get(username="fuzz-ref-sup")
    else:
        user = User.objects.get(username="fuzz-ref-coord")
    url = reverse(route, kwargs=kwargs)
    client = _client(user)
    _assert_clean(
        client.generic(method, url, data=_dump(body), content_type="application/json", HTTP_IF_MATCH=f'"v{version}"')
    )
