"""The live server of the browser and contract suites, without Nagle's delay.

Django's test server writes a response's headers and body in separate
``send()`` calls. On a kept-alive connection (browsers, and schemathesis'
``requests.Session``) the body then waits for the client's delayed ACK:
every request took ~40 ms longer than its work — measured 61 ms per
request on a kept-alive connection against 16 ms on a fresh one for the same
400 answer. Setting ``TCP_NODELAY`` on each accepted connection sends the
body at once, as gunicorn does.
"""

from __future__ import annotations

import socket
from typing import Any

from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread


class NoDelayWSGIServer(ThreadedWSGIServer):
    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


def install() -> None:
    """Make pytest-django's ``live_server`` use :class:`NoDelayWSGIServer`."""
    LiveServerThread.server_class = NoDelayWSGIServer
