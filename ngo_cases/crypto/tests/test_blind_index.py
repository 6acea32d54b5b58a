"""Blind indexes: keyed, per kind, folding scripts and spellings together."""

from __future__ import annotations

import base64
import datetime
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ngo_cases.crypto.blind_index import _CYRILLIC, INDEX_BYTES, IndexKind, blind_index, name_skeleton

SAME_NAMES = [
    ["Анна Иванова", "Anna Ivanova", "IVANOVA, Anna", "anna  ivanova", "Ánna Ivánova"],
    ["Юлия", "Yuliya", "Iuliia", "Julia", "Yulia"],
    ["Алексей Щербаков", "Aleksei Shcherbakov", "Alexey Scherbakov", "Aleksey Shcherbakov"],
    ["Евгений Хабаров", "Yevgeniy Khabarov", "Evgenii Habarov"],
    ["Виктор Цой", "Viktor Tsoi", "Victor Tsoy"],
    ["Дилноза Юсупова", "Dilnoza Yusupova", "Dilnoza Iusupova"],
    ["Жанна", "Zhanna", "ZHANA"],
    ["Фёдор", "Fyodor", "Fedor", "Fiodor"],
    ["Ксения", "Kseniya", "Xenia", "Ksenia"],
    ["Елена Чернова", "Yelena Chernova", "Elena Tchernova"],
]


@pytest.mark.parametrize("spellings", SAME_NAMES, ids=lambda s: s[1])
def test_spellings_of_one_name_share_an_index(spellings: list[str]) -> None:
    indexes = {blind_index(IndexKind.NAME, s) for s in spellings}
    assert len(indexes) == 1, {s: name_skeleton(s) for s in spellings}


def test_different_names_differ() -> None:
    names = ["Анна Иванова", "Анна Петрова", "Ivan Ivanov", "Maria Ivanova", "Anna"]
    assert len({blind_index(IndexKind.NAME, n) for n in names}) == len(names)


_icao = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюя", min_size=1, max_size=12)


@given(first=_icao, last=_icao)
def test_any_cyrillic_name_matches_its_passport_transliteration(first: str, last: str) -> None:
    latin = " ".join("".join(_CYRILLIC[c] for c in word).upper() for word in (last, first))
    assert name_skeleton(f"{first} {last}") == name_skeleton(latin)


def test_phones_are_compared_in_e164() -> None:
    same = ["+7 (916) 123-45-67", "8 916 123 45 67", "+79161234567", "916-123-45-67"]
    assert len({blind_index(IndexKind.PHONE, p) for p in same}) == 1
    assert blind_index(IndexKind.PHONE, "+998 90 123 45 67") != blind_index(IndexKind.PHONE, same[0])


def test_document_numbers_ignore_separators_case_and_script() -> None:
    same = ["АВ 12-34 56", "ab123456", "AB/1234.56", "Ав123456"]
    assert len({blind_index(IndexKind.DOCUMENT, d) for d in same}) == 1


def test_dates_of_birth() -> None:
    assert blind_index(IndexKind.DATE_OF_BIRTH, datetime.date(1999, 5, 4)) == blind_index(
        IndexKind.DATE_OF_BIRTH, "1999-05-04"
    )


def test_each_kind_has_its_own_key_and_length() -> None:
    name = blind_index(IndexKind.NAME, "123456")
    document = blind_index(IndexKind.DOCUMENT, "123456")
    assert name is not None and document is not None
    assert name != document
    assert len(name) == INDEX_BYTES


def test_index_depends_on_the_secret_key(settings) -> None:
    before = blind_index(IndexKind.NAME, "Anna Ivanova")
    settings.NGO_BLIND_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()
    assert blind_index(IndexKind.NAME, "Anna Ivanova") != before


def test_empty_values_have_no_index() -> None:
    assert blind_index(IndexKind.NAME, " - ") is None
    assert blind_index(IndexKind.PHONE, None) is None
