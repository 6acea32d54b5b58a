"""Benchmarks: figures printed by make targets (bench-encryption,
bench-cases, bench-access-log, bench-reminders), never tests and never in
CI. Each is a :class:`benchmarks.base.Benchmark`; its management command in
benchmarks/management/commands is one line. The million-case data set is
built once by :mod:`benchmarks.case_data` and shared by the case-access and
access-log benchmarks. See docs/performance.md for the figures."""
