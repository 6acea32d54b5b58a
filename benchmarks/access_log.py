"""manage.py bench_access_log [--rounds N]: what the access log costs.

Runs on the case benchmark's data set (``make bench-cases`` builds it: a
million cases). For a caseworker and a supervisor it times GET
/api/v1/cases/ (a page of 50) and GET /api/v1/cases/{id} with the access
log written (as in production) and with the base API class's log write
switched off, interleaved round by round so that both see the same cache
and load, and prints p50, p95 and the ratio. Every timed request commits,
so the chaining trigger's commit-time work is included. Figures go in
docs/performance.md; this is never a test.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from audit.models import AccessLogEntry
from cases.models import Case
from cases.permissions import cases_visible_to
from ngo_cases.api.base import ApiBase

from .base import Benchmark, percentile
from .case_data import bench_supervisor, small_caseload_user


class AccessLogBenchmark(Benchmark):
    help = "Case list and detail latency with and without the access log (same run, interleaved)."

    @classmethod
    def add_arguments(cls, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=300)
        parser.add_argument("--seed", type=int, default=7)

    def run(self, rounds: int, seed: int, **options: Any) -> None:
        if Case.objects.count() < 1000:
            raise CommandError("No benchmark data: run `make bench-cases` first (it builds the data set).")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        ApiBase.throttle_classes = []  # type: ignore[attr-defined]  # thousands of requests from one user
        rng = random.Random(seed)
        caseworker = small_caseload_user()
        supervisor = bench_supervisor()
        before = AccessLogEntry.objects.count()
        self.stdout.write(
            f"ngo-cases access-log benchmark: {Case.objects.count():,} cases, {before:,} log entries, "
            f"{rounds} rounds per variant, interleaved"
        )
        for label, user in (("caseworker", caseworker), ("supervisor", supervisor)):
            visible = list(cases_visible_to(user).values_list("pk", flat=True)[:2000])
            self.stdout.write(f"\n{label} {user.username}: sees {cases_visible_to(user).count():,} cases")
            client = _client(user)

            def list_page(client: APIClient = client) -> None:
                _ok(client.get("/api/v1/cases/?page_size=50"))

            def detail(client: APIClient = client, ids: list[Any] = visible) -> None:
                _ok(client.get(f"/api/v1/cases/{rng.choice(ids)}"))

            self._compare("GET /api/v1/cases/ (50)", list_page, rounds)
            self._compare("GET /api/v1/cases/{id}", detail, rounds)
        self.stdout.write(f"\nlog entries written during the run: {AccessLogEntry.objects.count() - before:,}")

    def _compare(self, label: str, call: Callable[[], None], rounds: int) -> None:
        original = ApiBase._write_access_log
        samples: dict[bool, list[float]] = {True: [], False: []}

        def timed(logged: bool) -> None:
            ApiBase._write_access_log = original if logged else (lambda self, request, response: response)  # type: ignore[method-assign]
            start = time.perf_counter_ns()
            call()
            samples[logged].append((time.perf_counter_ns() - start) / 1e6)

        try:
            for _ in range(10):  # warm-up, untimed
                call()
            for i in range(rounds):
                order = (True, False) if i % 2 else (False, True)
                for logged in order:
                    timed(logged)
        finally:
            ApiBase._write_access_log = original  # type: ignore[method-assign]
        on, off = statistics.median(samples[True]), statistics.median(samples[False])
        self.stdout.write(
            f"  {label:<26} without log p50 {off:7.3f} ms p95 {percentile(samples[False], 0.95):7.3f}   "
            f"with log p50 {on:7.3f} ms p95 {percentile(samples[True], 0.95):7.3f}   "
            f"overhead {100 * (on - off) / off:+5.1f} %"
        )


def _client(user: User) -> APIClient:
    _instance, token = ApiToken.objects.create(user=user, device="bench-access-log")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _ok(response: Any) -> None:
    if response.status_code != 200:
        raise CommandError(f"benchmark request failed: {response.status_code}")
