"""A group applies to join: the principles in full, the form, the contact's confirmation by
e-mail, and an administrator's decision with a note (who and when); every refusal."""

import re

import pytest
from django.core import mail
from django.test import Client

from harbour.coalition.models import (
    ApplicationState,
    GroupApplication,
    JoinPage,
    JoinPrinciple,
    MemberGroupIndexPage,
    MemberGroupPage,
)
from harbour.core.models import AuditEntry
from harbour.core.roles import ADMINISTRATORS, EDITORS, MODERATORS
from harbour.people.models import Person
from harbour.people.services import person_erase
from tests.admin_helpers import assert_denied
from tests.content.factories import UserFactory

from .factories import make_directory

pytestmark = pytest.mark.django_db

APPLICATION = {
    "group_name": "Halifax Hongkongers",
    "city": "Halifax",
    "province": "NS",
    "website": "https://halifax.example.org",
    "contact_name": "Wing Chan",
    "email": "wing@example.org",
    "activities": "Vigils on 4 June, letters to our MPs, a reading group.",
    "principles_agreed": "on",
}


@pytest.fixture
def join(home):
    make_directory(home)
    page = JoinPage(title="Join the alliance", slug="join")
    page.principles = [
        JoinPrinciple(sort_order=0, title="Community first", text="By Hongkongers, for all."),
        JoinPrinciple(sort_order=1, title="Multi-partisan", text="Every party, common ground."),
    ]
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _link(message) -> str:
    return (
        re.search(r"http://\S+/confirm/\S+/", message.body)
        .group(0)
        .removeprefix("http://127.0.0.1:8000")
    )


def _apply(client, **changes):
    return client.post("/join/", {**APPLICATION, **changes})


def test_a_group_applies_confirms_and_an_administrator_approves_it(client, join):
    page = client.get("/join/").content.decode()
    assert "Community first" in page and "By Hongkongers, for all." in page  # in full
    response = _apply(client)
    assert response.status_code == 302 and response["Location"] == "/join/thanks/"
    [message] = mail.outbox
    assert message.to == ["wing@example.org"]
    assert "Halifax Hongkongers" in message.subject
    link = _link(message)
    application = GroupApplication.objects.get()
    assert application.state == ApplicationState.PENDING

    opened = client.get(link)  # a mail scanner opening the link changes nothing
    assert "Send our application" in opened.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.PENDING
    confirmed = client.post(link)
    assert "Application received" in confirmed.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED and application.confirmed_at

    admin = Client()
    admin.force_login(UserFactory(roles=[ADMINISTRATORS]))
    listing = admin.get("/admin/coalition/applications/").content.decode()
    assert "Halifax Hongkongers" in listing
    detail = admin.get(f"/admin/coalition/applications/{application.pk}/").content.decode()
    assert "wing@example.org" in detail and "Vigils on 4 June" in detail
    decided = admin.post(
        f"/admin/coalition/applications/{application.pk}/",
        {"decision": "approve", "note": "Welcome; spoke with Wing on the phone."},
    )
    assert decided.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert application.decided_by.groups.filter(name=ADMINISTRATORS).exists()
    assert application.decision_note == "Welcome; spoke with Wing on the phone."
    group = MemberGroupPage.objects.get(title="Halifax Hongkongers")
    assert application.group_id == group.pk and not group.live  # a draft for an editor
    assert (group.city, group.province) == ("Halifax", "NS")
    assert AuditEntry.objects.filter(action="application.approve").exists()
    assert "Halifax" not in client.get("/members/").content.decode()  # not public yet

    again = admin.post(f"/admin/coalition/applications/{application.pk}/", {"decision": "decline"})
    assert again.status_code == 400 and "approved already" in again.content.decode()


def test_a_declined_application_keeps_its_note_and_makes_no_group(client, join):
    _apply(client)
    client.post(_link(mail.outbox[0]))
    application = GroupApplication.objects.get()
    admin = Client()
    admin.force_login(UserFactory(roles=[ADMINISTRATORS]))
    admin.post(
        f"/admin/coalition/applications/{application.pk}/",
        {"decision": "decline", "note": "Not a community group."},
    )
    application.refresh_from_db()
    assert (application.state, application.decision_note) == (
        ApplicationState.DECLINED,
        "Not a community group.",
    )
    assert application.group is None and not MemberGroupPage.objects.exists()
    # The contact is told, with the note, and nothing else is sent.
    told = mail.outbox[-1]
    assert told.to == ["wing@example.org"] and "Halifax Hongkongers" in told.subject
    assert "declined" in told.body and "Not a community group." in told.body
    assert len(mail.outbox) == 2
    bad = admin.post(f"/admin/coalition/applications/{application.pk}/", {"decision": "x"})
    assert bad.status_code == 400 and "Choose to approve or to decline." in bad.content.decode()


def test_the_form_answers_the_same_whatever_the_address_has_done(client, join):
    first = _apply(client)
    again = _apply(Client())  # the same address, from someone else
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Person.objects.count() == 1 and GroupApplication.objects.count() == 2
    assert all(m.to == ["wing@example.org"] for m in mail.outbox)  # only to the owner


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"principles_agreed": ""}, "A group joins by agreeing to the principles."),
        ({"province": "XX"}, "Select a valid choice."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"group_name": ""}, "This field is required."),
        ({"website": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"activities": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_input_is_a_400_that_says_what_and_stores_nothing(client, join, changes, message):
    response = _apply(client, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GroupApplication.objects.exists() and mail.outbox == []


def test_a_bot_filling_the_hidden_field_is_thanked_and_nothing_is_stored(client, join):
    response = _apply(client, nickname="spam")
    assert response.status_code == 302 and response["Location"] == "/join/thanks/"
    assert not GroupApplication.objects.exists() and mail.outbox == []


def test_applications_from_one_address_are_limited_without_saying_so(client, join):
    answers = [(r.status_code, r["Location"]) for r in (_apply(client) for _ in range(4))]
    assert answers == [(302, "/join/thanks/")] * 4  # the fourth is answered as the others
    assert GroupApplication.objects.count() == 3 and len(mail.outbox) == 3


def test_applications_from_one_network_are_limited(client, join):
    answers = [_apply(client, email=f"g{n}@example.org").status_code for n in range(11)]
    assert answers == [302] * 10 + [429]
    assert GroupApplication.objects.count() == 10


def test_only_administrators_see_and_decide_applications(client, join):
    _apply(client)
    application = GroupApplication.objects.get()
    for role in (EDITORS, MODERATORS, "Organisers"):
        other = Client()
        other.force_login(UserFactory(roles=[role]))
        assert_denied(other.get("/admin/coalition/applications/"))
        assert_denied(
            other.post(f"/admin/coalition/applications/{application.pk}/", {"decision": "approve"})
        )
    application.refresh_from_db()
    assert application.state == ApplicationState.PENDING


def test_erasing_the_contact_keeps_the_groups_application_without_them(client, join):
    _apply(client)
    client.post(_link(mail.outbox[0]))
    _apply(client, group_name="Never confirmed")
    person = Person.objects.get()
    person_erase(person=person, actor=UserFactory(roles=[ADMINISTRATORS]))
    [kept] = GroupApplication.objects.all()
    assert kept.group_name == "Halifax Hongkongers"
    assert (kept.person, kept.contact_name) == (None, "")


def test_an_application_never_confirmed_is_deleted_with_its_contact_after_the_link_expires(
    client, join, settings
):
    import datetime
    import io

    from django.core.management import call_command
    from django.utils import timezone

    _apply(client)
    old = timezone.now() - datetime.timedelta(days=settings.HARBOUR_CONFIRM_DAYS + 1)
    GroupApplication.objects.update(created_at=old)
    out = io.StringIO()
    call_command("actions_purge_expired", stdout=out)
    assert "1 group applications" in out.getvalue()
    assert not GroupApplication.objects.exists() and not Person.objects.exists()


def test_approving_a_group_named_like_another_gives_it_its_own_address(client, join):
    from .factories import make_group

    make_group(MemberGroupIndexPage.objects.get(), "Halifax Hongkongers")
    _apply(client)
    client.post(_link(mail.outbox[0]))
    admin = UserFactory(roles=[ADMINISTRATORS])
    from harbour.coalition.applications import application_decide

    decided = application_decide(
        application_id=GroupApplication.objects.get().pk, approve=True, note="", actor=admin
    )
    assert decided.group.slug == "halifax-hongkongers-2"
