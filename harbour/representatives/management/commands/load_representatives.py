from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from harbour.representatives.services import data_dir, representatives_load


class Command(BaseCommand):
    help = "Load federal districts, MPs and the FSA table from CSV files (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dir", type=Path, help="Directory of the CSV files.")
        parser.add_argument(
            "--force", action="store_true", help="Overwrite fields an editor corrected."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["dir"] or data_dir()
        report = representatives_load(directory=directory, force=options["force"])
        self.stdout.write(
            f"From {directory}: {report.districts} districts, "
            f"{report.representatives_created} representatives created, "
            f"{report.representatives_updated} updated, {report.kept_edits} hand edits kept, "
            f"{report.postal_areas} postal areas."
        )
