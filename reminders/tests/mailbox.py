"""An email backend for tests that run a real worker process: each message
becomes a file in ``NGO_TEST_MAIL_DIR``. With ``NGO_TEST_MAIL_DELAY`` it
first leaves a marker and waits, so that a test can kill the worker while a
delivery is in the middle of sending."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        folder = Path(os.environ["NGO_TEST_MAIL_DIR"])
        delay = float(os.environ.get("NGO_TEST_MAIL_DELAY", "0"))
        for message in email_messages:
            name = uuid.uuid4().hex
            if delay:
                (folder / f"{name}.sending").write_text(str(os.getpid()))
                time.sleep(delay)
            (folder / f"{name}.tmp").write_bytes(message.message().as_bytes())
            (folder / f"{name}.tmp").rename(folder / f"{name}.eml")
        return len(email_messages)
