"""Key configuration, master key rotation and retirement."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from cases.models import Survivor
from cases.tests.factories import make_survivor
from ngo_cases.crypto.errors import KeyConfigurationError, KeyUnavailable
from ngo_cases.crypto.keys import get_keyring, parse_master_keys
from ngo_cases.crypto.models import DataKey
from ngo_cases.crypto.services import master_key_rotate, master_key_status


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.mark.parametrize(
    "spec",
    ["1", "x:" + "A" * 44, "1:not-base64!!", "1:" + base64.b64encode(b"short").decode(), f"1:{'A' * 44},1:{'A' * 44}"],
)
def test_malformed_master_keys_are_refused(spec: str) -> None:
    with pytest.raises(KeyConfigurationError):
        parse_master_keys(spec)


def test_missing_keys_are_an_explicit_error(settings) -> None:
    settings.NGO_MASTER_KEYS = None
    with pytest.raises(KeyConfigurationError, match="NGO_MASTER_KEYS"):
        get_keyring()


def test_blind_index_key_must_differ_from_master_keys(settings) -> None:
    shared = key()
    settings.NGO_MASTER_KEYS = f"1:{shared}"
    settings.NGO_BLIND_INDEX_KEY = shared
    with pytest.raises(KeyConfigurationError, match="differ"):
        get_keyring()


def test_production_refuses_to_start_without_a_master_key(tmp_path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "ngo_cases.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://u@db.invalid/db",
        "CELERY_BROKER_URL": "redis://r.invalid",
        "REDIS_URL": "redis://r.invalid",
        "NGO_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "NGO_MASTER_KEYS" in result.stderr


@pytest.mark.django_db
def test_rotation_rewraps_every_key_in_batches_and_old_version_can_retire(settings) -> None:
    v1 = key()
    settings.NGO_MASTER_KEYS = f"1:{v1}"
    survivors = [make_survivor(given_names=f"Person {i}") for i in range(7)]
    erased = DataKey.objects.get(pk=survivors[0].data_key_id)
    from ngo_cases.crypto.keys import data_key_destroy

    data_key_destroy(erased)

    settings.NGO_MASTER_KEYS = f"2:{key()},1:{v1}"  # v2 becomes current
    new_one = make_survivor(given_names="Born under v2")
    assert DataKey.objects.get(pk=new_one.data_key_id).master_version == 2
    # Interrupted after one batch: resumable, everything still readable meanwhile.
    partial = master_key_rotate(batch_size=2, max_batches=1)
    assert (partial.rewrapped, partial.remaining) == (2, 4)
    assert all(Survivor.objects.get(pk=s.pk).given_names == s.given_names for s in survivors[1:])

    out = io.StringIO()
    call_command("rotate_master_key", batch_size=2, stdout=out)
    assert "rewrapped 4 data keys in 2 batches; 0 left on older versions; 1 destroyed" in out.getvalue()
    assert master_key_status() == {"v2": 7, "destroyed": 1}

    settings.NGO_MASTER_KEYS = settings.NGO_MASTER_KEYS.split(",")[0]  # retire v1
    for survivor in survivors[1:]:
        assert Survivor.objects.select_related("data_key").get(pk=survivor.pk).given_names == survivor.given_names


@pytest.mark.django_db
def test_retiring_a_version_too_early_is_an_explicit_error(settings) -> None:
    v1 = key()
    settings.NGO_MASTER_KEYS = f"1:{v1}"
    survivor = make_survivor(given_names="Early")
    settings.NGO_MASTER_KEYS = f"2:{key()}"
    with pytest.raises(KeyUnavailable, match="version 1"):
        _ = Survivor.objects.get(pk=survivor.pk).given_names
    with pytest.raises(CommandError, match="version 1"):
        call_command("rotate_master_key")
