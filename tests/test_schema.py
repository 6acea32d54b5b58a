"""The published OpenAPI schema describes what the API really does, in words
for its users (schemathesis checks the responses in tests/contract)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

INTERNAL = ("scoped_queryset", "Base of", "Base for", "subclass", "``", "audit_row")


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_every_operation_is_described_for_api_users(schema: dict[str, Any]) -> None:
    bad = [
        f"{method} {path}: {op.get('description', '')[:60]!r}"
        for method, path, op in _operations(schema)
        if not op.get("description") or any(word in op["description"] for word in INTERNAL)
    ]
    assert not bad, "\n".join(bad)


def test_errors_are_documented_where_they_occur(schema: dict[str, Any]) -> None:
    missing = []
    for method, path, op in _operations(schema):
        codes = set(op["responses"])
        wanted = {"401", "403"} if op.get("security") else set()
        if "requestBody" in op or method != "GET":
            wanted.add("400")
        if "{" in path:
            wanted.add("404")
        if "requestBody" in op:
            wanted |= {"413", "415"}
        if any(p["name"] == "If-Match" for p in op.get("parameters", [])):
            wanted |= {"412", "428"}
        if not wanted <= codes:
            missing.append(f"{method} {path}: {sorted(wanted - codes)}")
        for code in codes & {"400", "401", "403", "404", "409", "412", "413", "415", "428", "429", "503"}:
            content = op["responses"][code].get("content", {})
            assert "application/problem+json" in content, f"{method} {path} {code}"
    assert not missing, "\n".join(missing)


def test_writes_declare_if_match_and_reads_the_etag(schema: dict[str, Any]) -> None:
    ops = {(method, path): op for method, path, op in _operations(schema)}
    for key in [
        ("PATCH", "/api/v1/cases/{case_id}"),
        ("POST", "/api/v1/cases/{case_id}/close"),
        ("PATCH", "/api/v1/me"),
    ]:
        header = [p for p in ops[key].get("parameters", []) if p["name"] == "If-Match"]
        assert header and header[0]["required"] is True and header[0]["in"] == "header", key
    assert "ETag" in ops[("GET", "/api/v1/cases/{case_id}")]["responses"]["200"]["headers"]
    assert "ETag" not in ops[("GET", "/api/v1/cases/")]["responses"]["200"].get("headers", {})
    assert not [p for p in ops[("POST", "/api/v1/cases/")].get("parameters", []) if p["name"] == "If-Match"]


def test_public_routes_say_they_need_no_credentials(schema: dict[str, Any]) -> None:
    """Routes on PublicRoute list the empty requirement ({}), so clients (and
    schemathesis) know they answer without a sign-in; every other route does not."""
    public = {("GET", "/api/v1/auth/session"), ("POST", "/api/v1/auth/session"), ("GET", "/api/v1/auth/csrf")}
    public |= {("POST", "/api/v1/auth/login")}
    for method, path, op in _operations(schema):
        open_to_all = {} in op.get("security", [{}])
        assert open_to_all == ((method, path) in public or path in ("/healthz", "/api/v1/schema/")), (method, path)
