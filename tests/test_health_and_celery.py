"""/healthz against the real database and broker; a real Celery worker.

The broker is whatever the settings say: kombu's filesystem transport on a
fresh machine, Redis or RabbitMQ when CELERY_BROKER_URL is set (CI sets
Redis). Nothing here mocks the broker.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tasks import purge_expired_tokens
from accounts.tests.factories import UserFactory
from ngo_cases.celery import app as celery_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def broker_down(settings) -> Iterator[None]:
    """Point the app at a port where nothing listens (a stopped broker)."""
    keys = ("broker_url", "broker_write_url", "broker_transport_options")
    saved = {key: celery_app.conf[key] for key in keys}
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    celery_app.conf.update(broker_url=url, broker_write_url=url, broker_transport_options={})
    try:
        yield
    finally:
        celery_app.conf.update(saved)


@pytest.mark.django_db
def test_healthz_reports_ok_without_authentication(api: APIClient) -> None:
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "virus_scan": "off"}}


@pytest.mark.django_db
def test_healthz_reports_a_broker_outage_without_details(api: APIClient, broker_down: None) -> None:
    response = api.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "unavailable", "checks": {"database": "ok", "broker": "unavailable", "virus_scan": "off"}}
    assert b"127.0.0.1" not in response.content and b"redis" not in response.content.lower()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_token_purge_from_the_broker() -> None:
    user = UserFactory.create(username="anna")
    ApiToken.objects.create(user=user, device="old", expiry=timedelta(seconds=-60))
    ApiToken.objects.create(user=user, device="current")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
        purge_expired_tokens.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and ApiToken.objects.filter(device="old").exists():
            time.sleep(0.2)
    assert list(ApiToken.objects.values_list("device", flat=True)) == ["current"]
    assert not ApiToken.objects.filter(expiry__lt=timezone.now()).exists()


def _database_url() -> str:
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    host = quote(db["HOST"] or "", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_beat_schedules_and_a_worker_process_delivers(tmp_path: Path) -> None:
    """celery beat and celery worker as real processes, as `make run` starts them."""
    import os
    import subprocess
    import sys

    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    user = UserFactory.create(username="anna")
    ApiToken.objects.create(user=user, device="old", expiry=timedelta(seconds=-60))
    # The schedule is in the database, as an admin would change it.
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    assert PeriodicTask.objects.filter(name="purge-expired-api-tokens").update(interval=every_second) == 1
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="ngo_cases.settings.test",
        DATABASE_URL=_database_url(),
        NGO_VAR_DIR=str(tmp_path),
    )
    celery = [sys.executable, "-m", "celery", "-A", "ngo_cases"]
    worker = subprocess.Popen(  # noqa: S603
        [*celery, "worker", "--pool", "solo", "--without-mingle", "--without-gossip", "-Q", "celery"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    beat = subprocess.Popen(  # noqa: S603
        [*celery, "beat"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and ApiToken.objects.filter(device="old").exists():
            time.sleep(0.5)
    finally:
        for proc in (beat, worker):
            proc.terminate()
        for proc in (beat, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert not ApiToken.objects.filter(device="old").exists()
