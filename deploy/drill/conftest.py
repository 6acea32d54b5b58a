"""Fixtures of the production drill: the stack (deploy/drill/stack.py), and
a client that speaks to it as the TLS proxy would pass requests on."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django_otp.oath import TOTP
from stack import HOST, PASSWORD, Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    started = time.monotonic()
    drill = Stack(work=Path(tmp_path_factory.mktemp("drill")))
    try:
        drill.start()
        took = time.monotonic() - started
        print(f"\ndrill: stack up in {took:.1f} s (roles, migrate, collectstatic, gunicorn, worker, beat)")
        yield drill
    finally:
        for name in ("web", "worker", "beat"):
            text = drill.log(name)
            if "Traceback" in text:
                print(f"\n--- {name}.log (tail) ---\n{text}")
        drill.stop()


class Client(requests.Session):
    """Requests as the TLS-terminating proxy forwards them: the public host name and X-Forwarded-Proto."""

    def __init__(self, origin: str) -> None:
        super().__init__()
        self.origin = origin
        self.headers.update({"Host": HOST, "X-Forwarded-Proto": "https", "Accept": "application/json"})

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        verb = method.decode() if isinstance(method, bytes) else method
        return super().request(verb, f"{self.origin}{url!s}", *args, **kwargs)


def code_for(secret: str, *, step_offset: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * step_offset
    return f"{totp.token():06d}"


@pytest.fixture(scope="session")
def caseworker(stack: Stack) -> Client:
    """The drill's caseworker signed in with her password and a one-time code
    (enrolled on first sign-in: MFA is required in production)."""
    client = Client(stack.origin)
    first = client.post("/api/v1/auth/login", json={"username": "dana", "password": PASSWORD})
    assert first.status_code == 200, first.text
    assert first.json()["scope"] == "mfa_enrolment"
    enrolling = {"Authorization": f"Bearer {first.json()['token']}"}
    begun = client.post("/api/v1/auth/mfa/totp/begin", headers=enrolling)
    assert begun.status_code == 200, begun.text
    secret = begun.json()["secret"]
    confirmed = client.post("/api/v1/auth/mfa/totp/confirm", json={"otp": code_for(secret)}, headers=enrolling)
    assert confirmed.status_code == 200, confirmed.text
    refused = client.post("/api/v1/auth/login", json={"username": "dana", "password": PASSWORD})
    assert refused.status_code == 401 and refused.json()["type"].endswith("mfa-required")
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": "dana", "password": PASSWORD, "otp": code_for(secret, step_offset=1)}
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["scope"] == "full"
    client.headers["Authorization"] = f"Bearer {signed_in.json()['token']}"
    return client
