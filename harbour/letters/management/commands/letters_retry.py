"""Every 15 minutes (cron or a systemd timer): send again the letters and supporters' copies
a temporary SMTP failure put back in the queue."""

from typing import Any

from django.core.management.base import BaseCommand

from harbour.letters.sending import deliveries_retry


class Command(BaseCommand):
    help = (
        "Queue again the letters and supporters' copies whose last sending attempt failed "
        "temporarily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Queued {deliveries_retry()} letter(s) and copies again.")
