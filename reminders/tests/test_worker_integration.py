"""Real processes: a Redis broker this test starts on a spare port, celery
beat and a celery worker. The broker is stopped (losing every queued
message: it keeps nothing on disk) and restarted, and the worker is killed
in the middle of sending an email. Every due reminder still reaches its
recipient exactly once, in the app and by email."""

from __future__ import annotations

import datetime as dt
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from cases.services import follow_up_create
from cases.tests.factories import make_case
from conftest import Cast
from notifications.models import Notification
from reminders.models import Channel, Delivery, Reminder
from reminders.planner import plan_pending
from tests.test_health_and_celery import _database_url

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]
FOLLOW_UPS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder = port, folder
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(_free_port(), tmp_path)
    server.start()
    yield server
    server.kill()


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _schedule_every_second() -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.exclude(name__in=["plan-reminders", "dispatch-reminders"]).update(enabled=False)
    assert PeriodicTask.objects.filter(name__in=["plan-reminders", "dispatch-reminders"]).update(interval=every) == 2


def test_every_due_reminder_is_delivered_once_through_broker_restart_and_worker_crash(
    cast: Cast, redis_server: RedisServer, tmp_path: Path, settings: Any
) -> None:
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    User.objects.filter(pk=cast.alice.pk).update(email="alice@ngo.invalid", time_zone="Pacific/Kiritimati")
    User.objects.filter(pk=cast.sam.pk).update(email="sam@ngo.invalid")
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for n in range(FOLLOW_UPS):
        follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=yesterday, description=f"#{n}")
    settings.NGO_REMINDER_LATE_DAYS = 30
    plan_pending()
    # Due (yesterday) and overdue (today) for alice; the escalation is days away; and the case's review.
    Reminder.objects.exclude(kind__in=["follow_up_due", "follow_up_overdue"]).delete()
    assert Reminder.objects.count() == 2 * FOLLOW_UPS
    _schedule_every_second()

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="ngo_cases.settings.test",
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{redis_server.port}/0",
        NGO_VAR_DIR=str(tmp_path),
        NGO_REMINDER_REDELIVER_SECONDS="5",
        NGO_TEST_EMAIL_BACKEND="reminders.tests.mailbox.SlowFileBackend",
        NGO_TEST_MAIL_DIR=str(mail_dir),
        NGO_TEST_MAIL_DELAY="30",
    )
    celery = [sys.executable, "-m", "celery", "-A", "ngo_cases"]
    worker_args = [*celery, "worker", "--pool", "solo", "--without-mingle", "--without-gossip"]

    def start(args: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603

    beat = start([*celery, "beat"])
    first = start(worker_args)
    second = None
    try:
        # The first worker is in the middle of an email (it waits 30 s before writing it).
        _wait(lambda: any(mail_dir.glob("*.sending")), 60, "a delivery in progress")
        first.kill()
        first.wait(timeout=10)
        # The broker goes down with everything queued, and comes back empty.
        redis_server.kill()
        time.sleep(2)
        redis_server.start()
        env["NGO_TEST_MAIL_DELAY"] = "0"
        second = start(worker_args)
        expected = 2 * FOLLOW_UPS * 2  # reminders x channels
        _wait(
            lambda: Delivery.objects.filter(sent_at__isnull=False).count() == expected,
            120,
            "every delivery to be sent",
        )
    finally:
        for proc in (beat, first, second):
            if proc is not None:
                _stop(proc)

    deliveries = list(Delivery.objects.all())
    assert len(deliveries) == expected and all(d.sent_at and d.outcome == "sent" for d in deliveries)
    assert any(d.attempts >= 2 for d in deliveries)  # something was enqueued again after the crash
    # In the app: one notification per reminder.
    assert Notification.objects.filter(recipient=cast.alice, kind="reminder").count() == 2 * FOLLOW_UPS
    # By email: every email delivery written exactly once, nothing else.
    headers = Counter(email.message_from_bytes(path.read_bytes())["X-NGO-Cases"] for path in mail_dir.glob("*.eml"))
    email_ids = {d.pk for d in deliveries if d.channel == Channel.EMAIL}
    assert headers == Counter({f"reminder-delivery {pk}": 1 for pk in email_ids})
