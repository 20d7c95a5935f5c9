from django.apps import AppConfig


class BenchViewsConfig(AppConfig):
    """The views `make bench` measures against. Installed everywhere (its task must be
    importable by any worker), mounted only with HARBOUR_BENCH (see harbour/urls.py), which
    production settings refuse unless the server answers on loopback only."""

    name = "harbour.benchviews"
    label = "benchviews"
    verbose_name = "Benchmark views"
