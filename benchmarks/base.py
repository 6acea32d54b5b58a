"""What every benchmark shares: timing, percentiles, the printed row, and the
thin management command that runs one."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandParser, OutputWrapper


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


class Benchmark:
    """A benchmark: its arguments, a ``run`` that prints figures to
    ``self.stdout``; asserts nothing."""

    help: ClassVar[str] = ""
    # What a baseline is called in a row's ratio ("raw SQL", "plaintext").
    baseline_name: ClassVar[str] = "baseline"
    label_width: ClassVar[int] = 52

    def __init__(self, stdout: OutputWrapper, stderr: OutputWrapper) -> None:
        self.stdout = stdout
        self.stderr = stderr

    @classmethod
    def add_arguments(cls, parser: CommandParser) -> None:
        """Declare the benchmark's options."""

    # run(self, **options): the benchmark itself, given the command's options.
    run: Callable[..., None]

    def row(self, label: str, samples: list[float], baseline: list[float] | None = None) -> None:
        """One figure: median and p95, and the ratio to a baseline measured in the same run."""
        median = statistics.median(samples)
        line = f"  {label:<{self.label_width}} p50 {median:8.3f} ms   p95 {percentile(samples, 0.95):8.3f} ms"
        if baseline is not None:
            base = statistics.median(baseline)
            line += f"   {median / base:6.2f}x {self.baseline_name} (+{median - base:.3f} ms)"
        self.stdout.write(line)

    def log(self, message: str, started: float) -> None:
        """A progress line with the seconds since ``started`` (time.monotonic())."""
        self.stdout.write(f"  {message} ({time.monotonic() - started:.0f} s)")
        self.stdout.flush()


def command_for(benchmark: type[Benchmark]) -> type[BaseCommand]:
    """The management command that runs ``benchmark`` (benchmarks/management/commands)."""

    class Command(BaseCommand):
        help = benchmark.help

        def add_arguments(self, parser: CommandParser) -> None:
            benchmark.add_arguments(parser)

        def handle(self, *args: Any, **options: Any) -> None:
            benchmark(self.stdout, self.stderr).run(**options)

    return Command
