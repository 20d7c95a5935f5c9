import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from harbour.representatives import loaders
from harbour.representatives.download import DownloadFailed, representatives_download
from harbour.representatives.loaders import LoadReport
from harbour.representatives.photos import photos_download
from harbour.representatives.services import data_dir, representatives_load


class Command(BaseCommand):
    help = (
        "Load federal districts, MPs, ministers and the FSA table (idempotent). Without "
        "options, reads HARBOUR_REPRESENTATIVES_DIR, or the project's own copy in "
        "harbour/representatives/data; --download fetches the official lists. --mps "
        "takes the House of Commons members CSV export; --districts takes Elections "
        "Canada's district list."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dir", type=Path, help="Directory of the CSV files.")
        parser.add_argument(
            "--download",
            action="store_true",
            help="Fetch the House of Commons members export and Elections Canada's district "
            "list (HARBOUR_MPS_CSV_URL, HARBOUR_DISTRICTS_CSV_URL) and load them.",
        )
        parser.add_argument("--mps", type=Path, help="One MPs file (House of Commons export).")
        parser.add_argument("--districts", type=Path, help="One districts file.")
        parser.add_argument(
            "--force", action="store_true", help="Overwrite fields an editor corrected."
        )
        parser.add_argument(
            "--photos",
            action="store_true",
            help="Also copy each sitting representative's photo into Harbour's media, so "
            "public pages never load it from the legislature's server (needs the network).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(items: Any) -> Any:
            return tqdm(items, desc="MPs", unit="row", disable=not sys.stdout.isatty())

        for option in ("mps", "districts", "dir"):
            if options[option] and not Path(options[option]).exists():
                raise CommandError(f"{options[option]} does not exist.")
        if options["download"]:
            try:
                report = representatives_download(force=options["force"], progress=progress)
            except DownloadFailed as failure:
                raise CommandError(f"Nothing loaded: {failure}") from None
            source = f"{settings.HARBOUR_DISTRICTS_CSV_URL} and {settings.HARBOUR_MPS_CSV_URL}"
        elif options["mps"] or options["districts"]:
            report = LoadReport()
            with transaction.atomic():
                if options["districts"]:
                    loaders.load_districts(options["districts"], report)
                if options["mps"]:
                    loaders.load_mps(
                        options["mps"], report, force=options["force"], progress=progress
                    )
            source = ", ".join(str(options[o]) for o in ("districts", "mps") if options[o])
        else:
            directory = options["dir"] or data_dir()
            report = representatives_load(
                directory=directory, force=options["force"], progress=progress
            )
            source = str(directory)
        self.stdout.write(
            f"From {source}: {report.districts} districts, "
            f"{report.representatives_created} representatives created, "
            f"{report.representatives_updated} updated, {report.representatives_retired} "
            f"retired, {report.kept_edits} hand edits kept, {report.ministers} ministers, "
            f"{report.postal_areas} postal areas."
        )
        for line in report.unmatched[:20]:
            self.stderr.write(f"Not matched: {line}")
        if options["photos"]:
            photos = photos_download(force=options["force"])
            self.stdout.write(
                f"Photos: {photos.downloaded} downloaded, {photos.kept} kept, "
                f"{photos.unavailable} unavailable (shown as a placeholder)."
            )
