"""The production drill (issue 15): gunicorn on production settings, one
Celery worker and one beat, the two database roles — checked from outside,
then made to fail. Each fault drill prints its figure.

Run with ``make drill`` (docs/operations.md, "The production drill").
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from psycopg import errors
from stack import APP, DB, OWNER, PG, PYTHON, RESTORED, Client, Stack, wait_for

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
    """Rows of every table a request writes. Left out: what beat and the worker change on their own clock
    meanwhile (the reminder pipeline, notifications, beat's bookkeeping) and sessions."""
    counts: Counter[str] = Counter()
    with stack.connect(OWNER) as owner:
        tables = owner.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'keystore') "
            "AND tablename NOT LIKE 'django_celery_beat%%' AND tablename NOT LIKE 'reminders%%' "
            "AND tablename NOT LIKE 'notifications%%' AND tablename NOT IN ('django_session')"
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


def test_an_attachment_goes_up_and_down_encrypted_on_production_settings(stack: Stack, caseworker: Client) -> None:
    """Through gunicorn and the filesystem storage under NGO_VAR_DIR: the upload handler, the cipher, the
    download's headers; the stored object holds neither the name nor the content."""
    from bench_attachments import _pdf

    _, case = _new_case(caseworker)
    data = _pdf(300_000) + b"%" + CANARY.encode() + b"\n"
    name = f"{CANARY}-passport.pdf"
    created = caseworker.post(
        f"/api/v1/cases/{case['id']}/attachments/", files={"file": (name, data)}, data={"category": "identity_document"}
    )
    assert created.status_code == 201, created.text
    download = caseworker.get(created.json()["download_url"])
    assert download.status_code == 200 and download.content == data
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store" and download.headers["X-Content-Type-Options"] == "nosniff"
    stored = [path for path in (stack.work / "var" / "attachments").rglob("*") if path.is_file()]
    assert stored and all(CANARY.encode() not in path.read_bytes() and CANARY not in str(path) for path in stored)
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in stored)


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


READ_ALL = """
import json
from cases.models import Survivor
from ngo_cases.crypto.errors import KeyDestroyed
names = {}
for survivor in Survivor.objects.all():
    try:
        names[str(survivor.pk)] = None if survivor.erased_at else str(survivor.given_names)
    except KeyDestroyed:
        names[str(survivor.pk)] = None
print("NAMES " + json.dumps(names))
"""


def _names(stack: Stack, database: str) -> dict[str, str | None]:
    import json

    out = stack.manage("shell", "-c", READ_ALL, database=database)
    line = next(line for line in out.splitlines() if line.startswith("NAMES "))
    names: dict[str, str | None] = json.loads(line.removeprefix("NAMES "))
    return names


def test_backup_restore_and_an_erasure_made_after_the_backup(stack: Stack, caseworker: Client) -> None:
    """docs/operations.md, "Backup and restore", step by step: the case data and the key store dumped
    separately; a survivor erased after the backup; both dumps restored into a fresh database; the service's
    check refuses it until the erasure ledger is applied again; then every other survivor reads back, the
    erased one does not, and the access log's chain verifies against the head exported at backup time."""
    erased, _ = _new_case(caseworker, "Drill-Erased-CANARY")
    kept, _ = _new_case(caseworker, "Drill-Kept")
    head = stack.manage("verify_audit_chain", "--export-head").strip()
    data, keys = stack.work / "cases.dump", stack.work / "keys.dump"
    started = time.monotonic()
    for target, scope in ((data, "--exclude-schema=keystore"), (keys, "--schema=keystore")):
        subprocess.run(
            ["pg_dump", "--format=custom", scope, f"--file={target}", stack.dsn(OWNER)], check=True, timeout=300
        )
    dumped = time.monotonic() - started

    stack.manage("erase_survivor", erased["id"], "--by", "dana")
    assert caseworker.get(f"/api/v1/survivors/{erased['id']}").json()["erased"] is True
    with stack.connect(OWNER) as owner:
        row = owner.execute("SELECT data_key_id FROM cases_survivor WHERE id = %s", [erased["id"]]).fetchone()
    key_id = str(row[0]) if row else "?"
    ledger = Path(stack.env["NGO_ERASURE_LEDGER_PATH"])
    wait_for(lambda: ledger.exists() and key_id in ledger.read_text(), "beat's erasure ledger", timeout=60)
    assert "CANARY" not in ledger.read_text() and erased["id"] not in ledger.read_text()

    started = time.monotonic()
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{RESTORED}" OWNER "{OWNER}"')
    for dump in (data, keys):
        subprocess.run(
            ["pg_restore", "--exit-on-error", "--no-owner", f"--dbname={stack.dsn(OWNER, RESTORED)}", str(dump)],
            check=True,
            timeout=300,
        )
    restored = time.monotonic() - started
    ledger_env = {"NGO_ERASURE_LEDGER_PATH": str(ledger)}
    refused = stack.run(
        PYTHON, "manage.py", "check", "--database", "default", "--fail-level", "ERROR", database=RESTORED, **ledger_env
    )
    assert refused.returncode != 0 and "ngo_cases.E002" in refused.stdout + refused.stderr
    assert _names(stack, RESTORED)[erased["id"]] == "Drill-Erased-CANARY"  # what the ledger is for

    applied = stack.manage("apply_erasures", str(ledger), database=RESTORED)
    assert "destroyed again: 1 keys, 1 survivors" in applied
    stack.manage("check", "--database", "default", "--fail-level", "ERROR", database=RESTORED, **ledger_env)
    before, after = _names(stack, DB), _names(stack, RESTORED)
    assert after[erased["id"]] is None and after[kept["id"]] == "Drill-Kept"
    assert after == before  # every survivor of the backup reads back as in the live system
    assert {survivor for survivor, name in after.items() if name is None} == {erased["id"]}
    chain = stack.manage("verify_audit_chain", "--expect-head", head, database=RESTORED)
    sizes = f"{data.stat().st_size // 1024} KiB + {keys.stat().st_size // 1024} KiB"
    print(f"\ndrill backup: dumps {sizes} in {dumped:.1f} s; restored in {restored:.1f} s; {len(after)} survivors, "
          f"the one erased after the backup unreadable once the ledger was applied; {chain.strip()}")  # fmt: skip


OUTAGE_SECONDS = float(os.environ.get("NGO_DRILL_OUTAGE_SECONDS", "120"))


def test_b_redis_down_while_reminders_fall_due_loses_none_and_sends_none_twice(
    stack: Stack, caseworker: Client
) -> None:
    """The broker (and cache) stopped for two minutes; meanwhile follow-ups are written that fall due at once.
    When it returns, every reminder is delivered, once: the database decides what is due, never the queue."""
    me = _me(caseworker)
    _survivor, case = _new_case(caseworker, "Drill-B")
    with stack.connect(OWNER) as owner:
        before = owner.execute(
            "SELECT count(*) FROM notifications_notification WHERE recipient_id = %s", [me["id"]]
        ).fetchone()
    stack.stop_redis()
    stopped = time.monotonic()
    try:
        health = requests.get(f"{stack.origin}/healthz", timeout=30).status_code
        today = time.strftime("%Y-%m-%d", time.gmtime())
        written = [
            caseworker.post(
                f"/api/v1/cases/{case['id']}/follow-ups/",
                json={"due_on": today, "assignee": me["id"], "description": f"drill {n}"},
            ).status_code
            for n in range(5)
        ]
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    finally:
        stack.start_redis()
    back = time.monotonic()
    print(f"\ndrill (b): Redis down {back - stopped:.0f} s; healthz meanwhile {health}; follow-ups written {written}")
    assert health == 503 and written == [201] * 5

    def delivered() -> int:
        with stack.connect(OWNER) as owner:
            row = owner.execute(
                "SELECT count(*) FROM notifications_notification WHERE recipient_id = %s", [me["id"]]
            ).fetchone()
        return (row[0] if row else 0) - (before[0] if before else 0)

    waited = wait_for(lambda: delivered() >= 5, "the reminders after Redis returned", timeout=180)
    time.sleep(15)  # several more planner and dispatcher runs: nothing may arrive twice
    with stack.connect(OWNER) as owner:
        deliveries = owner.execute(
            "SELECT count(*), count(sent_at), count(DISTINCT reminder_id) FROM reminders_delivery d "
            "JOIN reminders_reminder r ON r.id = d.reminder_id WHERE d.user_id = %s AND d.channel = 'in_app' "
            "AND r.kind = 'follow_up_due'",
            [me["id"]],
        ).fetchone()
    print(f"drill (b): 5 reminders delivered {waited:.1f} s after Redis returned; deliveries {deliveries}")
    assert delivered() == 5
    assert deliveries == (5, 5, 5)
    assert requests.get(f"{stack.origin}/healthz", timeout=30).status_code == 200
