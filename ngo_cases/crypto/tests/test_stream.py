"""Streaming file encryption (ngo_cases/crypto/stream.py): every way a file
can be damaged or swapped is refused, never read back shorter or different."""

from __future__ import annotations

import os
import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ngo_cases.crypto import aead, stream
from ngo_cases.crypto.errors import DecryptionFailed

SMALL = 16  # a small chunk size, so that a few bytes make several chunks


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def _sealed(key: bytes, file_id: uuid.UUID, data: bytes, chunk_size: int = SMALL) -> list[bytes]:
    """The header and the sealed chunks, one list item each."""
    return list(stream.encrypt(key, file_id, _pieces(data, 7), chunk_size=chunk_size))


@pytest.mark.parametrize("size", [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 3 * SMALL + 5])
def test_round_trip_whatever_the_size_and_the_input_pieces(size: int) -> None:
    key, file_id, data = os.urandom(32), uuid.uuid4(), os.urandom(size)
    sealed = _sealed(key, file_id, data)
    assert sum(map(len, sealed)) == stream.encrypted_size(size, chunk_size=SMALL)
    # read back from pieces of sizes unrelated to the chunks
    joined = b"".join(sealed)
    for piece in (1, 5, 64, len(joined)):
        assert stream.decrypt_all(key, file_id, _pieces(joined, piece)) == data
    # no plaintext in the ciphertext (below 16 bytes a random match, e.g. the header's version byte, is chance)
    assert len(data) < 16 or data not in joined


def test_the_default_chunks_stream_a_large_file() -> None:
    key, file_id = os.urandom(32), uuid.uuid4()
    data = os.urandom(3 * stream.CHUNK_SIZE + 123)
    sealed = list(stream.encrypt(key, file_id, _pieces(data, 10_000)))
    assert len(sealed) == 1 + 4 and max(map(len, sealed)) == stream.CHUNK_SIZE + stream.TAG_BYTES
    assert stream.decrypt_all(key, file_id, sealed) == data


def test_a_flipped_byte_is_refused() -> None:
    key, file_id = os.urandom(32), uuid.uuid4()
    joined = bytearray(b"".join(_sealed(key, file_id, os.urandom(3 * SMALL))))
    joined[stream.HEADER.size + SMALL + 20] ^= 0x01  # in the second chunk
    with pytest.raises(DecryptionFailed, match="chunk 1 failed authentication"):
        stream.decrypt_all(key, file_id, [bytes(joined)])


def test_a_dropped_last_chunk_is_refused_even_at_a_chunk_boundary() -> None:
    key, file_id = os.urandom(32), uuid.uuid4()
    for data in (os.urandom(3 * SMALL + 5), os.urandom(3 * SMALL)):
        sealed = _sealed(key, file_id, data)
        with pytest.raises(DecryptionFailed, match="truncated, or a chunk is missing"):
            stream.decrypt_all(key, file_id, sealed[:-1])


def test_a_cut_final_chunk_and_an_empty_body_are_refused() -> None:
    key, file_id = os.urandom(32), uuid.uuid4()
    joined = b"".join(_sealed(key, file_id, os.urandom(2 * SMALL + 9)))
    with pytest.raises(DecryptionFailed):
        stream.decrypt_all(key, file_id, [joined[:-3]])
    with pytest.raises(DecryptionFailed, match="incomplete"):
        stream.decrypt_all(key, file_id, [joined[: stream.HEADER.size]])
    with pytest.raises(DecryptionFailed, match="no header"):
        stream.decrypt_all(key, file_id, [b"NGO"])


def test_reordered_chunks_and_data_after_the_final_chunk_are_refused() -> None:
    key, file_id = os.urandom(32), uuid.uuid4()
    sealed = _sealed(key, file_id, os.urandom(4 * SMALL))
    header, chunks = sealed[0], sealed[1:]
    with pytest.raises(DecryptionFailed, match="chunk 0 failed"):
        stream.decrypt_all(key, file_id, [header, chunks[1], chunks[0], *chunks[2:]])
    with pytest.raises(DecryptionFailed):
        stream.decrypt_all(key, file_id, [*sealed, chunks[0]])


def test_chunks_swapped_between_two_files_are_refused() -> None:
    """Same key on purpose (the worst case): the file id in every chunk's
    associated data still tells the files apart."""
    key = os.urandom(32)
    first, second = uuid.uuid4(), uuid.uuid4()
    a, b = _sealed(key, first, os.urandom(3 * SMALL)), _sealed(key, second, os.urandom(3 * SMALL))
    with pytest.raises(DecryptionFailed, match="chunk 1 failed"):
        stream.decrypt_all(key, first, [a[0], a[1], b[2], a[3]])
    with pytest.raises(DecryptionFailed):
        stream.decrypt_all(key, second, a)  # a whole file under another file's id


def test_the_file_key_is_bound_to_its_file_and_unreadable_without_the_data_key() -> None:
    data_cipher = AESGCM(aead.new_key())
    file_id = uuid.uuid4()
    raw, wrapped = stream.wrap_file_key(data_cipher, file_id)
    assert raw not in wrapped and stream.unwrap_file_key(data_cipher, file_id, wrapped) == raw
    with pytest.raises(DecryptionFailed):
        stream.unwrap_file_key(data_cipher, uuid.uuid4(), wrapped)
    with pytest.raises(DecryptionFailed):
        stream.unwrap_file_key(AESGCM(aead.new_key()), file_id, wrapped)


def test_an_unknown_format_is_refused() -> None:
    key, file_id = os.urandom(32), uuid.uuid4()
    sealed = _sealed(key, file_id, b"x")
    forged = stream.HEADER.pack(b"NGOA", 9, SMALL)
    with pytest.raises(DecryptionFailed, match="known format"):
        stream.decrypt_all(key, file_id, [forged, *sealed[1:]])


def test_pushed_pieces_give_the_same_format_as_the_stream() -> None:
    key, file_id, data = os.urandom(32), uuid.uuid4(), os.urandom(5 * SMALL + 3)
    encryptor = stream.Encryptor(key, file_id, chunk_size=SMALL)
    pushed = encryptor.header() + b"".join(encryptor.update(piece) for piece in _pieces(data, 11)) + encryptor.finish()
    assert len(pushed) == stream.encrypted_size(len(data), chunk_size=SMALL)
    assert stream.decrypt_all(key, file_id, [pushed]) == data
    with pytest.raises(ValueError, match="finished"):
        encryptor.update(b"more")


@pytest.mark.parametrize("size", [0, 1, SMALL, 3 * SMALL, 3 * SMALL + 5])
def test_the_seekable_reader_reads_any_range(size: int) -> None:
    import io

    key, file_id, data = os.urandom(32), uuid.uuid4(), os.urandom(size)
    joined = b"".join(_sealed(key, file_id, data))
    reader = stream.SeekableDecryptor(key, file_id, io.BytesIO(joined), encrypted_bytes=len(joined))
    assert reader.size == size
    assert reader.read() == data
    for start in range(0, size, 5):
        reader.seek(start)
        assert reader.read(9) == data[start : start + 9]
    reader.seek(-min(size, 3), io.SEEK_END)
    assert reader.read() == data[-min(size, 3) :] if size else reader.read() == b""


def test_the_seekable_reader_refuses_truncation_and_tampering() -> None:
    import io

    key, file_id, data = os.urandom(32), uuid.uuid4(), os.urandom(3 * SMALL)
    joined = b"".join(_sealed(key, file_id, data))
    last = len(joined) - (SMALL + stream.TAG_BYTES)  # the final chunk dropped
    reader = stream.SeekableDecryptor(key, file_id, io.BytesIO(joined[:last]), encrypted_bytes=last)
    with pytest.raises(DecryptionFailed, match="chunk 1 failed authentication"):
        reader.seek(SMALL + 1)
        reader.read(4)
    flipped = bytearray(joined)
    flipped[stream.HEADER.size + 3] ^= 1
    reader = stream.SeekableDecryptor(key, file_id, io.BytesIO(bytes(flipped)), encrypted_bytes=len(flipped))
    assert reader.seek(SMALL + 2) == SMALL + 2 and reader.read(3) == data[SMALL + 2 : SMALL + 5]  # other chunks read
    with pytest.raises(DecryptionFailed, match="chunk 0 failed authentication"):
        reader.seek(0)
        reader.read(1)
