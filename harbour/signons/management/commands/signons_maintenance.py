"""Periodic sign-on upkeep (run from cron or a systemd timer, e.g. every 15 minutes):
recount every page exactly (totals, provinces, districts), and anonymise the signers of
pages past their retention (signons.retention). (Expired unconfirmed signatures are
deleted by `actions_purge_expired`, with every other action's.)"""

from typing import Any

from django.core.management.base import BaseCommand

from harbour.signons.counts import signature_counts_reconcile
from harbour.signons.retention import signatures_anonymise_due
from harbour.signons.selectors import pages_with_signatures


class Command(BaseCommand):
    help = "Reconcile every page's signature counts; anonymise signers past retention."

    def handle(self, *args: Any, **options: Any) -> None:
        pages = pages_with_signatures()
        for page in pages:
            signature_counts_reconcile(page=page)
        self.stdout.write(f"Recounted {pages.count()} page(s).")
        anonymised = signatures_anonymise_due()
        self.stdout.write(
            f"Anonymised {sum(anonymised.values())} signature(s) on {len(anonymised)} page(s) "
            "past their retention."
        )
