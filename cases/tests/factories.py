"""Survivors are made through ``survivor_create``, like production: with a
data key, encrypted identity and blind indexes."""

from __future__ import annotations

import datetime
from typing import Any

from accounts.models import User
from accounts.tests.factories import UserFactory
from cases.models import Survivor
from cases.services import survivor_create


def make_survivor(*, created_by: User | None = None, **fields: Any) -> Survivor:
    defaults: dict[str, Any] = {
        "given_names": "Test",
        "family_name": "Survivor",
        "date_of_birth": datetime.date(1990, 1, 1),
        "gender": "Feminine",
        "citizenships": ["UZB"],
        "languages": ["uz", "ru"],
    }
    defaults.update(fields)
    creator = created_by or User.objects.filter(username="survivor-creator").first()
    if creator is None:
        creator = UserFactory.create(username="survivor-creator")
    return survivor_create(created_by=creator, **defaults)
