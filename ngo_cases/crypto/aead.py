"""AES-256-GCM sealing with a format byte, a random 96-bit nonce and
associated data that binds the ciphertext to where it belongs.

Blob layout: ``format (1 byte) | nonce (12) | ciphertext | tag (16)``.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DecryptionFailed

FORMAT_V1 = 1
NONCE_BYTES = 12
KEY_BYTES = 32
OVERHEAD = 1 + NONCE_BYTES + 16


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(cipher: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return bytes((FORMAT_V1,)) + nonce + cipher.encrypt(nonce, plaintext, aad)


def open_sealed(cipher: AESGCM, blob: bytes, aad: bytes, *, where: str) -> bytes:
    if len(blob) < OVERHEAD or blob[0] != FORMAT_V1:
        raise DecryptionFailed(f"{where}: not a ciphertext of a known format")
    try:
        return cipher.decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise DecryptionFailed(f"{where}: authentication failed (wrong key, tampered or moved ciphertext)") from None
