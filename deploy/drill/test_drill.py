"""The production drill (issue 15): gunicorn on production settings, one
Celery worker and one beat, the two database roles — checked from outside,
then made to fail. Each fault drill prints its figure.

Run with ``make drill`` (docs/operations.md, "The production drill").
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections import Counter
from typing import Any

import psycopg
import pytest
import requests
from psycopg import errors
from stack import APP, OWNER, PG, Stack

from conftest import Client

pytestmark = pytest.mark.drill
CANARY = "Drill-CANARY-Gulnara"


def _me(caseworker: Client) -> dict[str, Any]:
    me = caseworker.get("/api/v1/me")
    assert me.status_code == 200, me.text
    body: dict[str, Any] = me.json()
    return body


def _new_case(caseworker: Client, given: str = CANARY) -> tuple[dict[str, Any], dict[str, Any]]:
    survivor = caseworker.post("/api/v1/survivors/", json={"given_names": given, "family_name": "Drill"})
    assert survivor.status_code == 201, survivor.text
    team = _me(caseworker)["teams"][0]["id"]
    case = caseworker.post("/api/v1/cases/", json={"survivor": survivor.json()["id"], "team": team})
    assert case.status_code == 201, case.text
    return survivor.json(), case.json()


def _row_counts(stack: Stack) -> Counter[str]:
    """Rows of every table the service writes (the beat's own bookkeeping aside)."""
    counts: Counter[str] = Counter()
    with stack.connect(OWNER) as owner:
        tables = owner.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'keystore') "
            "AND tablename NOT LIKE 'django_celery_beat%%' AND tablename NOT IN ('django_session')"
        ).fetchall()
        for schema, table in tables:
            row = owner.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()
            counts[f"{schema}.{table}"] = row[0] if row else 0
    return counts


# --- the service as production runs it --------------------------------------------------------


def test_healthz_answers_over_plain_http(stack: Stack) -> None:
    answer = requests.get(f"{stack.origin}/healthz", timeout=10)
    assert answer.status_code == 200, answer.text


def test_without_the_proxys_header_every_page_redirects_to_https(stack: Stack) -> None:
    answer = requests.get(
        f"{stack.origin}/api/v1/me", headers={"Host": "cases.drill.test"}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://cases.drill.test/api/v1/me"


def test_an_unknown_host_is_refused(stack: Stack) -> None:
    answer = requests.get(
        f"{stack.origin}/api/v1/me", headers={"Host": "evil.example", "X-Forwarded-Proto": "https"}, timeout=10
    )
    assert answer.status_code == 400


def test_sign_in_needs_the_second_factor_and_then_works(caseworker: Client) -> None:
    assert _me(caseworker)["username"] == "dana"


def test_a_survivor_and_a_case_are_written_encrypted_and_read_back(stack: Stack, caseworker: Client) -> None:
    survivor, case = _new_case(caseworker)
    read = caseworker.get(f"/api/v1/survivors/{survivor['id']}")
    assert read.status_code == 200 and read.json()["given_names"] == CANARY
    opened = caseworker.get(f"/api/v1/cases/{case['id']}")
    assert opened.status_code == 200 and opened.json()["survivor"] == survivor["id"]
    with stack.connect(OWNER) as owner:
        dump = owner.execute("SELECT row_to_json(s)::text FROM cases_survivor s").fetchall()
    assert dump and not any(CANARY in row[0] for row in dump)  # only ciphertext in the table


def test_the_admins_static_files_are_served_by_whitenoise(caseworker: Client) -> None:
    page = caseworker.get("/admin/login/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet, "no hashed admin stylesheet (collectstatic's manifest) on the login page"
    answer = caseworker.get(stylesheet.group(1))
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/css")
    assert "immutable" in answer.headers.get("Cache-Control", "")


def test_security_headers(caseworker: Client) -> None:
    api = caseworker.get("/api/v1/me")
    page = caseworker.get("/", headers={"Accept": "text/html"})
    for answer in (api, page):
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
        assert "no-store" in answer.headers["Cache-Control"]
    assert "Secure" in caseworker.get("/api/v1/auth/csrf").headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_accesslogentry",
        "ALTER TABLE audit_accesslogentry DISABLE TRIGGER ALL",
        "UPDATE audit_accesslogentry SET action = action",
        "DELETE FROM audit_accesslogentry",
        "CREATE TABLE drill_intruder (id int)",
    ],
)
def test_the_application_role_cannot_change_the_audit_trail(stack: Stack, statement: str) -> None:
    with stack.connect(APP) as app, pytest.raises(errors.InsufficientPrivilege):
        app.execute(statement)


def test_check_database_roles_finds_nothing_wrong_with_the_application_role(stack: Stack) -> None:
    assert "TRUNCATE" not in stack.manage("check_database_roles")


# --- fault drills -----------------------------------------------------------------------------


def test_d_the_access_log_refused_means_503_and_nothing_changed(stack: Stack, caseworker: Client) -> None:
    _survivor, case = _new_case(caseworker, "Drill-D")
    before = _row_counts(stack)
    with stack.connect(OWNER) as owner:
        owner.execute(f'REVOKE INSERT ON audit_accesslogentry FROM "{APP}"')
    try:
        read = caseworker.get(f"/api/v1/cases/{case['id']}")
        note = caseworker.post(f"/api/v1/cases/{case['id']}/notes/", json={"body": "must not be kept"})
    finally:
        with stack.connect(OWNER) as owner:
            owner.execute(f'GRANT INSERT ON audit_accesslogentry TO "{APP}"')
    print(f"\ndrill (d): access log refused: read {read.status_code}, write {note.status_code}")
    for answer in (read, note):
        assert answer.status_code == 503 and answer.headers["Content-Type"] == "application/problem+json"
    assert _row_counts(stack) == before
    assert caseworker.get(f"/api/v1/cases/{case['id']}").status_code == 200  # and back once it is allowed again


@pytest.mark.parametrize("what", ["survivor", "case"])
def test_a_the_backend_terminated_mid_creation_leaves_nothing_half_written(
    stack: Stack, caseworker: Client, what: str
) -> None:
    """The creation is held at its last write — the access log row — by a trigger that sleeps, and its
    PostgreSQL backend is terminated there: the survivor (data key, blind indexes) or the case (grants)
    already written in that transaction must be gone with it."""
    survivor = caseworker.post("/api/v1/survivors/", json={"given_names": "Drill-A", "family_name": "Held"}).json()
    team = _me(caseworker)["teams"][0]["id"]
    before = _row_counts(stack)
    with stack.connect(OWNER) as owner:
        owner.execute(
            "CREATE FUNCTION drill_hold() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$"
        )
        owner.execute(
            "CREATE TRIGGER drill_hold BEFORE INSERT ON audit_accesslogentry FOR EACH ROW EXECUTE FUNCTION drill_hold()"
        )
    answers: list[requests.Response] = []

    def create() -> None:
        if what == "survivor":
            answers.append(
                caseworker.post("/api/v1/survivors/", json={"given_names": "Drill-A2", "family_name": "Cut"})
            )
        else:
            answers.append(caseworker.post("/api/v1/cases/", json={"survivor": survivor["id"], "team": team}))

    worker = threading.Thread(target=create)
    started = time.monotonic()
    try:
        worker.start()
        with psycopg.connect(PG, autocommit=True) as admin:
            held = None
            for _attempt in range(100):
                row = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE usename = %s AND wait_event = 'PgSleep'", [APP]
                ).fetchone()
                if row:
                    held = row[0]
                    break
                time.sleep(0.1)
            assert held is not None, "the creation never reached the access log"
            admin.execute("SELECT pg_terminate_backend(%s)", [held])
        worker.join(timeout=30)
    finally:
        with stack.connect(OWNER) as owner:
            owner.execute("DROP TRIGGER IF EXISTS drill_hold ON audit_accesslogentry")
            owner.execute("DROP FUNCTION IF EXISTS drill_hold()")
    answer = answers[0]
    print(f"\ndrill (a) {what}: backend terminated → {answer.status_code} in {time.monotonic() - started:.2f} s")
    assert answer.status_code >= 500 and answer.headers["Content-Type"] == "application/problem+json"
    assert _row_counts(stack) == before  # all or nothing
    # the service carries on: the next creation works
    assert caseworker.post("/api/v1/survivors/", json={"given_names": "Drill-A3"}).status_code == 201


def test_c_a_killed_gunicorn_worker_fails_no_other_request(stack: Stack, caseworker: Client) -> None:
    master = stack.processes["web"].pid

    def workers() -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout
        return [int(pid) for pid in out.split()]

    assert len(workers()) == 2
    token = caseworker.headers["Authorization"]
    results: list[int | str] = []
    lock = threading.Lock()

    def load(count: int) -> None:
        session = Client(stack.origin)
        session.headers["Authorization"] = token
        for _ in range(count):
            try:
                status: int | str = session.get("/api/v1/cases/").status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            with lock:
                results.append(status)

    threads = [threading.Thread(target=load, args=(40,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    while len(results) < 60:
        time.sleep(0.01)
    victim = workers()[0]
    killed_at = time.monotonic()
    subprocess.run(["kill", "-KILL", str(victim)], check=True)
    for thread in threads:
        thread.join(timeout=120)
    respawned = time.monotonic() - killed_at
    failed = [status for status in results if status != 200]
    print(f"\ndrill (c): worker {victim} SIGKILLed under load: {len(results)} requests, {len(failed)} failed {failed}, "
          f"{len(workers())} workers {respawned:.1f} s later")  # fmt: skip
    assert len(results) == 240
    assert len(failed) <= 1  # at most the one request the killed worker was serving
    assert len(workers()) == 2 and victim not in workers()
