"""Write the project's copy of Canada's representatives data (see representatives/export.py)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from harbour.representatives.export import DATA_DIR, ExportRefused, representatives_export


class Command(BaseCommand):
    help = (
        "Check the districts, MPs, ministers and FSA files in --source and write the "
        "project's copy of them, with its README, into --to (harbour/representatives/data)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--source", type=Path, required=True, help="The source folder.")
        parser.add_argument("--to", type=Path, default=DATA_DIR, help="Where to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = representatives_export(source=options["source"], target=options["to"])
        except ExportRefused as refusal:
            raise CommandError(f"Nothing written: {refusal}") from None
        counts = ", ".join(f"{n} rows in {name}" for name, n in report.counts.items())
        self.stdout.write(f"Wrote {counts} to {options['to']}.")
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
