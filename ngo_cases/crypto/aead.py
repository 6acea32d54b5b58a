"""AES-256-GCM sealing with a format byte, a random 96-bit nonce and
associated data that binds the ciphertext to where it belongs.

Blob layout: ``format (1 byte) | nonce (12) | ciphertext | tag (16)``.
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DecryptionFailed

FORMAT_V1 = 1
NONCE_BYTES = 12
KEY_BYTES = 32
OVERHEAD = 1 + NONCE_BYTES + 16
_BODY = 1 + NONCE_BYTES


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(cipher: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return bytes((FORMAT_V1,)) + nonce + cipher.encrypt(nonce, plaintext, aad)


def open_sealed(cipher: AESGCM, blob: bytes, aad: bytes, *, where: Any, row: Any = None) -> bytes:
    """The plaintext, or :class:`DecryptionFailed` naming ``where``: a string,
    or an object with ``_where(row)`` (a field), whose name is built only on
    failure, off the hot path."""
    try:
        if blob[0] == FORMAT_V1 and len(blob) >= OVERHEAD:
            return cipher.decrypt(blob[1:_BODY], blob[_BODY:], aad)
    except InvalidTag:
        raise DecryptionFailed(
            f"{_name(where, row)}: authentication failed (wrong key, tampered or moved ciphertext)"
        ) from None
    except IndexError:
        pass
    raise DecryptionFailed(f"{_name(where, row)}: not a ciphertext of a known format")


def _name(where: Any, row: Any) -> str:
    return where if isinstance(where, str) else str(where._where(row))
