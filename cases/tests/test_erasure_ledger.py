"""The erasure ledger (ngo_cases/crypto/erasures.py): a database restored from
before an erasure is held back by the system check until apply_erasures has
destroyed the key again. The restore is imitated here by putting the wrapped
key back in its row, as pg_restore of an older key dump would; the
production drill (deploy/drill) does it with real dumps."""

from __future__ import annotations

from collections.abc import Mapping
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from cases.models import Survivor, SurvivorIndexEntry
from cases.services import survivor_erase
from cases.tests.factories import make_survivor
from conftest import Cast
from ngo_cases.crypto.checks import erased_keys_stay_destroyed
from ngo_cases.crypto.errors import KeyDestroyed
from ngo_cases.crypto.models import DataKey
from ngo_cases.crypto.tasks import write_erasure_ledger

pytestmark = pytest.mark.django_db


def _restore_from_before_the_erasure(survivor: Survivor, saved: Mapping[str, Any]) -> None:
    DataKey.objects.filter(pk=survivor.data_key_id).update(**saved, destroyed_at=None)
    Survivor.objects.filter(pk=survivor.pk).update(erased_at=None, erased_by=None)


def test_a_restore_from_before_an_erasure_is_held_until_the_ledger_is_applied(cast: Cast, tmp_path: Path) -> None:
    erased = make_survivor(created_by=cast.alice, given_names="Ledger-CANARY")
    kept = make_survivor(created_by=cast.alice, given_names="Kept")
    saved = DataKey.objects.filter(pk=erased.data_key_id).values("wrapped_key", "master_version").get()
    survivor_erase(survivor=erased, acting_user=cast.adam)
    ledger = tmp_path / "erasures.txt"
    with override_settings(NGO_ERASURE_LEDGER_PATH=str(ledger)):
        assert write_erasure_ledger() == 1
        text = ledger.read_text()
        assert str(erased.data_key_id) in text and "CANARY" not in text and str(erased.pk) not in text
        assert erased_keys_stay_destroyed(databases=["default"]) == []

        _restore_from_before_the_erasure(erased, saved)
        assert Survivor.objects.get(pk=erased.pk).given_names == "Ledger-CANARY"  # readable again: the gap
        assert [error.id for error in erased_keys_stay_destroyed(databases=["default"])] == ["ngo_cases.E002"]

        out = StringIO()
        call_command("apply_erasures", str(ledger), stdout=out)
        assert "destroyed again: 1 keys, 1 survivors" in out.getvalue()
        assert erased_keys_stay_destroyed(databases=["default"]) == []
    again = Survivor.objects.get(pk=erased.pk)
    assert again.erased_at is not None
    with pytest.raises(KeyDestroyed):
        str(again.given_names)
    assert not SurvivorIndexEntry.objects.filter(survivor=erased).exists()
    assert Survivor.objects.get(pk=kept.pk).given_names == "Kept"
    out = StringIO()
    call_command("apply_erasures", str(ledger), stdout=out)  # twice: nothing more to do
    assert "destroyed again: 0 keys, 0 survivors" in out.getvalue()


def test_export_erasures_prints_ids_and_times_only(cast: Cast) -> None:
    survivor = make_survivor(created_by=cast.alice, given_names="Print-CANARY")
    survivor_erase(survivor=survivor, acting_user=cast.adam)
    out = StringIO()
    call_command("export_erasures", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("# ngo-cases erasure ledger v1")
    assert lines[1].split()[0] == str(survivor.data_key_id) and "CANARY" not in out.getvalue()


def test_an_unreadable_ledger_is_an_error(tmp_path: Path) -> None:
    ledger = tmp_path / "erasures.txt"
    ledger.write_text("not a key id\n")
    with override_settings(NGO_ERASURE_LEDGER_PATH=str(ledger)):
        assert [error.id for error in erased_keys_stay_destroyed(databases=["default"])] == ["ngo_cases.E003"]
