"""Encrypted model fields.

A model with encrypted fields inherits :class:`EncryptedModel`, which gives it
a ``data_key`` (the survivor's). Each encrypted column is ``bytea`` holding
``AES-256-GCM(data key, plaintext, aad)`` where the associated data is
``table | column | row id | data key id`` and the blob starts with a format
byte: a ciphertext copied to another row, column or key fails to decrypt.

How values move:

* Loading a row keeps the ciphertext (``Sealed``); nothing is decrypted
  until the attribute is read, and then only that field, with the row's
  data key (fetch lists with ``select_related("data_key")``).
* Assigning a plaintext keeps it on the instance; ``save()`` encrypts it
  in ``pre_save`` (which knows the instance, hence the row id and key).
  Unchanged fields are written back as the same ciphertext.
* ``QuerySet.update(field=...)``, ``filter(field=...)`` and any other path
  that would hand plaintext to the database raise :class:`EncryptionRequired`.
  Exact-match search uses blind indexes instead.

Every value round-trips exactly, ``None``, ``""``, ``0``, ``False``, ``[]``
and any Unicode included: all are encrypted (emptiness is not revealed).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core import checks, exceptions
from django.core.validators import MaxLengthValidator
from django.db import models

from . import aead, keys
from .errors import EncryptionRequired
from .models import DataKey

_DECRYPTED = "_ngo_decrypted"
_ROW_AAD = "_ngo_row_aad"


class Sealed:
    """A ciphertext as loaded from the database."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __repr__(self) -> str:
        return f"<Sealed {len(self.blob)} bytes>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and self.blob == other.blob

    def __hash__(self) -> int:
        return hash(self.blob)


# --- codecs: plaintext value <-> bytes, with a type tag ------------------------------

_NONE = b"n"


class TextCodec:
    tag = b"s"

    def encode(self, value: Any) -> bytes:
        if value is None:
            return _NONE
        if not isinstance(value, str):
            raise exceptions.ValidationError("Expected text.", code="invalid")
        return self.tag + value.encode("utf-8")

    def decode(self, data: bytes) -> Any:
        return None if data == _NONE else data[1:].decode("utf-8")


class DateCodec:
    tag = b"d"

    def encode(self, value: Any) -> bytes:
        if value is None:
            return _NONE
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            raise exceptions.ValidationError("Expected a date.", code="invalid")
        return self.tag + value.isoformat().encode("ascii")

    def decode(self, data: bytes) -> Any:
        return None if data == _NONE else datetime.date.fromisoformat(data[1:].decode("ascii"))


class JSONCodec:
    tag = b"j"

    def __init__(self, expect: type | None = None) -> None:
        self.expect = expect

    def encode(self, value: Any) -> bytes:
        if value is None:
            return _NONE
        if self.expect is not None and not isinstance(value, self.expect):
            raise exceptions.ValidationError(f"Expected a {self.expect.__name__}.", code="invalid")
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            raise exceptions.ValidationError("Expected JSON-serialisable data.", code="invalid") from None
        return self.tag + text.encode("utf-8")

    def decode(self, data: bytes) -> Any:
        return None if data == _NONE else json.loads(data[1:].decode("utf-8"))


# --- the field ------------------------------------------------------------------------


class EncryptedDescriptor:
    """Decrypts on first read, per field and per instance; keeps assigned plaintext."""

    def __init__(self, field: EncryptedField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type) -> Any:
        if instance is None:
            return self
        # The hot path of every list page: keep it to dictionary lookups.
        attname = self.field.attname
        state = instance.__dict__
        if attname not in state:  # deferred: load the ciphertext
            instance.refresh_from_db(fields=[attname])
        value = state[attname]
        if value.__class__ is not Sealed:
            return value
        cache: dict[str, Any] | None = state.get(_DECRYPTED)
        if cache is None:
            cache = state[_DECRYPTED] = {}
        elif attname in cache:
            return cache[attname]
        plaintext = cache[attname] = self.field.decrypt(instance, value)
        return plaintext

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value
        instance.__dict__.get(_DECRYPTED, {}).pop(self.field.attname, None)


class EncryptedField(models.BinaryField):
    """Base class; use the typed subclasses below."""

    # What attribute access gives and takes, for django-stubs' mypy plugin.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    codec: Any = TextCodec()
    description = "Encrypted value (AES-256-GCM)"
    _aad_prefix: bytes | None = None  # b"table|column", once the model is ready

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", None)
        kwargs["editable"] = False
        kwargs["blank"] = True
        kwargs["null"] = False  # None is encrypted like any value
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key in ("editable", "blank", "null", "default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, EncryptedDescriptor(self))

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        # BinaryField wants a bytes default; ours is the plaintext value ("" or
        # []) that save() encrypts like any other.
        errors = [error for error in super().check(**kwargs) if error.id != "fields.E170"]
        model = getattr(self, "model", None)
        if model is not None and not model._meta.abstract and not issubclass(model, EncryptedModel):
            errors.append(checks.Error("Encrypted fields need an EncryptedModel.", obj=self, id="crypto.E001"))
        return errors

    # -- encryption ------------------------------------------------------------------

    def _aad(self, instance: models.Model) -> bytes:
        """``table|column|row id|data key id``; the row part is built once per instance."""
        pk, data_key_id = instance.pk, instance.data_key_id  # type: ignore[attr-defined]
        row = instance.__dict__.get(_ROW_AAD)
        if row is None or row[0] is not pk or row[1] is not data_key_id:
            row = (pk, data_key_id, f"|{pk}|{data_key_id}".encode())
            instance.__dict__[_ROW_AAD] = row
        prefix = self._aad_prefix
        if prefix is None:
            prefix = self._aad_prefix = f"{instance._meta.db_table}|{self.column}".encode()
        return prefix + row[2]

    def _where(self, instance: models.Model) -> str:
        return f"{instance._meta.db_table}.{self.column} of row {instance.pk}"

    def encrypt(self, instance: models.Model, value: Any) -> Sealed:
        cipher = keys.data_cipher(instance.data_key)  # type: ignore[attr-defined]
        return Sealed(aead.seal(cipher, self.codec.encode(value), self._aad(instance)))

    def decrypt(self, instance: models.Model, sealed: Sealed) -> Any:
        cipher = keys.data_cipher(instance.data_key)  # type: ignore[attr-defined]
        plaintext = aead.open_sealed(cipher, sealed.blob, self._aad(instance), where=self, row=instance)
        return self.codec.decode(plaintext)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if isinstance(value, Sealed):
            return value
        sealed = self.encrypt(model_instance, value)
        # Keep the plaintext readable on this instance, the ciphertext for the row.
        model_instance.__dict__.setdefault(_DECRYPTED, {})[self.attname] = value
        model_instance.__dict__[self.attname] = sealed
        return sealed

    # -- database conversion -----------------------------------------------------------

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if isinstance(value, Sealed):
            return connection.Database.Binary(value.blob)
        raise EncryptionRequired(
            f"{self.model._meta.db_table}.{self.column}: encrypted fields are written by save() "
            "and searched through blind indexes, never with plaintext in a query"
        )

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else Sealed(bytes(value))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        """Serialisation (dumpdata) exports ciphertext only."""
        import base64

        raw = obj.__dict__.get(self.attname)
        if not isinstance(raw, Sealed):
            raise EncryptionRequired("save the object before serialising encrypted fields")
        return base64.b64encode(raw.blob).decode("ascii")

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        # Presence rules belong to the serializers; here only the type and size.
        self.codec.encode(value)


class EncryptedTextField(EncryptedField):
    _pyi_private_set_type: str | None
    _pyi_private_get_type: str | None
    codec = TextCodec()


class EncryptedCharField(EncryptedField):
    """Text with a maximum length in characters (checked on the plaintext)."""

    _pyi_private_set_type: str | None
    _pyi_private_get_type: str | None
    codec = TextCodec()

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plaintext_max_length = max_length
        self.max_length = None  # the column is bytea; the limit applies to the plaintext

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_length"] = self.plaintext_max_length
        return name, path, args, kwargs

    def run_validators(self, value: Any) -> None:
        if value is not None:
            MaxLengthValidator(self.plaintext_max_length)(value)


class EncryptedDateField(EncryptedField):
    _pyi_private_set_type: datetime.date | None
    _pyi_private_get_type: datetime.date | None
    codec = DateCodec()


class EncryptedJSONField(EncryptedField):
    codec = JSONCodec()


class EncryptedListField(EncryptedField):
    """A JSON list (aliases, identity documents, phone numbers)."""

    _pyi_private_set_type: list[Any] | None
    _pyi_private_get_type: list[Any] | None
    codec = JSONCodec(expect=list)


class EncryptedModel(models.Model):
    """A row encrypted with a survivor's data key.

    Services set ``data_key`` when creating the row (a survivor's new key, or
    the survivor's key for their cases, notes and referral snapshots).
    """

    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, db_constraint=False, related_name="+")

    class Meta:
        abstract = True

    @property
    def is_erased(self) -> bool:
        return self.data_key.destroyed_at is not None

    def refresh_from_db(self, using: str | None = None, fields: Any = None, from_queryset: Any = None) -> None:
        """Django copies refreshed values with getattr, which would decrypt
        every field; encrypted columns are copied as ciphertext instead."""
        encrypted = {f.attname for f in self._meta.concrete_fields if isinstance(f, EncryptedField)}
        if fields is None:
            deferred = self.get_deferred_fields()
            fields = [f.attname for f in self._meta.concrete_fields if f.attname not in deferred]
        fields = list(fields)
        plain = [name for name in fields if name not in encrypted]
        sealed = [name for name in fields if name in encrypted]
        if plain or not sealed:
            super().refresh_from_db(using=using, fields=plain or None, from_queryset=from_queryset)
        if sealed:
            queryset = from_queryset if from_queryset is not None else type(self)._base_manager.all()
            row = queryset.using(using or self._state.db or "default").filter(pk=self.pk).values_list(*sealed).get()
            for name, value in zip(sealed, row, strict=True):
                setattr(self, name, value)
