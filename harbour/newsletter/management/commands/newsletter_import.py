"""Import a subscriber list kept elsewhere (Mailchimp, Action Network, a spreadsheet) into
one mailing list: first a preview that changes nothing, then, with --apply, the import.

The output names rows by their number in the spreadsheet, never by address: a terminal's
scroll-back, a shared screen or a pasted log must not become a list of supporters."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from harbour.newsletter.importing import (
    ImportFileError,
    ImportPlan,
    Outcome,
    import_apply,
    import_file_read,
    import_plan,
)
from harbour.newsletter.models import MailingList


class Command(BaseCommand):
    help = (
        "Import subscribers from a CSV or .xlsx file into a mailing list. Without --apply, "
        "shows what would happen and changes nothing. Each row needs an e-mail address and "
        "the consent's source and date (CASL); suppressed addresses and people who left the "
        "list are never subscribed again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="The CSV (or .xlsx) file.")
        parser.add_argument(
            "--list", required=True, metavar="SLUG", help="The mailing list's short name."
        )
        parser.add_argument(
            "--apply", action="store_true", help="Import (without it: a preview only)."
        )
        parser.add_argument(
            "--by",
            default="the newsletter_import command",
            help="Who imports, for the consent records and the audit log.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["list"]
        mailing_list = MailingList.objects.filter(slug=slug).first()
        if mailing_list is None:
            known = ", ".join(MailingList.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f'No mailing list with the short name "{slug}" (lists: {known}).')
        path: Path = options["file"]
        try:
            plan = import_plan(import_file_read(path), mailing_list)
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from None
        self._show(plan, path, applied=options["apply"])
        if not options["apply"]:
            self.stdout.write("Nothing changed. Run again with --apply to import.")
            return

        def progress(rows: Any) -> Any:
            return tqdm(rows, desc="Importing", unit="row", file=sys.stderr, disable=None)

        counts = import_apply(plan, actor_label=options["by"], progress=progress)
        self.stdout.write(f'Imported into "{mailing_list.name}":')
        self._counts(counts)

    def _show(self, plan: ImportPlan, path: Path, *, applied: bool) -> None:
        what = "Importing" if applied else "Preview of importing"
        self.stdout.write(f'{what} {path.name} into "{plan.mailing_list.name}":')
        self._counts(plan.counts())
        if plan.ignored_columns:
            self.stdout.write(f"Columns not used: {', '.join(plan.ignored_columns)}.")
        refused = plan.refused()
        if refused:
            self.stdout.write("Refused rows (numbered as in a spreadsheet, the header is row 1):")
            for row in refused:
                self.stdout.write(f"  row {row.number}: {row.reason}")
        repeated = plan.repeated()
        if repeated:
            self.stdout.write("Repeated addresses (merged into their first row):")
            for row in repeated:
                self.stdout.write(f"  row {row.number}: same address as row {row.same_as}")
        noted = [row for row in plan.rows if row.notes]
        if noted:
            self.stdout.write("Notes:")
            for row in noted:
                self.stdout.write(f"  row {row.number}: {'; '.join(row.notes)}")

    def _counts(self, counts: dict[str, int]) -> None:
        for outcome in Outcome:
            self.stdout.write(f"  {outcome.label}: {counts[outcome.value]}")
