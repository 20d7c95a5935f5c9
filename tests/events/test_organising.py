"""An event's organisers: their own events' registrants, decisions in approval mode,
attendance, links revoked, the CSV, editing the event in Wagtail; every refusal; and the
supporters who agreed that the organising group may contact them."""

import csv
import io

import pytest
from django.core import mail
from django.test import Client

from harbour.coalition.organisers import organiser_add
from harbour.core.models import AuditEntry
from harbour.core.roles import ADMINISTRATORS, EDITORS
from harbour.events.models import Registration, RegistrationState
from tests.admin_helpers import assert_denied
from tests.coalition.factories import make_directory, make_group
from tests.content.factories import UserFactory

from .factories import ONLINE_MEETING, link, mails_to, make_event, make_listing, register

pytestmark = pytest.mark.django_db
S = RegistrationState


@pytest.fixture
def world(home):
    directory = make_directory(home)
    toronto = make_group(directory, "Canada-Hong Kong Link", city="Toronto", province="ON")
    montreal = make_group(directory, "Action Free Hong Kong Montreal", province="QC")
    listing = make_listing(home)
    ours = make_event(listing, "Advocacy 101", groups=[toronto], approval_required=True)
    theirs = make_event(listing, "Political parties", groups=[montreal])
    admin = UserFactory(roles=[ADMINISTRATORS])
    organiser = UserFactory(email="ada@example.org", username="ada@example.org")
    organiser_add(group=toronto, user=organiser, actor=admin)
    client = Client()
    client.force_login(organiser)
    return {
        "listing": listing, "toronto": toronto, "montreal": montreal, "ours": ours,
        "theirs": theirs, "organiser": organiser, "client": client, "admin": admin,
    }  # fmt: skip


def _confirmed(event, email, name="Someone", **extra):
    register(Client(), event, email=email, name=name, **extra)
    Client().post(link(mails_to(email)[-1]))
    return Registration.objects.get(event=event, person__email=email)


def test_approval_mode_attendance_revocation_and_the_csv(world):
    client, ours = world["client"], world["ours"]
    waiting = _confirmed(ours, "wing@example.org", '=HYPERLINK("http://evil")')
    assert waiting.state == S.AWAITING
    assert "accept each registration by hand" in mails_to("wing@example.org")[-1].body
    other = _confirmed(ours, "lee@example.org", "Lee")
    page = client.get(f"/admin/events/{ours.pk}/")
    assert page.status_code == 200 and "lee@example.org" in page.content.decode()
    url = f"/admin/events/{ours.pk}/"
    assert client.post(url, {"registration": waiting.pk, "action": "approve"}).status_code == 302
    assert client.post(url, {"registration": other.pk, "action": "decline"}).status_code == 302
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert (waiting.state, other.state) == (S.CONFIRMED, S.DECLINED)
    assert waiting.decided_by == world["organiser"]
    welcome = mails_to("wing@example.org")[-1]
    assert "You are registered" in welcome.subject
    assert "could not accept" in mails_to("lee@example.org")[-1].body
    assert AuditEntry.objects.filter(action="registration.approve").exists()

    assert client.post(url, {"registration": waiting.pk, "action": "attended"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.attended is True
    assert "Attended: 1" in client.get(url).content.decode()

    attend = link(welcome, "attend")
    assert ONLINE_MEETING in Client().get(attend).content.decode()
    client.post(url, {"registration": waiting.pk, "action": "revoke"})
    assert Client().get(attend).status_code == 400  # the old link no longer opens

    export = client.get(f"/admin/events/{ours.pk}/registrations.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:2] == ["name", "email"]
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["wing@example.org"][0] == '\'=HYPERLINK("http://evil")'
    assert by_email["wing@example.org"][-1] == "yes"
    assert AuditEntry.objects.filter(action="registration.export").exists()


def test_an_organiser_is_refused_another_groups_event_and_everything_else(world):
    client, theirs = world["client"], world["theirs"]
    _confirmed(theirs, "secret@example.org")
    listing = client.get("/admin/events/").content.decode()
    assert "Advocacy 101" in listing and "Political parties" not in listing
    assert client.get(f"/admin/events/{theirs.pk}/").status_code == 404
    assert client.get(f"/admin/events/{theirs.pk}/registrations.csv").status_code == 404
    registration = Registration.objects.get()
    refused = client.post(
        f"/admin/events/{world['ours'].pk}/",
        {"registration": registration.pk, "action": "attended"},
    )
    assert refused.status_code == 400  # not a registrant of their event
    assert client.post(f"/admin/events/{theirs.pk}/", {"action": "revoke"}).status_code == 404
    bad = client.post(f"/admin/events/{world['ours'].pk}/", {"action": "nonsense"})
    assert bad.status_code == 400 and "Choose a registrant" in bad.content.decode()
    # In Wagtail: their own group's event yes, the other group's and the listing's no.
    assert client.get(f"/admin/pages/{world['ours'].pk}/edit/").status_code == 200
    assert_denied(client.get(f"/admin/pages/{theirs.pk}/edit/"))
    assert_denied(client.get(f"/admin/pages/{world['listing'].pk}/edit/"))
    # A supporter with no account sees nothing of it.
    assert Client().get(f"/admin/events/{world['ours'].pk}/").status_code == 302


def test_an_organiser_creates_an_event_for_their_own_group_only(world):
    client = world["client"]
    add = f"/admin/pages/add/events/eventpage/{world['listing'].pk}/"
    form = client.get(add)
    assert form.status_code == 200
    html = form.content.decode()
    assert "Canada-Hong Kong Link" in html and "Action Free Hong Kong Montreal" not in html
    editor = Client()
    editor.force_login(UserFactory(roles=[EDITORS]))
    assert "Action Free Hong Kong Montreal" in editor.get(add).content.decode()


def test_the_group_sees_only_supporters_who_agreed(world):
    theirs, ours = world["theirs"], world["ours"]
    page = Client().get(ours.url).content.decode()
    assert "Let Canada-Hong Kong Link contact me" in page
    _confirmed(ours, "yes@example.org", group_contact="on")
    _confirmed(ours, "no@example.org")
    _confirmed(theirs, "montreal@example.org", group_contact="on")
    url = f"/admin/coalition/groups/{world['toronto'].pk}/supporters/"
    shown = world["client"].get(url).content.decode()
    assert "yes@example.org" in shown
    assert "Let Canada-Hong Kong Link contact me" in shown  # the words they agreed to
    assert "no@example.org" not in shown and "montreal@example.org" not in shown
    refused = world["client"].get(f"/admin/coalition/groups/{world['montreal'].pk}/supporters/")
    assert refused.status_code == 403
    assert len(mail.outbox) > 0
