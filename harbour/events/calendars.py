"""iCalendar for events (the `icalendar` library): a registrant's invitation (METHOD:REQUEST,
or CANCEL), one event's public file, and the feeds calendar programs subscribe to
(METHOD:PUBLISH). Every event keeps one UID in every file, built from the page's
translation key, and the SEQUENCE its schedule has reached, so a calendar updates the
entry it has instead of adding one. Times carry the event's time zone (with its VTIMEZONE).

A public file or feed never holds the online meeting's address or a personal link; a
registrant's invitation holds their personal link to attend, not the meeting's address."""

import datetime
import functools
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.html import strip_tags
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from harbour.core.branding import brand

from .models import EventPage, EventStatus

PRODID = "-//Harbour//Events//EN"


def event_uid(event: EventPage) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "harbour"
    return f"event-{event.translation_key}@{host}"


def _calendar(method: str, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _location(event: EventPage) -> str:
    if not event.has_venue:
        return "Online"
    parts = [event.venue, event.address, event.city, event.province]
    return ", ".join(part for part in parts if part)


def _event(event: EventPage, *, sequence: int, description: str = "") -> Event:
    item = Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", datetime.datetime.now(datetime.UTC))
    item.add("dtstart", event.local_start)
    item.add("dtend", event.local_end)
    item.add("summary", event.title)
    item.add("sequence", sequence)
    item.add("url", f"{settings.SITE_URL}{event.url}")
    item.add("location", _location(event))
    status = "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED"
    if event.status == EventStatus.POSTPONED:
        status = "TENTATIVE"
    item.add("status", status)
    text = description or event.summary or strip_tags(event.description)
    if text:
        item.add("description", text)
    return item


def invitation(
    event: EventPage, *, sequence: int, attendee: str, name: str, attend_url: str = ""
) -> bytes:
    """A registrant's invitation: REQUEST (CANCEL once the event is cancelled), naming
    them as its attendee, with their personal link to attend in the description."""
    cancelled = event.status == EventStatus.CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    lines = [event.summary] if event.summary else []
    if attend_url and not cancelled:
        lines.append(f"Join: {attend_url}")
    lines.append(f"{settings.SITE_URL}{event.url}")
    item = _event(event, sequence=sequence, description="\n\n".join(lines))
    organiser = vCalAddress(f"mailto:{brand().sender}")
    organiser.params["cn"] = vText(brand().name)
    item.add("organizer", organiser)
    attendee_address = vCalAddress(f"mailto:{attendee}")
    attendee_address.params["cn"] = vText(name)
    attendee_address.params["rsvp"] = vText("FALSE")
    attendee_address.params["partstat"] = vText("ACCEPTED")
    item.add("attendee", attendee_address)
    year = event.local_start.year
    calendar.add_component(_zone(event.time_zone, year, year))
    calendar.add_component(item)
    return calendar.to_ical()


@functools.cache
def _zone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of a zone around the years its events fall in (its rules a year before
    to a year after), worked out once per process: the same for every registrant's
    invitation."""
    return Timezone.from_tzid(
        tzid,
        first_date=datetime.date(first_year - 1, 1, 1),
        last_date=datetime.date(last_year + 2, 1, 1),
    )


def published(events: Iterable[EventPage], *, name: str, sequences: dict[int, int]) -> bytes:
    """A public calendar of `events` (a feed, or one event's file)."""
    calendar = _calendar("PUBLISH", name)
    events = list(events)
    for tzid in sorted({event.time_zone for event in events}):
        years = [event.local_start.year for event in events if event.time_zone == tzid]
        calendar.add_component(_zone(tzid, min(years), max(years)))
    for event in events:
        calendar.add_component(_event(event, sequence=sequences.get(event.pk, 0)))
    return calendar.to_ical()
