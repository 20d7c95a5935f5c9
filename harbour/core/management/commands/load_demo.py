"""Load every app's demo data: each app may have a `demo.py` with `load(stdout) -> None`.

Idempotent: an app's loader creates what is missing and leaves what exists (an editor's
changes to demo pages survive a second `make run`).
"""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo data of every Harbour app (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():
            if not config.name.startswith("harbour.") or find_spec(f"{config.name}.demo") is None:
                continue
            module = import_module(f"{config.name}.demo")
            with transaction.atomic():
                module.load(stdout=self.stdout)
            self.stdout.write(f"Demo data of {config.label}: ready.")
