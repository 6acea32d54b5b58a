"""Timing helpers shared by the benchmark commands (bench_encryption,
bench_case_access). Benchmarks print figures; they are never tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def time_ms(fn: Callable[[], Any], rounds: int, warmup: int = 5) -> list[float]:
    """Milliseconds of ``rounds`` calls of ``fn``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
