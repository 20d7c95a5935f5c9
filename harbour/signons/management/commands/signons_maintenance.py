"""Periodic sign-on upkeep (run from cron or a systemd timer, e.g. every 15 minutes):
purge unconfirmed signatures past their link's life, and recount every page exactly."""

from typing import Any

from django.core.management.base import BaseCommand

from harbour.signons.counts import signature_counts_reconcile
from harbour.signons.selectors import pages_with_signatures
from harbour.signons.services import signatures_purge_expired


class Command(BaseCommand):
    help = "Purge expired unconfirmed signatures and reconcile signature counts."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = signatures_purge_expired()
        pages = pages_with_signatures()
        for page in pages:
            signature_counts_reconcile(page=page)
        self.stdout.write(
            f"Purged {purged} expired signature(s); recounted {pages.count()} page(s)."
        )
