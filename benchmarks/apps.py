from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Holds no models: only the `seed_workspace` management command."""

    name = "benchmarks"
