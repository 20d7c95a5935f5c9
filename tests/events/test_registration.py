"""A visitor registers for an event: the form, the confirmation by e-mail (a button, never a
GET), places and the wait-list, cancelling, offers and their expiry, the personal link to
attend, and every refusal."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from icalendar import Calendar

from harbour.events.models import Registration, RegistrationState
from harbour.events.registrations import offer_lapse
from harbour.people.models import Consent

from .factories import ONLINE_MEETING, link, mails_to, make_event, make_listing, register

pytestmark = pytest.mark.django_db
S = RegistrationState


@pytest.fixture
def listing(home):
    return make_listing(home)


def _register_and_confirm(client, event, email, name="Someone"):
    assert register(client, event, email=email, name=name).status_code == 302
    message = mails_to(email)[-1]
    path = link(message)
    assert client.get(path).status_code == 200  # a page with a button, nothing confirmed
    assert client.post(path).status_code == 200
    return Registration.objects.get(person__email=email, event=event)


def test_registering_confirms_by_the_button_and_sends_the_invitation(
    client, listing, django_capture_on_commit_callbacks
):
    event = make_event(listing, capacity=10)
    page = client.get(event.url)
    assert page.status_code == 200 and "10 places left" in page.content.decode()
    answer = register(client, event, accessibility="Captions, please", newsletter="on")
    assert answer.status_code == 302 and answer["Location"].endswith("/thanks/")
    registration = Registration.objects.get()
    assert registration.state == S.PENDING and registration.accessibility == "Captions, please"
    confirm = link(mail.outbox[0])
    opened = client.get(confirm)
    assert "Confirm my registration" in opened.content.decode()
    registration.refresh_from_db()
    assert registration.state == S.PENDING  # opening the link changes nothing
    with django_capture_on_commit_callbacks(execute=True):  # the page's cached copy goes
        client.post(confirm)
    registration.refresh_from_db()
    assert registration.state == S.CONFIRMED
    welcome = mail.outbox[-1]
    assert "You are registered" in welcome.subject
    ics = [a for a in welcome.attachments if getattr(a, "get_content_type", None)]
    assert ics and ics[0].get_content_type() == "text/calendar"
    assert ics[0].get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(ics[0].get_payload(decode=True))
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["uid"]).startswith(f"event-{event.translation_key}@")
    assert vevent.decoded("dtstart") == event.starts_at
    assert str(vevent["dtstart"].params["TZID"]) == "America/Toronto"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "America/Toronto"
    assert str(vevent["url"]).endswith(event.url)
    # The meeting's address is only behind the personal link, never in the e-mail itself.
    assert ONLINE_MEETING not in welcome.body
    attend = client.get(link(welcome, "attend"))
    assert attend.status_code == 200 and ONLINE_MEETING in attend.content.decode()
    assert attend["Cache-Control"] == "no-store"
    assert Consent.objects.filter(topic="newsletter", granted=True).exists()
    assert "9 places left" in Client().get(event.url).content.decode()


def test_the_answer_is_the_same_for_a_new_pending_or_registered_address(client, listing):
    event = make_event(listing)
    first = register(client, event)
    _confirmed = client.post(link(mail.outbox[0]))
    again = register(Client(), event)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Registration.objects.count() == 1
    told = mail.outbox[-1]
    assert "Your registration" in told.subject and "registered already" in told.body
    # A pending address gets its confirmation link again, for the same row.
    other = register(Client(), event, email="bo@example.org")
    register(Client(), event, email="bo@example.org")
    assert other.status_code == 302
    assert Registration.objects.filter(person__email="bo@example.org").count() == 1
    assert len([m for m in mails_to("bo@example.org") if "Confirm" in m.subject]) == 2


def test_a_full_event_waitlists_in_order_and_a_cancellation_offers_the_place(listing):
    event = make_event(listing, capacity=2, offer_hold_hours=12)
    a = _register_and_confirm(Client(), event, "a@example.org")
    _register_and_confirm(Client(), event, "b@example.org")
    full = Client().get(event.url).content.decode()
    assert "Full: you can join the wait-list." in full
    c = _register_and_confirm(Client(), event, "c@example.org")
    d = _register_and_confirm(Client(), event, "d@example.org")
    assert (c.state, d.state) == (S.WAITLISTED, S.WAITLISTED)
    assert "number 1" in mails_to("c@example.org")[-1].body
    assert "number 2" in mails_to("d@example.org")[-1].body
    # A cancels with the link in their e-mail: a page with a button, then the place moves.
    withdraw = link(mails_to("a@example.org")[-1], "withdraw")
    client = Client()
    assert "Cancel my registration" in client.get(withdraw).content.decode()
    assert client.post(withdraw).status_code == 200
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.state == S.CANCELLED and c.state == S.OFFERED
    offer = mails_to("c@example.org")[-1]
    assert "A place is free for you" in offer.subject
    # Attendance links given to A stop working.
    assert client.get(link(mails_to("a@example.org")[-1], "attend")).status_code == 400
    accept = link(offer, "accept")
    assert client.post(accept).status_code == 200
    c.refresh_from_db()
    assert c.state == S.CONFIRMED
    assert "You are registered" in mails_to("c@example.org")[-1].subject
    counts = Registration.objects.filter(event=event, state__in=[S.CONFIRMED, S.OFFERED])
    assert counts.count() == 2


def test_an_offer_not_taken_in_time_lapses_and_moves_on(listing):
    event = make_event(listing, capacity=1, offer_hold_hours=6)
    a = _register_and_confirm(Client(), event, "a@example.org")
    b = _register_and_confirm(Client(), event, "b@example.org")
    c = _register_and_confirm(Client(), event, "c@example.org")
    Client().post(link(mails_to("a@example.org")[-1], "withdraw"))
    b.refresh_from_db()
    assert b.state == S.OFFERED
    accept = link(mails_to("b@example.org")[-1], "accept")
    assert offer_lapse(registration_id=b.pk) is False  # not yet due
    with time_machine.travel(b.offer_expires_at + datetime.timedelta(minutes=1)):
        assert offer_lapse(registration_id=b.pk) is True
        late = Client().post(accept)
    assert late.status_code == 400 and "lapsed" in late.content.decode()
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.state, c.state) == (S.LAPSED, S.OFFERED)
    assert "has gone to the next person" in mails_to("b@example.org")[-1].body
    del a


def test_cancelling_is_refused_after_the_cut_off(listing):
    event = make_event(listing, days=1, cancel_cutoff_hours=48)
    _register_and_confirm(Client(), event, "a@example.org")
    message = mails_to("a@example.org")[-1]
    assert "Cancel here" not in message.body  # past the cut-off: no link offered
    registration = Registration.objects.get()
    from harbour.events.links import withdraw_url

    path = withdraw_url(registration).removeprefix("http://127.0.0.1:8000")
    refused = Client().post(path)
    assert refused.status_code == 400 and "too late to cancel" in refused.content.decode()
    registration.refresh_from_db()
    assert registration.state == S.CONFIRMED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "email": "a@example.org"}, "This field is required."),
        ({"name": "Ada", "email": "not-an-address"}, "Enter a valid email address."),
        ({"name": "Ada", "email": "a@example.org", "postal_code": "12345"}, "postal code"),
        ({"name": "A" * 201, "email": "a@example.org"}, "at most 200 characters"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, listing, data, message):
    event = make_event(listing)
    answer = client.post(event.url, data)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not Registration.objects.exists() and not mail.outbox


def test_closed_cancelled_and_members_only_events_say_so(client, listing):
    closed = make_event(
        listing, "Closed", registration_closes_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    answer = register(client, closed)
    assert (
        answer.status_code == 400
        and "Registration for this event is closed." in answer.content.decode()
    )
    cancelled = make_event(listing, "Gone", status="cancelled")
    assert "This event is cancelled." in client.get(cancelled.url).content.decode()
    assert register(client, cancelled).status_code == 400
    members = make_event(listing, "Members", members_only=True)
    refused = register(client, members)
    assert refused.status_code == 403 and "log in to register" in refused.content.decode()
    assert not Registration.objects.exists()


def test_a_honeypot_answer_looks_like_success_and_stores_nothing(client, listing):
    event = make_event(listing)
    answer = register(client, event, nickname="bot")
    assert answer.status_code == 302 and not Registration.objects.exists() and not mail.outbox


def test_forged_and_foreign_links_are_refused(client, listing):
    event = make_event(listing)
    other = make_event(listing, "Other")
    register(client, event)
    confirm = link(mail.outbox[0])
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    assert client.post(f"{other.url}confirm/{token}/").status_code == 400
    for route in ("confirm", "attend", "withdraw", "accept"):
        assert client.get(f"{event.url}{route}/{token[:-2]}xy/").status_code == 400
    assert Registration.objects.get().state == S.PENDING
