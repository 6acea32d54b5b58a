"""Blind indexes: exact-match search over encrypted values without decrypting.

``blind_index(kind, value)`` is ``HMAC-SHA256(key_of(kind), normalise(value))``
truncated to :data:`INDEX_BYTES` (16 bytes, 128 bits: no accidental
collisions among millions of rows, so a match is a match). Each kind has its
own key, derived from ``NGO_BLIND_INDEX_KEY``, so equal values of different
kinds do not match each other.

Normalisation decides what counts as "the same":

* names: Unicode NFKC, case folded, accents removed, Cyrillic transliterated
  to Latin (ICAO 9303, as in passports) and then folded so that the usual
  spellings of one name meet ("Юлия", "Yuliya", "Iuliia", "Julia" → one
  skeleton; "Анна Иванова" = "Anna Ivanova" = "IVANOVA Anna"; "Виктор Цой" =
  "Victor Tsoy"): sh/ch/zh/kh/ts/shch digraphs, c=k, y=j=i, ks=x, w=v,
  initial ye/yo glides, doubled letters; punctuation, spacing and word order
  ignored. Folding merges a few distinct names too (that is the price of
  matching spellings); a match is a prompt to compare, never a merge;
* dates of birth: ISO 8601 (``YYYY-MM-DD``);
* phone numbers: E.164 (``+79161234567``), read with the default region
  ``NGO_DEFAULT_PHONE_REGION`` for numbers written without a country code;
* document numbers: letters and digits only, case folded, Cyrillic letters
  that look like Latin ones read as those (series often mix scripts), other
  Cyrillic letters transliterated.

What a blind index reveals to someone holding the database alone: which rows
share a value (equality), nothing about the value itself without the key.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import unicodedata
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import models

from .keys import blind_index_key

INDEX_BYTES = 16


class IndexKind(models.TextChoices):
    NAME = "name", "name"
    DATE_OF_BIRTH = "dob", "date of birth"
    PHONE = "phone", "phone"
    DOCUMENT = "document", "document number"


# ICAO 9303 transliteration (Russian, Ukrainian and Belarusian letters).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "",
    "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip

# Then Latin spellings of one sound meet. Digraph sounds become placeholders
# (upper case: never confused with a letter), longest spelling first.
_FOLDS = {
    "shch": "Q", "sch": "Q", "tch": "C", "ch": "C", "sh": "S", "zh": "Z", "kh": "h",
    "ts": "T", "tz": "T", "cz": "T", "ph": "f", "ck": "k", "ks": "x", "c": "k", "q": "k", "w": "v",
    "y": "i", "j": "i",
}  # fmt: skip
_FOLD_RE = re.compile("|".join(re.escape(a) for a in sorted(_FOLDS, key=len, reverse=True)))
# Second pass: iotated vowels written with a glide ("Yevgeniy", "Fiodor")
# meet their ICAO forms ("Evgenii", "Fedor").
_GLIDES = {"ie": "e", "io": "e"}
_GLIDE_RE = re.compile("|".join(_GLIDES))
# Document numbers: Cyrillic letters that look like Latin ones are those Latin ones.
_HOMOGLYPHS = str.maketrans("авекмнорстухії", "abekmhopctyxii")
_REPEATS = re.compile(r"(.)\1+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _latin(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold()
    text = "".join(_CYRILLIC.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def name_skeleton(value: str) -> str:
    """The comparison form of a name (see module doc)."""
    words = []
    for word in re.split(r"[\s,.;:/\\()\[\]\"'`’‘«»_-]+", _latin(value)):
        word = _NOT_ALNUM.sub("", word)
        word = _FOLD_RE.sub(lambda m: _FOLDS[m.group(0)], word)
        word = _GLIDE_RE.sub(lambda m: _GLIDES[m.group(0)], word)
        word = _REPEATS.sub(r"\1", word)
        if word:
            words.append(word)
    return " ".join(sorted(words))


def normalise_date(value: datetime.date | str) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return datetime.date.fromisoformat(value.strip()).isoformat()


def normalise_phone(value: str, region: str | None = None) -> str:
    region = region or getattr(settings, "NGO_DEFAULT_PHONE_REGION", "RU")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", value)
    return ("+" if value.strip().startswith("+") else "") + digits


def normalise_document(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).casefold().translate(_HOMOGLYPHS)
    return _NOT_ALNUM.sub("", _latin(folded))


_NORMALISERS: dict[str, Any] = {
    IndexKind.NAME: name_skeleton,
    IndexKind.DATE_OF_BIRTH: normalise_date,
    IndexKind.PHONE: normalise_phone,
    IndexKind.DOCUMENT: normalise_document,
}


def normalise(kind: str, value: Any) -> str:
    return str(_NORMALISERS[kind](value))


def blind_index(kind: str, value: Any) -> bytes | None:
    """The index of ``value``, or None when nothing is left after normalising."""
    if value is None:
        return None
    normal = normalise(kind, value)
    if not normal:
        return None
    return hmac.new(blind_index_key(kind), normal.encode("utf-8"), hashlib.sha256).digest()[:INDEX_BYTES]
