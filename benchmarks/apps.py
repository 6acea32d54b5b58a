from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """No models: the benchmarks and their thin management commands."""

    name = "benchmarks"
