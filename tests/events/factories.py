import datetime
import re

from django.core import mail
from django.utils import timezone

from harbour.events.models import EventIndexPage, EventPage

ONLINE_MEETING = "https://meet.example.net/j/8812-secret-room"


def make_listing(home) -> EventIndexPage:
    listing = EventIndexPage(title="Events", slug="events")
    home.add_child(instance=listing)
    listing.save_revision().publish()
    return listing


def make_event(listing, title="Advocacy 101", *, groups=(), days=10, **fields) -> EventPage:
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    values = {
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "format": "online",
        "meeting_url": ONLINE_MEETING,
        "summary": "How to meet your MP.",
        **fields,
    }
    event = EventPage(title=title, **values)
    listing.add_child(instance=event)
    if groups:
        event.organising_groups.set(groups)
    event.save_revision().publish()
    return event


def register(client, event, email="ada@example.org", name="Ada Lovelace", **extra):
    data = {"name": name, "email": email, **extra}
    return client.post(event.url, data)


def link(message, route="confirm") -> str:
    """The path of the first `route` link of an e-mail."""
    found = re.search(rf"http://\S+?/{route}/[\w-]+/", message.body)
    assert found, message.body
    return found.group(0).removeprefix("http://127.0.0.1:8000")


def mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]
