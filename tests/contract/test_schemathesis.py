"""schemathesis over the published OpenAPI schema, for every role.

The schema at /api/v1/schema/ is the contract: a response it does not
describe (status, content type, body shape) is a bug in one of them. Each
persona gets a bearer token, the objects of the permission matrix exist (so
that some generated requests reach real rows), and the schemathesis CLI
walks every operation against a live server with a fixed seed and budget.

Run with ``make test-contract``; ``make test`` leaves it out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.tests.factories import issue_token
from conftest import Cast

from ..test_permission_matrix import _alices_objects

pytestmark = [pytest.mark.contract, pytest.mark.django_db(transaction=True)]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)
# Signing out (or revoking a token, whose id schemathesis learns from the
# token list) would end the run's own token: these go last, alone.
SIGN_OUT = ["auth_logout_create", "auth_logout_all_create", "auth_tokens_revoke_create"]
# One schemathesis worker thread per run. Two threads raced in CPython 3.11's
# compiler (Hypothesis parses lambdas' source to describe filters, and
# concurrent ast.parse calls can fail with "SystemError: AST constructor
# recursion depth mismatch"): 1 run in 5 failed that way, CI included. With the
# personas already on two pytest-xdist processes, one thread each is as fast:
# 69 s against 71 s for two casework parts (docs/decisions.md, "schemathesis").
WORKERS = os.environ.get("NGO_CONTRACT_WORKERS", "1")
MAX_EXAMPLES = os.environ.get("NGO_CONTRACT_EXAMPLES", "8")
SEED = os.environ.get("NGO_CONTRACT_SEED", "20261129")
REPORT_DIR = Path(os.environ.get("NGO_CONTRACT_REPORTS", "var/schemathesis"))

# One persona per role (SPEC 1): caseworker, supervisor, coordinator (home
# desk and a partner's), partner caseworker, auditor, administrator. Every
# persona gets the examples, coverage (every boundary and every kind of
# invalid value of every parameter, ~3,600 requests) and fuzzing phases.
# ``make test-contract`` runs the personas on two pytest-xdist workers, each
# with its own live server and database (docs/decisions.md, "schemathesis").
PERSONAS = ["alice", "sam", "cora", "petra", "pat", "audrey", "adam"]
# Each persona's run in two parts of about equal length, so that the two
# workers stay busy to the end (seven whole runs left one worker idle for the
# last one): the case-work routes, and everything else.
CASEWORK = "^/api/v1/(cases|survivors|follow-ups)"
PARTS = ["casework", "rest"]
PHASES = os.environ.get("NGO_CONTRACT_PHASES", "examples,coverage,fuzzing")


def _schema_file(cast: Cast, tmp_path: Path) -> Path:
    client = Client()
    client.force_login(cast.adam)
    response = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    path = tmp_path / "openapi.json"
    path.write_bytes(response.content)
    return path


def _run(schema: Path, origin: str, token: str, report: str, *filters: str) -> subprocess.CompletedProcess[str]:
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        str(schema),
        "--url",
        origin,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--phases",
        PHASES,
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        WORKERS,
        "--no-color",
        "--suppress-health-check",
        "all",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-junit-path",
        str(REPORT_DIR / f"{report}.xml"),
        *filters,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
    # The whole output beside the JUnit report: a failure's message keeps only
    # the tail, and an internal error's traceback can be longer than that.
    (REPORT_DIR / f"{report}.log").write_text(result.stdout + result.stderr)
    return result


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_keeps_the_contract(
    persona: str, part: str, cast: Cast, live_server: Any, tmp_path: Path
) -> None:
    _alices_objects(cast)
    schema = _schema_file(cast, tmp_path)
    operations = {
        op["operationId"] for path in json.loads(schema.read_text())["paths"].values() for op in path.values()
    }
    assert set(SIGN_OUT) <= operations
    user = cast.persona(persona)
    if part == "casework":
        result = _run(schema, live_server.url, issue_token(user), f"{persona}-{part}", "--include-path-regex", CASEWORK)
        assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]
        return
    exclude = [arg for op in SIGN_OUT for arg in ("--exclude-operation-id", op)]
    result = _run(
        schema, live_server.url, issue_token(user), f"{persona}-{part}", "--exclude-path-regex", CASEWORK, *exclude
    )
    assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]
    include = [arg for op in SIGN_OUT for arg in ("--include-operation-id", op)]
    result = _run(schema, live_server.url, issue_token(user), f"{persona}-signout", *include)
    assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]
