"""Change history of the domain models, by database triggers
(django-pghistory): every insert, update and delete, bulk and raw SQL
included, copied into an event table next to the model (``<Model>Event``).

Encrypted columns are copied as they are stored and declared as plain
binary fields on the event models: history holds ciphertext and has no way
to decrypt it. The survivor's data key and the blind indexes are never
tracked (``crypto.DataKey``, ``cases.SurvivorIndexEntry``): history must not
keep what erasure destroys. Event tables refuse UPDATE and DELETE
(``PGHISTORY_APPEND_ONLY``); each event carries the request's context
(acting user, URL path: ids only) as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pghistory
from django.db import models

from ngo_cases.crypto.fields import EncryptedField

M = TypeVar("M", bound=type[models.Model])


def tracked(**kwargs: Any) -> Callable[[M], M]:
    """``@tracked()``: insert, update and delete events of the model."""

    def decorate(model: M) -> M:
        sealed = {
            field.name: models.BinaryField(null=True, editable=False)
            for field in model._meta.local_fields
            if isinstance(field, EncryptedField)
        }
        track = pghistory.track(
            pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), attrs=sealed, **kwargs
        )
        return track(model)

    return decorate
