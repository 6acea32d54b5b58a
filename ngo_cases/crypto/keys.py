"""Master keys, data keys and blind-index keys.

* Master keys come from ``NGO_MASTER_KEYS`` (or ``NGO_MASTER_KEYS_FILE``):
  comma-separated ``<version>:<base64 of 32 bytes>``. New data keys are
  wrapped with ``NGO_MASTER_KEY_CURRENT`` (default: the highest version).
  Older versions stay listed until ``rotate_master_key`` has rewrapped every
  data key; then they can be removed (retired).
* Blind-index keys derive from ``NGO_BLIND_INDEX_KEY`` (32 bytes, base64),
  one HKDF-SHA256 key per index.
* Data keys are random AES-256 keys, one per survivor, stored wrapped in
  ``keystore.crypto_datakey``. Unwrapped keys live only on the DataKey
  instance that unwrapped them (one request), never in a shared cache, so
  that erasure takes effect at once in every process.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

from . import aead
from .errors import KeyConfigurationError, KeyDestroyed, KeyUnavailable
from .models import DataKey

KEY_SETTINGS = {"NGO_MASTER_KEYS", "NGO_MASTER_KEY_CURRENT", "NGO_BLIND_INDEX_KEY"}


def _decode_key(text: str, *, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigurationError(f"{what} is not valid base64") from None
    if len(key) != aead.KEY_BYTES:
        raise KeyConfigurationError(f"{what} must be {aead.KEY_BYTES} bytes, not {len(key)}")
    return key


def parse_master_keys(spec: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        version_text, sep, key_text = item.partition(":")
        version_text = version_text.strip().lstrip("v")
        if not sep or not version_text.isdigit():
            raise KeyConfigurationError("NGO_MASTER_KEYS entries look like '<version>:<base64 key>'")
        version = int(version_text)
        if version in keys:
            raise KeyConfigurationError(f"master key version {version} is listed twice")
        keys[version] = _decode_key(key_text, what=f"master key version {version}")
    return keys


def generate_key_text() -> str:
    return base64.b64encode(aead.new_key()).decode("ascii")


@dataclass(frozen=True)
class Keyring:
    master: dict[int, AESGCM]
    current_version: int
    blind_index_root: bytes

    def master_cipher(self, version: int) -> AESGCM:
        try:
            return self.master[version]
        except KeyError:
            raise KeyUnavailable(f"master key version {version} is not configured (retired too early?)") from None


@cache
def get_keyring() -> Keyring:
    spec = getattr(settings, "NGO_MASTER_KEYS", None)
    if not spec:
        raise KeyConfigurationError("No master key: set NGO_MASTER_KEYS or NGO_MASTER_KEYS_FILE.")
    raw = parse_master_keys(spec)
    if not raw:
        raise KeyConfigurationError("NGO_MASTER_KEYS lists no key.")
    current = getattr(settings, "NGO_MASTER_KEY_CURRENT", None) or max(raw)
    if current not in raw:
        raise KeyConfigurationError(f"NGO_MASTER_KEY_CURRENT={current} is not among the configured versions.")
    root_text = getattr(settings, "NGO_BLIND_INDEX_KEY", None)
    if not root_text:
        raise KeyConfigurationError("No blind-index key: set NGO_BLIND_INDEX_KEY or NGO_BLIND_INDEX_KEY_FILE.")
    root = _decode_key(root_text, what="NGO_BLIND_INDEX_KEY")
    if root in raw.values():
        raise KeyConfigurationError("The blind-index key must differ from every master key.")
    return Keyring(
        master={version: AESGCM(key) for version, key in raw.items()},
        current_version=int(current),
        blind_index_root=root,
    )


def reset_keyring(*, setting: str = "", **kwargs: Any) -> None:
    if not setting or setting in KEY_SETTINGS:
        get_keyring.cache_clear()
        blind_index_key.cache_clear()


@cache
def blind_index_key(index_name: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"ngo-cases blind index v1 {index_name}".encode(),
    ).derive(get_keyring().blind_index_root)


# --- data keys ------------------------------------------------------------------


def _wrap_aad(data_key_id: Any, master_version: int) -> bytes:
    return f"ngo-cases:datakey:v1|{data_key_id}|{master_version}".encode()


def data_key_create() -> DataKey:
    """A new random data key, wrapped with the current master key (unsaved)."""
    keyring = get_keyring()
    data_key = DataKey()
    raw = aead.new_key()
    data_key.master_version = keyring.current_version
    data_key.wrapped_key = aead.seal(
        keyring.master_cipher(keyring.current_version), raw, _wrap_aad(data_key.id, keyring.current_version)
    )
    data_key._cipher = AESGCM(raw)  # type: ignore[attr-defined]
    return data_key


def data_cipher(data_key: DataKey) -> AESGCM:
    """The AES-GCM cipher of an unwrapped data key, cached on this instance."""
    cipher: AESGCM | None = getattr(data_key, "_cipher", None)
    if cipher is not None:
        return cipher
    if data_key.destroyed_at is not None or data_key.wrapped_key is None or data_key.master_version is None:
        raise KeyDestroyed(f"data key {data_key.id} was destroyed (survivor erased)")
    raw = aead.open_sealed(
        get_keyring().master_cipher(data_key.master_version),
        bytes(data_key.wrapped_key),
        _wrap_aad(data_key.id, data_key.master_version),
        where=f"data key {data_key.id}",
    )
    cipher = AESGCM(raw)
    data_key._cipher = cipher  # type: ignore[attr-defined]
    return cipher


def data_key_rewrap(data_key: DataKey, *, to_version: int) -> None:
    """Unwrap with its master version and wrap again with ``to_version`` (unsaved)."""
    if data_key.destroyed_at is not None or data_key.wrapped_key is None or data_key.master_version is None:
        return
    keyring = get_keyring()
    raw = aead.open_sealed(
        keyring.master_cipher(data_key.master_version),
        bytes(data_key.wrapped_key),
        _wrap_aad(data_key.id, data_key.master_version),
        where=f"data key {data_key.id}",
    )
    data_key.wrapped_key = aead.seal(keyring.master_cipher(to_version), raw, _wrap_aad(data_key.id, to_version))
    data_key.master_version = to_version


def data_key_destroy(data_key: DataKey) -> None:
    """Crypto-shredding: the wrapped key is overwritten with NULL, for good."""
    DataKey.objects.filter(pk=data_key.pk).update(wrapped_key=None, master_version=None, destroyed_at=timezone.now())
    data_key.wrapped_key = None
    data_key.master_version = None
    data_key.destroyed_at = timezone.now()
    if hasattr(data_key, "_cipher"):
        del data_key._cipher
