"""Daily letter upkeep (cron or a systemd timer, once a day): send the digests, release
letters held back by a campaign's daily limit, and delete letters never confirmed."""

from typing import Any

from django.core.management.base import BaseCommand

from harbour.letters.sending import deliveries_release_deferred, digests_send
from harbour.letters.services import letters_purge_expired


class Command(BaseCommand):
    help = (
        "Send daily digests to offices, release letters held by daily limits and delete "
        "letters never confirmed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        digests = digests_send()
        released = deliveries_release_deferred()
        purged = letters_purge_expired()
        self.stdout.write(
            f"Sent {digests} digest(s); released {released} held letter(s); deleted {purged} "
            "unconfirmed letter(s)."
        )
