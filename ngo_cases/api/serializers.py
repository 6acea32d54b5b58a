"""DRF's serializers, with input fields that accept only JSON's own types.

DRF is lenient on input: a CharField takes ``12`` or ``true`` as text, an
IntegerField ``"12"``, a BooleanField ``"yes"`` or ``1``, a UUIDField an
integer. The published schema says ``string``, ``integer``, ``boolean``; a
value of another type is the client's mistake and gets a 400 like any other
invalid value (schemathesis' negative_data_rejection check holds us to it).

Every serializer module of the project imports this module in place of
``rest_framework.serializers``::

    from ngo_cases.api import serializers

and gets DRF's whole namespace with these strict fields in it, also in the
fields a ModelSerializer builds from model fields.
"""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import fields as _fields
from rest_framework import serializers as _drf
from rest_framework.serializers import *  # noqa: F403 - this module stands in for DRF's


class _TextOnly:
    """Accepts a JSON string only (DRF's text fields would turn 12 or true into text)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class CharField(_TextOnly, _drf.CharField):  # type: ignore[no-redef]
    pass


class SlugField(_TextOnly, _drf.SlugField):  # type: ignore[no-redef]
    pass


class RegexField(_TextOnly, _drf.RegexField):  # type: ignore[no-redef]
    pass


class URLField(_TextOnly, _drf.URLField):  # type: ignore[no-redef]
    pass


class IntegerField(_drf.IntegerField):  # type: ignore[no-redef]
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class BooleanField(_drf.BooleanField):  # type: ignore[no-redef]
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class QueryBooleanField(_drf.BooleanField):
    """A boolean query parameter: exactly ``true`` or ``false`` (a query
    string has no JSON types; "1", "yes" or "True" are refused)."""

    def to_internal_value(self, data: Any) -> bool:
        if data not in ("true", "false"):
            self.fail("invalid", input=data)
        return data == "true"


class UUIDField(_drf.UUIDField):  # type: ignore[no-redef]
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class EmailField(_TextOnly, _drf.EmailField):  # type: ignore[no-redef]
    pass


class ScopedRelatedField(_drf.PrimaryKeyRelatedField):
    """The id of a row the caller may name here, resolved to the row:
    ``scope(user)`` is the queryset it must be in (a selector's); any other id
    — nonexistent, or not the caller's to name — is one 400 ``unknown``
    message. ``model`` is for the schema (a UUID)::

        team = ScopedRelatedField(Team, lambda user: Team.objects.filter(memberships__user=user),
                                  unknown=_("You can open cases only in your own teams."))

    The serializer needs the request in its context (``valid_input`` gives it)."""

    def __init__(self, model: Any, scope: Any, *, unknown: Any, **kwargs: Any) -> None:
        self.scope = scope
        kwargs.setdefault("pk_field", UUIDField())
        kwargs["error_messages"] = {
            "does_not_exist": unknown,
            "incorrect_type": unknown,
            **kwargs.get("error_messages", {}),
        }
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        if request is None:  # the schema generator: no caller, no rows
            return super().get_queryset()
        return self.scope(request.user)


# Dates anyone records here (births, documents, consents, decisions, due
# dates) lie in these years; outside them a value is a typing error, and
# before ~1900 time zones had local mean time offsets that RFC 3339 cannot write.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


def _check_year(field: _drf.Field, value: datetime.date) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise _drf.ValidationError(f"A date from {EARLIEST_YEAR} to {LATEST_YEAR}.", code="out_of_range")


class DateField(_drf.DateField):  # type: ignore[no-redef]
    def to_internal_value(self, value: Any) -> datetime.date:
        if not isinstance(value, str):
            self.fail("invalid", format="YYYY-MM-DD")
        parsed: datetime.date = super().to_internal_value(value)
        _check_year(self, parsed)
        return parsed


class DateTimeField(_drf.DateTimeField):  # type: ignore[no-redef]
    def to_internal_value(self, value: Any) -> datetime.datetime:
        if not isinstance(value, str):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]")
        parsed: datetime.datetime = super().to_internal_value(value)
        _check_year(self, parsed)
        return parsed


class ModelSerializer(_drf.ModelSerializer):  # type: ignore[no-redef]
    serializer_field_mapping = {
        **_drf.ModelSerializer.serializer_field_mapping,
        **{
            model_field: {
                _fields.CharField: CharField,
                _fields.IntegerField: IntegerField,
                _fields.BooleanField: BooleanField,
                _fields.UUIDField: UUIDField,
                _fields.EmailField: EmailField,
                _fields.SlugField: SlugField,
                _fields.URLField: URLField,
                _fields.DateField: DateField,
                _fields.DateTimeField: DateTimeField,
            }.get(field, field)
            for model_field, field in _drf.ModelSerializer.serializer_field_mapping.items()
        },
    }
