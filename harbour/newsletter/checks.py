"""System checks of the newsletter's settings (run by `manage.py check`, `runserver` and
every management command that starts the project)."""

from typing import Any

from django.conf import settings
from django.core import checks

# Canada's anti-spam law: an unsubscribe mechanism must work for at least 60 days after
# the message was sent.
CASL_MINIMUM_LINK_DAYS = 60


def link_days_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    days = settings.HARBOUR_NEWSLETTER_LINK_DAYS
    if days >= CASL_MINIMUM_LINK_DAYS:
        return []
    return [
        checks.Error(
            f"HARBOUR_NEWSLETTER_LINK_DAYS is {days}: the unsubscribe and preferences links "
            f"of a mailing must work for at least {CASL_MINIMUM_LINK_DAYS} days (CASL).",
            hint=f"Set it to {CASL_MINIMUM_LINK_DAYS} or more (the default is 400).",
            id="harbour.newsletter.E001",
        )
    ]
