"""Fixtures of the production drill: the stack (deploy/drill/stack.py), and
a client that speaks to it as the TLS proxy would pass requests on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack import Client, Stack, sign_in_with_mfa


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


@pytest.fixture(scope="session")
def caseworker(stack: Stack) -> Client:
    """The drill's caseworker signed in with her password and a one-time code (enrolled on the first
    sign-in, which MFA required in production allows for nothing else; stack.sign_in_with_mfa)."""
    return sign_in_with_mfa(stack)
