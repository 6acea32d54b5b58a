"""Streaming encryption of files (attachments, issue 17): chunked AES-256-GCM
whose every chunk is bound to its file, its place and whether it is the last.

Keys. Each file gets its own random 256-bit **file key**, wrapped with the
survivor's data key (``wrap_file_key``; associated data names the file) and
kept in the file's database row. Erasing the survivor destroys the data key,
so every file key — and every file — becomes unreadable with the rest
(crypto-shredding); rotating the master key rewraps data keys only, so no
file is re-encrypted. A fresh key per file lets the nonces be counters.

Format (version 1)::

    header:  b"NGOA" | version (1 byte) | chunk size (4 bytes, big-endian)
    chunks:  AES-GCM(file key, nonce = index (8 bytes) | final flag (4 bytes),
                     plaintext chunk, aad = "ngo-cases:attachment:v1|<file id>|<index>|<final>")

Every chunk but the last holds exactly ``chunk size`` bytes of plaintext; the
last holds the rest (possibly nothing) and is sealed with the final flag
set. So a flipped byte, chunks reordered or moved from another file, a
dropped last chunk (the one before it was sealed as not final) and data
appended after the final chunk are all refused with :class:`DecryptionFailed`
— never a silently shorter or different file.

Both directions stream: memory holds one chunk, whatever the file's size,
and no plaintext is written anywhere (callers pass iterables of bytes).
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterable, Iterator
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import aead
from .errors import DecryptionFailed

MAGIC = b"NGOA"
VERSION = 1
HEADER = struct.Struct(">4sBI")
CHUNK_SIZE = 64 * 1024
TAG_BYTES = 16
MAX_CHUNK_SIZE = 16 * 1024 * 1024


def _nonce(index: int, final: bool) -> bytes:
    return struct.pack(">QI", index, 1 if final else 0)


def _aad(file_id: Any, index: int, final: bool) -> bytes:
    return f"ngo-cases:attachment:v1|{file_id}|{index}|{int(final)}".encode()


def _key_aad(file_id: Any) -> bytes:
    return f"ngo-cases:attachment-key:v1|{file_id}".encode()


# --- file keys ---------------------------------------------------------------------------------


def wrap_file_key(data_cipher: AESGCM, file_id: Any) -> tuple[bytes, bytes]:
    """A new file key and its wrapped form (sealed with the survivor's data
    key, bound to the file's id): ``(raw, wrapped)``; store only ``wrapped``."""
    raw = os.urandom(aead.KEY_BYTES)
    return raw, seal_file_key(data_cipher, file_id, raw)


def seal_file_key(data_cipher: AESGCM, file_id: Any, raw: bytes) -> bytes:
    """A file key chosen before its survivor was known (an upload), wrapped."""
    return aead.seal(data_cipher, raw, _key_aad(file_id))


def unwrap_file_key(data_cipher: AESGCM, file_id: Any, wrapped: bytes) -> bytes:
    return aead.open_sealed(data_cipher, wrapped, _key_aad(file_id), where=f"file key of {file_id}")


# --- the stream ----------------------------------------------------------------------------------


class Encryptor:
    """The push form of :func:`encrypt`, for data that arrives in pieces
    (an upload): ``header()`` once, ``update(piece)`` for each piece, then
    ``finish()``; each returns the ciphertext ready to write. Holds at most
    one chunk of plaintext."""

    def __init__(self, file_key: bytes, file_id: Any, *, chunk_size: int = CHUNK_SIZE) -> None:
        if not 0 < chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError("chunk size out of range")
        self._cipher = AESGCM(file_key)
        self._file_id = file_id
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._index = 0
        self._finished = False

    def header(self) -> bytes:
        return HEADER.pack(MAGIC, VERSION, self._chunk_size)

    def _seal(self, chunk: bytes, final: bool) -> bytes:
        sealed = self._cipher.encrypt(_nonce(self._index, final), chunk, _aad(self._file_id, self._index, final))
        self._index += 1
        return sealed

    def update(self, piece: bytes) -> bytes:
        """Seal every full chunk but the last full one (which may turn out to
        be the final chunk): the ciphertext of what can be sealed so far."""
        if self._finished:
            raise ValueError("the stream is finished")
        self._buffer += piece
        out = []
        size = self._chunk_size
        while len(self._buffer) > size:
            out.append(self._seal(bytes(self._buffer[:size]), False))
            del self._buffer[:size]
        return b"".join(out)

    def finish(self) -> bytes:
        self._finished = True
        chunk, self._buffer = bytes(self._buffer), bytearray()
        return self._seal(chunk, True)


def encrypt(
    file_key: bytes, file_id: Any, plaintext: Iterable[bytes], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """The encrypted file, as the header and then one sealed chunk at a time."""
    encryptor = Encryptor(file_key, file_id, chunk_size=chunk_size)
    yield encryptor.header()
    for piece in plaintext:
        sealed = encryptor.update(piece)
        if sealed:
            yield sealed
    yield encryptor.finish()


def encrypted_size(plaintext_size: int, *, chunk_size: int = CHUNK_SIZE) -> int:
    """What ``encrypt`` writes for ``plaintext_size`` bytes: the header and
    one tag per chunk (an empty file is one empty final chunk)."""
    chunks = max(1, -(-plaintext_size // chunk_size))
    return HEADER.size + plaintext_size + chunks * TAG_BYTES


def decrypt(file_key: bytes, file_id: Any, ciphertext: Iterable[bytes]) -> Iterator[bytes]:
    """The plaintext, one chunk at a time; :class:`DecryptionFailed` as soon
    as anything is wrong (a chunk already yielded was authentic, but the
    caller must treat the whole file as failed: see ``decrypt_all``)."""
    cipher = AESGCM(file_key)
    blocks = _Blocks(ciphertext)
    header = blocks.take(HEADER.size)
    if len(header) != HEADER.size:
        raise DecryptionFailed(f"attachment {file_id}: not an encrypted attachment (no header)")
    magic, version, chunk_size = HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise DecryptionFailed(f"attachment {file_id}: not an encrypted attachment of a known format")
    sealed_size = chunk_size + TAG_BYTES
    index = 0
    current = blocks.take(sealed_size)
    while True:
        following = blocks.take(sealed_size) if len(current) == sealed_size else b""
        final = not following
        if len(current) < TAG_BYTES:
            raise DecryptionFailed(f"attachment {file_id}: truncated (chunk {index} is incomplete)")
        try:
            yield cipher.decrypt(_nonce(index, final), current, _aad(file_id, index, final))
        except InvalidTag:
            what = "truncated, or a chunk is missing" if final else "tampered, reordered or from another file"
            raise DecryptionFailed(f"attachment {file_id}: chunk {index} failed authentication ({what})") from None
        if final:
            return
        current, index = following, index + 1


def decrypt_all(file_key: bytes, file_id: Any, ciphertext: Iterable[bytes]) -> bytes:
    """The whole plaintext at once (small files, tests)."""
    return b"".join(decrypt(file_key, file_id, ciphertext))


class _Blocks:
    """Exact-size reads over an iterable of byte strings of any sizes."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        self._buffer = bytearray()

    def take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        taken = bytes(self._buffer[:size])
        del self._buffer[:size]
        return taken


class SeekableDecryptor(io.RawIOBase):
    """Random access to the plaintext of an encrypted file, for a parser that
    seeks (pypdf reads a PDF from its end): each read decrypts and checks the
    chunks it touches, one chunk held at a time. ``raw`` is the encrypted
    file opened for reading and seeking; its size tells which chunk is the
    final one, so a truncated file fails like in :func:`decrypt`."""

    def __init__(self, file_key: bytes, file_id: Any, raw: Any, *, encrypted_bytes: int) -> None:
        super().__init__()
        self._cipher = AESGCM(file_key)
        self._file_id = file_id
        self._raw = raw
        raw.seek(0)
        header = raw.read(HEADER.size)
        if len(header) != HEADER.size:
            raise DecryptionFailed(f"attachment {file_id}: not an encrypted attachment (no header)")
        magic, version, chunk_size = HEADER.unpack(header)
        if magic != MAGIC or version != VERSION or not 0 < chunk_size <= MAX_CHUNK_SIZE:
            raise DecryptionFailed(f"attachment {file_id}: not an encrypted attachment of a known format")
        self._chunk_size = chunk_size
        body = encrypted_bytes - HEADER.size
        sealed = chunk_size + TAG_BYTES
        self._chunks = max(1, -(-body // sealed))
        last = body - (self._chunks - 1) * sealed
        if last < TAG_BYTES:
            raise DecryptionFailed(f"attachment {file_id}: truncated (chunk {self._chunks - 1} is incomplete)")
        self._size = (self._chunks - 1) * chunk_size + last - TAG_BYTES
        self._position = 0
        self._cached: tuple[int, bytes] | None = None

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        final = index == self._chunks - 1
        sealed_size = self._chunk_size + TAG_BYTES
        self._raw.seek(HEADER.size + index * sealed_size)
        sealed = self._raw.read(sealed_size)
        try:
            plain = self._cipher.decrypt(_nonce(index, final), sealed, _aad(self._file_id, index, final))
        except InvalidTag:
            raise DecryptionFailed(f"attachment {self._file_id}: chunk {index} failed authentication") from None
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer: Any) -> int:
        """Fills ``buffer`` as far as the file goes (across chunks: parsers
        expect a read to be short only at the end)."""
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self._position < self._size:
            index, offset = divmod(self._position, self._chunk_size)
            piece = self._chunk(index)[offset : offset + len(view) - filled]
            view[filled : filled + len(piece)] = piece
            filled += len(piece)
            self._position += len(piece)
        return filled
