"""Encrypted fields: exact round-trips, clear errors, no plaintext paths."""

from __future__ import annotations

import base64
import datetime
import os
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Survivor
from cases.tests.factories import make_survivor
from ngo_cases.crypto.errors import DecryptionFailed, EncryptionRequired, KeyDestroyed, KeyUnavailable
from ngo_cases.crypto.fields import Sealed
from ngo_cases.crypto.keys import data_key_destroy

pytestmark = pytest.mark.django_db

ENCRYPTED = [f.name for f in Survivor._meta.fields if type(f).__module__ == "ngo_cases.crypto.fields"]


def reload(survivor: Survivor) -> Survivor:
    return Survivor.objects.select_related("data_key").get(pk=survivor.pk)


def raw_column(survivor: Survivor, column: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cases_survivor WHERE id = %s", [survivor.pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


def test_survivor_has_ten_encrypted_fields() -> None:
    assert len(ENCRYPTED) == 10


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_names", None),
        ("given_names", ""),
        ("given_names", "Анна-Мария"),
        ("family_name", "عبد الله"),
        ("middle_names", "🙂 " * 30),
        ("aliases", []),
        ("aliases", ["", "0", "Аня", "Anya"]),
        ("identity_documents", [{"type": "passport", "number": "AB 123", "expiry": None, "valid": False, "n": 0}]),
        ("date_of_birth", None),
        ("date_of_birth", datetime.date(2008, 2, 29)),
        ("address", "line 1\nline 2\ttab \x01 control"),
    ],
)
def test_values_round_trip_exactly(field: str, value: Any) -> None:
    survivor = make_survivor(**{field: value})
    assert getattr(reload(survivor), field) == value
    assert type(getattr(reload(survivor), field)) is type(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200)),
    aliases=st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40), max_size=5),
    born=st.one_of(st.none(), st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 1, 1))),
    document=st.dictionaries(
        st.text(max_size=10), st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)), max_size=4
    ),
)
def test_property_round_trip(text: str | None, aliases: list[str], born: datetime.date | None, document: dict) -> None:
    survivor = make_survivor(
        given_names=text if text is None else text[:200],
        address=text,
        aliases=aliases,
        date_of_birth=born,
        identity_documents=[document],
    )
    loaded = reload(survivor)
    assert (loaded.given_names, loaded.address) == (survivor.given_names, text)
    assert loaded.aliases == aliases
    assert loaded.date_of_birth == born
    assert loaded.identity_documents == [document]


def test_every_column_holds_ciphertext_with_fresh_nonces() -> None:
    a = make_survivor(given_names="Same", family_name="Same")
    blob_given, blob_family = raw_column(a, "given_names"), raw_column(a, "family_name")
    assert b"Same" not in blob_given
    assert blob_given[0] == 1  # format byte
    assert blob_given != blob_family  # random nonce, different associated data


def test_unchanged_fields_keep_their_ciphertext_on_save() -> None:
    survivor = reload(make_survivor(given_names="Anna"))
    before = raw_column(survivor, "given_names")
    survivor.phone = "+79161234567"
    survivor.save()
    assert raw_column(survivor, "given_names") == before
    assert reload(survivor).phone == "+79161234567"


def _swap(column_a: str, row_a: Any, column_b: str, row_b: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE cases_survivor SET {column_a} = (SELECT {column_b} FROM cases_survivor WHERE id = %s) "  # noqa: S608
            "WHERE id = %s",
            [row_b, row_a],
        )


def test_ciphertext_swapped_between_rows_fails_to_decrypt() -> None:
    a, b = make_survivor(given_names="Alpha"), make_survivor(given_names="Beta")
    _swap("given_names", a.pk, "given_names", b.pk)
    with pytest.raises(DecryptionFailed, match=r"cases_survivor\.given_names"):
        _ = reload(a).given_names


def test_ciphertext_moved_to_another_column_fails_to_decrypt() -> None:
    a = make_survivor(given_names="Alpha", family_name="Omega")
    _swap("family_name", a.pk, "given_names", a.pk)
    with pytest.raises(DecryptionFailed):
        _ = reload(a).family_name


def test_tampered_ciphertext_fails_to_decrypt() -> None:
    a = make_survivor(given_names="Alpha")
    blob = bytearray(raw_column(a, "given_names"))
    blob[-1] ^= 0x01
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_survivor SET given_names = %s WHERE id = %s", [bytes(blob), a.pk])
    with pytest.raises(DecryptionFailed):
        _ = reload(a).given_names


def test_garbage_in_the_column_is_an_error_not_a_value() -> None:
    a = make_survivor(given_names="Alpha")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_survivor SET given_names = %s WHERE id = %s", [b"Alpha", a.pk])
    with pytest.raises(DecryptionFailed, match="not a ciphertext"):
        _ = reload(a).given_names


def test_wrong_master_key_is_an_error(settings) -> None:
    a = make_survivor(given_names="Alpha")
    version = reload(a).data_key.master_version
    settings.NGO_MASTER_KEYS = f"{version}:" + base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(DecryptionFailed, match="data key"):
        _ = reload(a).given_names


def test_missing_master_version_is_an_error(settings) -> None:
    a = make_survivor(given_names="Alpha")
    settings.NGO_MASTER_KEYS = "99:" + base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(KeyUnavailable, match="version"):
        _ = reload(a).given_names


def test_destroyed_key_is_an_error_never_ciphertext() -> None:
    a = make_survivor(given_names="Alpha")
    data_key_destroy(reload(a).data_key)
    loaded = reload(a)
    for field in ENCRYPTED:
        with pytest.raises(KeyDestroyed):
            getattr(loaded, field)
    assert isinstance(loaded.__dict__["given_names"], Sealed)  # still there, unreadable


def test_plaintext_cannot_reach_the_database_by_update_or_filter() -> None:
    a = make_survivor(given_names="Alpha")
    with pytest.raises(EncryptionRequired), transaction.atomic():
        Survivor.objects.filter(pk=a.pk).update(given_names="Plain")
    with pytest.raises(EncryptionRequired), transaction.atomic():
        list(Survivor.objects.filter(given_names="Alpha"))
    assert reload(a).given_names == "Alpha"


def test_deferred_encrypted_fields_load_on_access() -> None:
    a = make_survivor(given_names="Alpha")
    loaded = Survivor.objects.select_related("data_key").only("id", "data_key").get(pk=a.pk)
    assert loaded.given_names == "Alpha"


def test_str_of_a_survivor_holds_no_name() -> None:
    a = make_survivor(given_names="CANARY-STR")
    assert "CANARY" not in str(a) and "CANARY" not in repr(a)
