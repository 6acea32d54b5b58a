"""The access log in the database: append-only, chained at commit, and a
verifier that finds the first tampered entry."""

from __future__ import annotations

import io
import itertools
import threading
import uuid
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.chain import verify
from audit.models import AccessLogEntry, ChainLink
from audit.services import record


def seal() -> None:
    """Fire the deferred chaining trigger now (tests never commit)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def write(count: int) -> list[AccessLogEntry]:
    for _ in range(count):
        record(action="read", object_type="case", object_ids=[uuid.uuid4()])
    return list(AccessLogEntry.objects.order_by("-id")[:count])[::-1]


def blob(value: object) -> bytes:
    assert isinstance(value, (bytes, memoryview))
    return bytes(value)


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def without_triggers(sql: str, params: list[Any] | None = None) -> None:
    """What an attacker with the database superuser does."""
    raw("SET session_replication_role = replica")
    try:
        raw(sql, params)
    finally:
        raw("SET session_replication_role = DEFAULT")


@pytest.mark.django_db
def test_entries_are_chained_in_order_at_commit() -> None:
    entries = write(4)
    assert not ChainLink.objects.exists()  # not yet committed
    seal()
    rows = list(ChainLink.objects.order_by("seq").values_list("seq", "prev_hash", "hash", "entry_id"))
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert [r[3] for r in rows] == [e.pk for e in entries]
    assert blob(rows[0][1]) == bytes(32)
    for previous, current in itertools.pairwise(rows):
        assert blob(current[1]) == blob(previous[2])
    verdict = verify()
    assert verdict.ok and verdict.entries == 4 and verdict.head_seq == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accesslogentry SET actor_role = 'admin'",
        "DELETE FROM audit_accesslogentry",
        "UPDATE audit_chainlink SET seq = seq + 10",
        "DELETE FROM audit_chainlink",
        "INSERT INTO audit_chainlink (seq, entry_id, prev_hash, hash) VALUES (99, 1, '\\x00', '\\x00')",
    ],
)
def test_the_database_refuses_changes(statement: str) -> None:
    write(2)
    seal()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(statement)
    assert AccessLogEntry.objects.count() == 2
    assert verify().ok


@pytest.mark.django_db
def test_an_insert_cannot_bring_its_own_time() -> None:
    import datetime

    forged = AccessLogEntry.objects.create(action="read", at=datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC))
    seal()
    forged.refresh_from_db()
    assert forged.at.year != 2001
    assert verify().ok


@pytest.mark.django_db
def test_verifier_finds_a_changed_entry() -> None:
    write(5)
    seal()
    without_triggers(
        "UPDATE audit_accesslogentry SET actor_role = 'auditor' "
        "WHERE id = (SELECT entry_id FROM audit_chainlink WHERE seq = 3)"
    )
    verdict = verify()
    assert (verdict.ok, verdict.broken_seq, verdict.problem) == (False, 3, "entry changed")
    with pytest.raises(CommandError, match="BROKEN at seq 3"):
        call_command("verify_audit_chain", stdout=io.StringIO())


@pytest.mark.django_db
def test_verifier_finds_a_deleted_entry_and_a_rewritten_link() -> None:
    write(5)
    seal()
    without_triggers("DELETE FROM audit_accesslogentry WHERE id = (SELECT entry_id FROM audit_chainlink WHERE seq = 2)")
    verdict = verify()
    assert (verdict.broken_seq, verdict.problem) == (3, "missing entries before this one")
    # renumbering to hide the gap breaks the link instead
    without_triggers("DELETE FROM audit_chainlink WHERE seq = 2")
    without_triggers("UPDATE audit_chainlink SET seq = -seq WHERE seq > 2")
    without_triggers("UPDATE audit_chainlink SET seq = -seq - 1 WHERE seq < 0")
    verdict = verify()
    assert verdict.broken_seq == 2 and not verdict.ok


@pytest.mark.django_db
def test_verifier_finds_an_entry_slipped_in_without_triggers() -> None:
    write(2)
    seal()
    without_triggers(
        "INSERT INTO audit_accesslogentry (at, actor_role, endpoint, method, action, object_type, object_ids, "
        "case_ids, survivor_ids, detail) VALUES (now(), '', '', '', 'read', '', '{}', '{}', '{}', '')"
    )
    assert verify().problem == "entry outside the chain"


@pytest.mark.django_db
def test_exported_head_detects_a_cut_tail() -> None:
    write(3)
    seal()
    out = io.StringIO()
    call_command("verify_audit_chain", "--export-head", stdout=out)
    head = out.getvalue().strip()
    assert head.startswith("3:") and len(head) == 2 + 64
    call_command("verify_audit_chain", "--expect-head", head, stdout=io.StringIO())
    without_triggers("DELETE FROM audit_chainlink WHERE seq = 3")
    without_triggers("DELETE FROM audit_accesslogentry WHERE id = (SELECT max(id) FROM audit_accesslogentry)")
    assert verify().ok  # a clean cut at the end leaves a valid chain...
    with pytest.raises(CommandError, match="not in the chain"):  # ...that the exported head exposes
        call_command("verify_audit_chain", "--expect-head", head, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_one_chain() -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def writer() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    write(2)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(ChainLink.objects.values_list("seq", flat=True)) == list(range(1, 61))
    assert ChainLink.objects.values("entry_id").distinct().count() == AccessLogEntry.objects.count() == 60
    assert verify().ok
