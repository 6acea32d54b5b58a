"""The virus scan: clamd's INSTREAM command over its socket
(NGO_CLAMD_SOCKET), fed the file as it is stored, chunk by chunk.

Written here rather than taken from a library: the Python clamd clients on
PyPI are unmaintained (the last ``clamd`` release is from 2020), and the
protocol is four lines — ``zINSTREAM\\0``, length-prefixed chunks, a zero
length, one reply line (clamd's documentation, "INSTREAM").

Fail closed: when a scanner is configured but does not answer, the upload is
refused (503) and nothing is stored. clamd's own StreamMaxLength (25 MB by
default) must be at least NGO_ATTACHMENT_MAX_BYTES (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .errors import Invalid, Unavailable

logger = logging.getLogger(__name__)


def configured() -> bool:
    return bool(settings.NGO_CLAMD_SOCKET)


def _connect() -> socket.socket:
    address: str = settings.NGO_CLAMD_SOCKET or ""
    timeout = settings.NGO_CLAMD_TIMEOUT_SECONDS
    if address.startswith("tcp://"):
        host, _sep, port = address.removeprefix("tcp://").rpartition(":")
        return socket.create_connection((host, int(port)), timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(address)
    return sock


def _unavailable() -> Unavailable:
    return Unavailable(_("The virus scanner does not answer; the file was not stored. Try again later."))


class Scan:
    """One file's scan: ``feed`` each chunk, then ``finish`` (raises
    :class:`Invalid` naming ``file`` when clamd finds something)."""

    def __init__(self) -> None:
        try:
            self._sock = _connect()
            self._sock.sendall(b"zINSTREAM\0")
        except OSError:
            logger.exception("virus scan: clamd at NGO_CLAMD_SOCKET does not answer")
            raise _unavailable() from None

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        try:
            self._sock.sendall(struct.pack(">I", len(chunk)) + chunk)
        except OSError:
            self.close()
            logger.exception("virus scan: clamd closed the stream (is StreamMaxLength below the upload limit?)")
            raise _unavailable() from None

    def finish(self) -> None:
        try:
            self._sock.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                piece = self._sock.recv(4096)
                if not piece:
                    break
                reply += piece
        except OSError:
            logger.exception("virus scan: no reply from clamd")
            raise _unavailable() from None
        finally:
            self.close()
        answer = reply.rstrip(b"\0").decode("ascii", "replace")
        if answer.endswith("OK"):
            return
        if answer.endswith("FOUND"):
            # The signature name only; never the file's name.
            logger.warning("virus scan: an upload was refused (%s)", answer.removeprefix("stream: "))
            raise Invalid({"file": [_("The virus scan found something in this file; it was not stored.")]})
        logger.error("virus scan: unexpected reply from clamd: %s", answer[:200])
        raise _unavailable()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()


def status() -> str:
    """For /healthz: ``off`` (not configured), ``ok`` (clamd answers PING) or ``unavailable``."""
    if not configured():
        return "off"
    try:
        with _connect() as sock:
            sock.sendall(b"zPING\0")
            reply = sock.recv(64)
    except OSError:
        logger.warning("healthz: clamd does not answer", exc_info=True)
        return "unavailable"
    return "ok" if reply.rstrip(b"\0") == b"PONG" else "unavailable"
