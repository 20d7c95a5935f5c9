"""Delete what was never confirmed (cron or a systemd timer, e.g. every hour): every
action's rows whose confirmation link expired (HARBOUR_CONFIRM_DAYS), with the supporter
records that existed only for them; and the e-mail claims of tasks long finished."""

from typing import Any

from django.core.management.base import BaseCommand

from harbour.core.mailsend import mail_claims_forget
from harbour.people.services import expired_actions_purge


class Command(BaseCommand):
    help = "Delete unconfirmed actions whose link has expired, and supporters kept only by them."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = expired_actions_purge()
        mail_claims_forget()
        done = ", ".join(f"{count} {name}" for name, count in sorted(purged.items()))
        self.stdout.write(f"Deleted unconfirmed: {done or 'nothing to purge'}.")
