"""Demo events: the three members-only skills-sharing webinars the alliance held in June and
July 2020 (past), and two public events ahead (one online, one in person in Toronto, full
with a wait-list), with registrations (example.invalid addresses), in three languages."""

import datetime
import zoneinfo
from typing import TextIO

from django.conf import settings
from django.utils import timezone
from wagtail.models import Page

from harbour.coalition.models import MemberGroupPage
from harbour.content.models import HomePage
from harbour.core.demo_translation import translation_publish
from harbour.people.services import person_get_or_create

from .models import EventIndexPage, EventPage, Registration, RegistrationState
from .updates import event_published

TORONTO = zoneinfo.ZoneInfo("America/Toronto")
MEETING = "https://meet.example.invalid/harbour-demo-room"

# (title, date, summary, description) of the 2020 webinars, in our words.
WEBINARS = [
    (
        "Skills-sharing webinar: advocacy",
        datetime.date(2020, 6, 10),
        "How member groups meet elected officials and make the community's case.",
        "<p>Preparing a meeting with an MP's office, what to ask for, and how to follow up: "
        "member groups compare what worked for them.</p>",
    ),
    (
        "Skills-sharing webinar: Canada's political parties",
        datetime.date(2020, 6, 24),
        "An introduction to the federal parties, their critics and how policy is made.",
        "<p>Who speaks for each party on foreign affairs and immigration, how caucuses and "
        "committees work, and how a community stays multi-partisan.</p>",
    ),
    (
        "Skills-sharing webinar: community engagement",
        datetime.date(2020, 7, 8),
        "Reaching newcomers, students and families, and keeping volunteers well.",
        "<p>Outreach that includes Hongkongers of every background, running events safely, "
        "and looking after the people who do the work.</p>",
    ),
]

TRANSLATED_TITLES = {
    "Events": ("Événements", "活動"),
    "Writing to your MP: an online workshop": (
        "Écrire à votre député : atelier en ligne",
        "致函國會議員：網上工作坊",
    ),
    "Toronto community town hall": ("Assemblée communautaire à Toronto", "多倫多社區大會"),
}


def _listing(home: Page) -> EventIndexPage:
    listing = EventIndexPage.objects.filter(locale=home.locale).first()
    if listing is None:
        listing = EventIndexPage(
            title="Events",
            slug="events",
            intro=(
                "Webinars, workshops and gatherings of the alliance and its member groups. "
                "Register to get the details and, for online events, your personal link."
            ),
        )
        home.add_child(instance=listing)
        listing.save_revision().publish()
    return listing


def _group(title: str) -> list[MemberGroupPage]:
    found = MemberGroupPage.objects.filter(
        title=title, locale__language_code=settings.LANGUAGE_CODE
    ).first()
    return [found] if found else []


def _event(
    listing: EventIndexPage, title: str, groups: list[MemberGroupPage], **fields
) -> EventPage:  # type: ignore[no-untyped-def]
    existing = EventPage.objects.child_of(listing).filter(title=title).first()  # type: ignore[attr-defined]
    if existing is not None:
        return existing.specific
    event = EventPage(title=title, **fields)
    listing.add_child(instance=event)
    event.organising_groups.set(groups)
    event.save_revision().publish()
    return event


def _registrations(event: EventPage, prefix: str, confirmed: int, waiting: int = 0) -> None:
    if Registration.objects.filter(event=event).exists():
        return
    now = timezone.now()
    for n in range(confirmed + waiting):
        person, _ = person_get_or_create(email=f"{prefix}{n}@events.example.invalid")
        on_list = n >= confirmed
        Registration.objects.create(
            event=event,
            person=person,
            name=f"Demo registrant {n + 1}",
            state=RegistrationState.WAITLISTED if on_list else RegistrationState.CONFIRMED,
            confirmed_at=now,
            waitlisted_at=now + datetime.timedelta(seconds=n) if on_list else None,
        )


def load(*, stdout: TextIO) -> None:
    home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
    if home is None:
        return
    listing = _listing(home)
    link = _group("Canada-Hong Kong Link")
    for title, day, summary, description in WEBINARS:
        starts = datetime.datetime.combine(day, datetime.time(19, 30), tzinfo=TORONTO)
        _event(
            listing,
            title,
            link,
            summary=summary,
            description=description,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=90),
            format="online",
            meeting_url=MEETING,
            members_only=True,
            report=(
                "<p>Organisers from member groups across Canada took part and shared their "
                "notes; the recording is kept for members.</p>"
            ),
            recording_url="https://video.example.invalid/members/recording",
        )
    today = timezone.localtime(timezone.now(), TORONTO).date()
    online_start = datetime.datetime.combine(
        today + datetime.timedelta(days=14), datetime.time(19, 0), tzinfo=TORONTO
    )
    workshop = _event(
        listing,
        "Writing to your MP: an online workshop",
        link,
        summary="Write a short, personal letter to your MP about Hong Kong, with help at hand.",
        description=(
            "<p>We go through the alliance's letter template together, find your MP from your "
            "postal code, and answer questions about what happens next.</p>"
        ),
        starts_at=online_start,
        ends_at=online_start + datetime.timedelta(hours=1),
        format="online",
        meeting_url=MEETING,
        capacity=100,
        featured=True,
    )
    town_start = datetime.datetime.combine(
        today + datetime.timedelta(days=21), datetime.time(14, 0), tzinfo=TORONTO
    )
    town_hall = _event(
        listing,
        "Toronto community town hall",
        link,
        summary="An afternoon with member groups: the year's campaigns and what comes next.",
        description=(
            "<p>Member groups report on the sanctions campaign and the letters to MPs, and "
            "everyone is welcome to ask questions. Tea and snacks.</p>"
        ),
        starts_at=town_start,
        ends_at=town_start + datetime.timedelta(hours=2),
        format="in_person",
        venue="Metro Hall, Room 308",
        address="55 John Street",
        city="Toronto",
        province="ON",
        capacity=12,
        offer_hold_hours=24,
    )
    _registrations(workshop, "workshop", confirmed=6)
    _registrations(town_hall, "townhall", confirmed=12, waiting=3)
    for event in EventPage.objects.child_of(listing):  # type: ignore[attr-defined]
        event_published(event_id=event.pk)  # what registrants were told: the schedule now
    _translations(listing)


def _translations(listing: EventIndexPage) -> None:
    for position, language in enumerate(("fr", "zh-hant")):
        titles = {key: value[position] for key, value in TRANSLATED_TITLES.items()}
        translation_publish(listing, language, {"title": titles["Events"]})
        for event in EventPage.objects.child_of(listing).filter(members_only=False):  # type: ignore[attr-defined]
            if event.title in titles:
                translation_publish(event, language, {"title": titles[event.title]})
