"""GET /vocabularies: every code with its words, in the caller's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cases.models import CaseStatus
from conftest import Cast
from workspace.apis import VOCABULARIES

pytestmark = pytest.mark.django_db


def test_every_code_list_in_the_callers_language(cast: Cast, client_for: Callable[[Any], Any]) -> None:
    english = client_for(cast.alice).get("/api/v1/vocabularies").json()
    assert set(english) == {*VOCABULARIES, "shared_field"}
    assert {"code": "given_names", "label": "Given names"} in english["shared_field"]
    assert [term["code"] for term in english["case_status"]] == list(CaseStatus.values)  # the model's order
    assert {"code": "ClosedReferred", "label": "Closed, referred"} in english["case_status"]
    cast.alice.language = "ru"
    cast.alice.save()
    russian = client_for(cast.alice).get("/api/v1/vocabularies").json()
    assert {"code": "ClosedReferred", "label": "Закрыто, передано"} in russian["case_status"]
    untranslated = [
        f"{name}: {term['code']}"
        for name, terms in russian.items()
        for term, other in zip(terms, english[name], strict=True)
        if term["label"] == other["label"] and not term["label"].isupper() and any(c.isalpha() for c in term["label"])
    ]
    assert not untranslated  # Russian complete
