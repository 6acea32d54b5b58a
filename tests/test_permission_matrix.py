"""Walk every URL pattern x method x persona against tests/policy.py.

A route missing from the policy fails ``test_every_route_has_a_policy``; a
route whose behaviour differs from its policy fails its own case with the
full list of mismatches.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tests.factories import issue_token
from conftest import Cast

from .policy import (
    ADMIN_GRANT_MANAGERS,
    ADMIN_MODEL_ADDERS,
    ADMIN_MODEL_VIEWERS,
    ADMIN_SITE,
    ANON,
    API_POLICY,
    METHODS,
    PERSONAS,
    STAFF,
)


@dataclass(frozen=True)
class Route:
    name: str  # namespaced name, or the raw route for unnamed patterns
    converters: tuple[str, ...]
    callback: Any
    named: bool

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:") or self.name.startswith("admin/")


def _walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            converters: tuple[str, ...] = ()
            if isinstance(entry.pattern, RoutePattern):
                converters = tuple(entry.pattern.converters)
            else:
                converters = tuple(entry.pattern.regex.groupindex)
            name = f"{namespace}{entry.name}" if entry.name else prefix + str(entry.pattern)
            yield Route(name=name, converters=converters, callback=entry.callback, named=bool(entry.name))


ROUTES = sorted(_walk(get_resolver().url_patterns), key=lambda r: r.name)
API_ROUTES = [r for r in ROUTES if not r.is_admin]
ADMIN_ROUTES = [r for r in ROUTES if r.is_admin]


def test_every_route_has_a_policy() -> None:
    missing = [r.name for r in API_ROUTES if r.name not in API_POLICY]
    assert not missing, f"routes without an access policy in tests/policy.py: {missing}"
    stale = sorted(set(API_POLICY) - {r.name for r in API_ROUTES})
    assert not stale, f"policy rows for routes that no longer exist: {stale}"
    for route in ADMIN_ROUTES:
        assert _admin_expectation(route, "adam") is not None, f"admin route without a policy: {route.name}"


def _route_kwargs(route: Route, cast: Cast) -> dict[str, Any]:
    """Path parameters: objects owned by alice, so others must get 404."""
    values: dict[str, Any] = {}
    for name in route.converters:
        if name == "token_id":
            device = f"alice-phone-{uuid.uuid4()}"
            issue_token(cast.alice, device=device)
            values[name] = ApiToken.objects.get(user=cast.alice, device=device).public_id
        elif name == "notification_id":
            from notifications.services import notify

            key = f"matrix-{uuid.uuid4()}"
            notify(recipients=[cast.alice], kind="bulk_access", key=key, subject_user=cast.bob, params={"count": 3})
            values[name] = cast.alice.notifications.get(key=key).pk
        elif name == "attachment_id":
            values[name] = _alices_attachment(route, cast)
        elif name in ALICES_OBJECTS:
            values[name] = _alices_objects(cast)[name]
        elif name == "panel":
            values[name] = "gender"
        elif name == "export_id":
            values[name] = _a_ready_export(cast)
        elif name == "fmt":
            values[name] = "csv"
        elif name == "app_label":
            values[name] = "accounts"
        elif name in {"object_id", "id", "object_pk"}:
            values[name] = str(uuid.uuid4())
        elif name == "pk" or name == "content_type_id":  # django-otp device admin: integer keys
            values[name] = 999999
        elif name in {"user_id", "group_id"}:  # guardian's grant screens
            values[name] = cast.alice.pk if name == "user_id" else 1
        elif name == "url":
            values[name] = "no-such-page/"
        else:
            raise AssertionError(f"no test value for path parameter {name!r} of {route.name}: add one")
    return values


ALICES_OBJECTS = {
    "survivor_id",
    "case_id",
    "note_id",
    "consent_id",
    "milestone_id",
    "follow_up_id",
    "referral_id",
    "organisation_id",
    "contact_id",
    "service_id",
}


def _alices_objects(cast: Cast) -> dict[str, Any]:
    """A survivor and case alice opened in team A, with one of everything,
    and a referral of it sent to the partner shelter and assigned there to
    pat; the shelter's directory entries. Made once per test."""
    cached: dict[str, Any] | None = getattr(cast, "_alices_objects", None)
    if cached is None:
        from cases.models import Case
        from cases.tests.factories import make_case_with_everything
        from referrals.tests.factories import assign, make_directory_entries, make_sent

        cached = make_case_with_everything(cast.alice, cast.team_a)
        case = Case.objects.select_related("data_key").get(pk=cached["case_id"])
        referral = assign(make_sent(case, cast.partner_org, cast.alice), cast.pat, cast.petra)
        offered, contact = make_directory_entries(cast.partner_org, cast.cora)
        cached |= {
            "referral_id": referral.pk,
            "organisation_id": cast.partner_org.pk,
            "service_id": offered.pk,
            "contact_id": contact.pk,
        }
        cast._alices_objects = cached  # type: ignore[attr-defined]
    return cached


def _a_ready_export(cast: Cast) -> Any:
    """An anonymised export of the home NGO, built (with nothing to publish)."""
    from reporting.selectors import Filters
    from reporting.services import export_build, export_request

    export = export_request(requested_by=cast.sam, filters=Filters(organisation_id=cast.home.pk))
    export_build(export.pk)
    return export.pk


def _alices_attachment(route: Route, cast: Cast) -> Any:
    """An attachment of alice's survivor (survivor routes) or of her case (the others)."""
    from attachments.tests.factories import make_attachment
    from cases.models import Case

    case = Case.objects.select_related("data_key", "survivor__data_key").get(pk=_alices_objects(cast)["case_id"])
    on_case = not route.name.startswith("api:survivor-")
    attachment = make_attachment(by=cast.alice, survivor=case.survivor, case=case if on_case else None)
    if route.name.startswith("api:referral-"):
        from referrals.models import Referral

        referral = Referral.objects.get(pk=_alices_objects(cast)["referral_id"])
        referral.shared_attachments.add(attachment)
        if "documents" not in referral.shared_groups:
            Referral.objects.filter(pk=referral.pk).update(shared_groups=[*referral.shared_groups, "documents"])
    return attachment.pk


def _request(client: APIClient, method: str, url: str) -> int:
    response = client.generic(method, url, data="{}", content_type="application/json")
    return response.status_code


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.name)
def test_api_route_follows_policy(route: Route, cast: Cast, client_for: Callable[[Any], APIClient]) -> None:
    policy = API_POLICY[route.name]
    public = bool(policy.get("public"))
    methods: dict[str, dict[str, int]] = policy["methods"]  # type: ignore[assignment]
    mismatches = []
    for method in METHODS:
        for persona in PERSONAS:
            if method in methods:
                expected = methods[method][persona]
            elif persona == ANON and not public:
                expected = 401
            else:
                expected = 405
            kwargs = _route_kwargs(route, cast)
            url = reverse(route.name, kwargs=kwargs)
            user = None if persona == ANON else cast.persona(persona)
            got = _request(client_for(user), method, url)
            if got != expected:
                mismatches.append(f"{method} {persona}: expected {expected}, got {got}")
    assert not mismatches, f"{route.name}:\n" + "\n".join(mismatches)


def _admin_model(route: Route) -> tuple[str, str] | None:
    """'admin:accounts_user_changelist' -> ('accounts.user', 'changelist')."""
    name = route.name.removeprefix("admin:")
    for label in ADMIN_MODEL_VIEWERS:
        app, model = label.split(".")
        stem = f"{app}_{model}_"
        if name.startswith(stem):
            return label, name[len(stem) :]
    return None


def _admin_expectation(route: Route, persona: str) -> set[int] | None:
    """Expected GET statuses of an admin route for a persona (None: no policy)."""
    name = route.name.removeprefix("admin:")
    on_site = persona in ADMIN_SITE
    if name == "login":
        return {302} if on_site else {200}
    if name == "logout":
        return {405} if on_site else {302}  # GET never logs out (Django 5: POST only)
    if not on_site:
        return {302}  # everything else sends signed-out and non-admin roles to the login page
    model = _admin_model(route)
    if model is not None:
        label, view = model
        if view == "changelist":
            return {200} if persona in ADMIN_MODEL_VIEWERS[label] else {403}
        if view == "add":
            return {200} if persona in ADMIN_MODEL_ADDERS[label] else {403}
        if view in {"permissions", "permissions_manage_user", "permissions_manage_group"}:
            # guardian: a nonexistent case is 404 for grant managers; others go back to the index
            return {404} if persona in ADMIN_GRANT_MANAGERS else {302}
        if view == "export":  # the access log's CSV export: its viewers (who hold the export permission)
            return {200} if persona in ADMIN_MODEL_VIEWERS[label] else {403}
        if view in {"change", "history", "delete", "config", "qrcode", "mfa_reset"}:
            # A nonexistent object: viewers are told so (302/404), others refused.
            return {302, 403, 404}
        return None
    static = {
        "auth_user_password_change": {404} if persona in {"adam", "root"} else {403},  # Django's fixed name
        "index": {200},
        "account": {200},  # one's own account: preferences and two-factor enrolment
        "statistics": {200} if persona in {"sam", "adam"} else {403},  # the home NGO's admins and supervisors
        "statistics-export": {405} if persona in {"sam", "adam"} else {403},  # asked for by POST only
        "statistics-export-download": {200} if persona in {"sam", "adam"} else {403},  # a ready export's CSV
        "password_change": {200},
        "password_change_done": {200},
        "jsi18n": {200},
        "autocomplete": {403},  # no query parameters: refused
        "view_on_site": {404},  # nonexistent content type
        "app_list": {200} if persona in {"sam", "audrey", "adam", "root"} else {404},
    }
    if name in static:
        return static[name]
    if name.endswith("(?P<url>.*)$") or "<path:object_id>/" in name:
        return {302, 404}  # catch-all and legacy object URLs redirect or 404
    return None


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.name)
def test_admin_route_follows_policy(route: Route, cast: Cast) -> None:
    from django.test import Client

    mismatches = []
    for persona in PERSONAS:
        client = Client()
        if persona != ANON:
            client.force_login(cast.persona(persona))
        if route.named:
            url = reverse(route.name, kwargs=_route_kwargs(route, cast))
        elif "<path:object_id>" in route.name:  # admin's legacy object URL, unnamed
            url = "/" + route.name.replace("<path:object_id>", str(uuid.uuid4()))
        else:  # admin's unnamed catch-all
            url = "/admin/no-such-page/"
        expected = _admin_expectation(route, persona if persona != ANON else "anonymous")
        got = client.get(url).status_code
        if expected is None or got not in expected:
            mismatches.append(f"GET {persona}: expected {expected}, got {got}")
    assert not mismatches, f"{route.name}:\n" + "\n".join(mismatches)


def test_staff_personas_cover_every_role() -> None:
    from accounts.models import Role

    roles_in_cast = {
        "alice": Role.CASEWORKER,
        "sam": Role.SUPERVISOR,
        "cora": Role.COORDINATOR,
        "petra": Role.COORDINATOR,
    }
    roles_in_cast |= {"pat": Role.PARTNER_CASEWORKER, "audrey": Role.AUDITOR, "adam": Role.ADMIN}
    assert set(roles_in_cast.values()) == set(Role.values)
    assert set(roles_in_cast) <= set(STAFF)
