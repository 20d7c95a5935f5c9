"""Letter campaigns for tests: open since yesterday, published under `home`."""

import datetime
from typing import Any

from django.utils import timezone

from harbour.letters.models import LetterCampaignPage


def make_campaign(home: Any, **fields: Any) -> LetterCampaignPage:
    values: dict[str, Any] = {
        "title": "Write to your MP",
        "slug": "write",
        "subject_template": "A question, {representative}",
        "body_template": "Dear {representative},\n\nPlease act.\n\n{supporter_name}",
        "opens_at": timezone.now() - datetime.timedelta(days=1),
        **fields,
    }
    page = LetterCampaignPage(**values)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page
