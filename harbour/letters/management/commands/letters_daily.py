"""Daily letter upkeep (cron or a systemd timer, once a day): send the digests and release
letters held back by a campaign's daily limit. (Letters never confirmed are deleted by
`actions_purge_expired`, with every other action's.)"""

from typing import Any

from django.core.management.base import BaseCommand

from harbour.letters.sending import deliveries_release_deferred, digests_send


class Command(BaseCommand):
    help = "Send daily digests to offices and release letters held by daily limits."

    def handle(self, *args: Any, **options: Any) -> None:
        digests = digests_send()
        released = deliveries_release_deferred()
        self.stdout.write(f"Sent {digests} digest(s); released {released} held letter(s).")
