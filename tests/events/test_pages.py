"""The events listing (upcoming, past, by group, by province), the iCalendar feeds and
file, an event on the home page and on its group's page, and a registrant in the
supporter's history, export and erasure."""

import datetime

import pytest
from django.test import Client
from icalendar import Calendar

from harbour.core.roles import ADMINISTRATORS, MODERATORS
from harbour.events.models import Registration, RegistrationState
from harbour.people.models import Person
from harbour.people.services import person_erase, person_export, person_history
from tests.coalition.factories import make_directory, make_group
from tests.content.factories import UserFactory

from .factories import ONLINE_MEETING, link, mails_to, make_event, make_listing, register

pytestmark = pytest.mark.django_db
S = RegistrationState


@pytest.fixture
def events(home):
    directory = make_directory(home)
    toronto = make_group(directory, "Canada-Hong Kong Link", city="Toronto", province="ON")
    vancouver = make_group(directory, "Vancouver Society", city="Vancouver", province="BC")
    listing = make_listing(home)
    return {
        "listing": listing,
        "toronto": toronto,
        "vancouver": vancouver,
        "town_hall": make_event(
            listing, "Town hall", groups=[toronto], format="in_person", venue="Metro Hall",
            city="Toronto", province="ON", meeting_url="",
        ),
        "webinar": make_event(
            listing, "Webinar", groups=[vancouver], days=20, time_zone="America/Vancouver"
        ),
        "members": make_event(listing, "Members only", members_only=True, days=5),
        "past": make_event(listing, "Last year", days=-300),
    }  # fmt: skip


def test_the_listing_shows_upcoming_and_past_and_filters(events):
    client = Client()
    page = client.get("/events/").content.decode()
    upcoming, past = page.split('id="past-heading"')
    assert upcoming.index("Town hall") < upcoming.index("Webinar")  # soonest first
    assert "Last year" in past and "Last year" not in upcoming
    by_group = client.get(f"/events/?group={events['vancouver'].pk}").content.decode()
    assert "Webinar" in by_group and "Town hall" not in by_group
    by_province = client.get("/events/?province=ON").content.decode()
    assert "Town hall" in by_province and "Webinar" not in by_province
    for bad in ("?group=999999", "?group=x", "?province=ZZ"):
        refused = client.get(f"/events/{bad}")
        assert refused.status_code == 400, bad
    assert "no member group with that number" in client.get("/events/?group=x").content.decode()


def test_the_feed_is_public_events_with_their_time_zones_and_no_meeting_address(events):
    response = Client().get("/events/feed/")
    assert response["Content-Type"].startswith("text/calendar")
    assert ONLINE_MEETING.encode() not in response.content
    calendar = Calendar.from_ical(response.content)
    assert calendar["method"] == "PUBLISH"
    by_title = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(by_title) == {"Town hall", "Webinar", "Last year"}  # no members' event
    webinar = by_title["Webinar"]
    assert str(webinar["dtstart"].params["TZID"]) == "America/Vancouver"
    assert webinar.decoded("dtstart") == events["webinar"].starts_at
    zones = {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")}
    assert zones == {"America/Toronto", "America/Vancouver"}
    assert str(by_title["Town hall"]["location"]).startswith("Metro Hall")
    one_group = Calendar.from_ical(
        Client().get(f"/events/feed/?group={events['toronto'].pk}").content
    )
    assert [str(e["summary"]) for e in one_group.walk("VEVENT")] == ["Town hall"]
    assert Client().get("/events/feed/?group=nope").status_code == 400
    single = Calendar.from_ical(Client().get(f"{events['webinar'].url}calendar/").content)
    assert [str(e["summary"]) for e in single.walk("VEVENT")] == ["Webinar"]


def test_events_on_the_home_page_and_on_their_groups_page(events):
    home = Client().get("/").content.decode()
    assert "Town hall" in home and "Webinar" in home
    assert "Members only" not in home and "Last year" not in home
    group = Client().get(events["toronto"].url).content.decode()
    assert "Upcoming events" in group and "Town hall" in group and "Webinar" not in group


def test_a_registration_in_the_supporters_history_export_and_erasure(events, settings):
    event = events["webinar"]
    register(Client(), event, email="ada@example.org", accessibility="Captions")
    Client().post(link(mails_to("ada@example.org")[-1]))
    person = Person.objects.get(email="ada@example.org")
    history = person_history(person=person)
    assert any(item.description == "Registered for “Webinar”" for item in history)
    exported = person_export(person=person, actor=UserFactory(roles=[MODERATORS]))
    [row] = exported["event registrations"]
    assert (row["event"], row["accessibility_needs"], row["state"]) == (
        "Webinar", "Captions", "confirmed",
    )  # fmt: skip
    attend = link(mails_to("ada@example.org")[-1], "attend")
    person_erase(person=person, actor=UserFactory(roles=[ADMINISTRATORS]))
    registration = Registration.objects.get()
    assert registration.person is None and registration.name == ""
    assert registration.accessibility == "" and registration.state == S.CANCELLED
    assert Client().get(attend).status_code == 400  # an erased registrant's link is dead


def test_the_time_is_shown_in_the_events_zone_and_in_canadas_others(events):
    page = Client().get(events["webinar"].url).content.decode()
    assert "Pacific (Vancouver)" in page
    start = events["webinar"].starts_at
    eastern = start.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    assert "Eastern (Toronto, Ottawa, Montréal)" in page and str(eastern.day) in page
