"""The virus scan (ngo_cases/virus_scan.py) against a stand-in clamd that
speaks clamd's INSTREAM protocol on a Unix socket: what clamd answers
decides whether the upload is stored; a scanner that does not answer
refuses the upload (fail closed); /healthz says which."""

from __future__ import annotations

import io
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from attachments.models import Attachment
from attachments.tests.factories import small_pdf
from cases.tests.factories import make_case
from conftest import Cast

Client = Callable[[User | None], APIClient]
EICAR_MARK = b"EICAR-STANDIN"


class FakeClamd:
    """Answers PING and INSTREAM like clamd; "finds" EICAR_MARK."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(5)
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                if command == b"zPING\0":
                    conn.sendall(b"PONG\0")
                    continue
                data = b""
                while True:
                    (size,) = struct.unpack(">I", self._exactly(conn, 4))
                    if size == 0:
                        break
                    data += self._exactly(conn, size)
                self.received.append(data)
                verdict = b"stream: Eicar-Test-Signature FOUND\0" if EICAR_MARK in data else b"stream: OK\0"
                conn.sendall(verdict)

    @staticmethod
    def _exactly(conn: socket.socket, size: int) -> bytes:
        out = b""
        while len(out) < size:
            piece = conn.recv(size - len(out))
            if not piece:
                raise OSError("closed")
            out += piece
        return out

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def clamd(settings: Any, tmp_path: Path) -> Iterator[FakeClamd]:
    fake = FakeClamd(tmp_path / "clamd.sock")
    settings.NGO_CLAMD_SOCKET = fake.path
    settings.NGO_CLAMD_TIMEOUT_SECONDS = 5
    yield fake
    fake.close()


def _upload(client: APIClient, case: Any, data: bytes) -> Any:
    handle = io.BytesIO(data)
    handle.name = "scan.pdf"
    return client.post(
        f"/api/v1/cases/{case.pk}/attachments/", {"file": handle, "category": "other"}, format="multipart"
    )


def test_a_clean_file_is_scanned_then_stored(cast: Cast, client_for: Client, clamd: FakeClamd, api: APIClient) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    assert _upload(client_for(cast.alice), case, small_pdf()).status_code == 201
    assert clamd.received == [small_pdf()]  # the plaintext went to the scanner, whole
    assert api.get("/healthz").json()["checks"]["virus_scan"] == "ok"


def test_a_file_the_scanner_flags_is_refused_and_not_stored(
    cast: Cast, client_for: Client, clamd: FakeClamd, attachment_dir: Path
) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    refused = _upload(client_for(cast.alice), case, small_pdf() + b"%" + EICAR_MARK + b"\n")
    assert refused.status_code == 400 and "virus scan" in refused.json()["errors"]["file"][0]
    assert not Attachment.objects.exists()
    assert not [p for p in attachment_dir.rglob("*") if p.is_file()]


def test_a_scanner_that_does_not_answer_refuses_uploads(
    cast: Cast, client_for: Client, settings: Any, tmp_path: Path, api: APIClient
) -> None:
    settings.NGO_CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    refused = _upload(client_for(cast.alice), case, small_pdf())
    assert refused.status_code == 503 and refused["Content-Type"] == "application/problem+json"
    assert not Attachment.objects.exists()
    health = api.get("/healthz")
    assert health.json()["checks"]["virus_scan"] == "unavailable"
    assert health.status_code == 200  # the rest works: reported, not a reason to take the service out
