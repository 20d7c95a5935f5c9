"""Members: an organiser invites one (a password from the e-mailed link) or accepts a
request sent from the group's page; a member opens members-only pages and signs in with a
password or a one-time link by e-mail; the group's contact form reaches its organisers,
whose addresses the sender never sees. Each refusal."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from wagtail.models import PageViewRestriction

from harbour.coalition.models import GroupContact, GroupMember
from harbour.coalition.organisers import organiser_add
from harbour.coalition.roles import MEMBERS, members_group
from harbour.content.models import StandardPage
from harbour.core.models import AuditEntry
from harbour.core.roles import ADMINISTRATORS
from harbour.people.models import Person
from harbour.people.services import person_erase, person_history
from tests.content.factories import UserFactory

from .factories import make_directory, make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(home):
    directory = make_directory(home)
    toronto = make_group(directory, "Canada-Hong Kong Link", city="Toronto", province="ON")
    montreal = make_group(directory, "Action Free Hong Kong Montreal", province="QC")
    organiser = UserFactory(email="orga@example.org", username="orga@example.org")
    organiser_add(group=toronto, user=organiser, actor=None)
    client = Client()
    client.force_login(organiser)
    notes = StandardPage(title="Members' notes", slug="notes", intro="Only for members.")
    home.add_child(instance=notes)
    notes.save_revision().publish()
    restriction = PageViewRestriction.objects.create(
        page=notes, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(members_group())
    return {"toronto": toronto, "montreal": montreal, "client": client, "notes": notes}


def _url(message, pattern):
    return re.search(pattern, message.body).group(0).removeprefix("http://127.0.0.1:8000")


def test_an_invited_member_chooses_a_password_and_opens_members_only_pages(groups):
    toronto = groups["toronto"]
    url = f"/admin/coalition/groups/{toronto.pk}/members/"
    assert groups["client"].post(url, {"email": "Wing@Example.org"}).status_code == 302
    invitation = mail.outbox[-1]
    assert invitation.to == ["wing@example.org"] and "member of" in invitation.subject
    assert Client().get("/notes/").status_code == 302  # the public: to the sign-in
    visitor = Client()
    link = _url(invitation, r"http://\S+/organisers/confirm/\S+/")
    assert "Be a member of Canada-Hong Kong Link" in visitor.get(link).content.decode()
    done = visitor.post(
        link,
        {"name": "Wing", "password": "a-long-and-new-pw", "password_again": "a-long-and-new-pw"},
    )
    assert done.status_code == 302 and done["Location"] == toronto.url  # no second factor
    user = User.objects.get(email="wing@example.org")
    assert not user.is_staff and user.groups.filter(name=MEMBERS).exists()
    assert GroupMember.objects.filter(group=toronto, user=user).exists()
    assert "Only for members." in visitor.get("/notes/").content.decode()
    assert visitor.get("/admin/").status_code == 302  # no admin access
    assert AuditEntry.objects.filter(action="member.invite").exists()
    # Removed, the account no longer opens members-only pages.
    groups["client"].post(url, {"action": "remove", "user": user.pk})
    assert not user.groups.filter(name=MEMBERS).exists()
    assert visitor.get("/notes/").status_code == 302


def test_an_organiser_manages_the_members_of_their_own_group_only(groups):
    url = f"/admin/coalition/groups/{groups['montreal'].pk}/members/"
    refused = groups["client"].post(url, {"email": "x@example.org"})
    assert refused.status_code == 403 and "your own group only" in refused.content.decode()
    bad = groups["client"].post(
        f"/admin/coalition/groups/{groups['toronto'].pk}/members/", {"email": "not-an-address"}
    )
    assert bad.status_code == 400 and "Enter a valid e-mail address." in bad.content.decode()
    assert not mail.outbox
    assert Client().post(url, {"email": "x@example.org"}).status_code == 302  # to sign-in


def _write(client, group, **data):
    values = {"name": "Lee", "email": "lee@example.org", "message": "Hello from Hamilton.", **data}
    return client.post(f"{group.url}contact/", values)


def test_a_message_from_the_group_page_reaches_the_organisers_once_confirmed(groups):
    toronto = groups["toronto"]
    page = Client().get(toronto.url).content.decode()
    assert "Write to Canada-Hong Kong Link" in page and "orga@example.org" not in page
    answer = _write(Client(), toronto, wants_membership="on")
    assert answer.status_code == 302 and answer["Location"].endswith("/contact/thanks/")
    [confirm] = mail.outbox
    assert confirm.to == ["lee@example.org"] and "orga@example.org" not in confirm.body
    link = _url(confirm, r"http://\S+/confirm/\S+/")
    sender = Client()
    assert "Send my message" in sender.get(link).content.decode()
    assert len(mail.outbox) == 1  # opening the link sends nothing
    sent = sender.post(link)
    assert "went to the organisers" in sent.content.decode()
    assert "orga@example.org" not in sent.content.decode()
    message = mail.outbox[-1]
    assert message.to == ["orga@example.org"] and message.reply_to == ["lee@example.org"]
    assert "Hello from Hamilton." in message.body and "asks to be a member" in message.subject
    sender.post(link)
    assert len(mail.outbox) == 2  # pressed twice, sent once

    # The organiser accepts the request: an invitation to be a member.
    contact = GroupContact.objects.get()
    admin_page = groups["client"].get("/admin/coalition/groups/").content.decode()
    assert "Requests to be a member" in admin_page and "Hello from Hamilton." in admin_page
    url = f"/admin/coalition/groups/{toronto.pk}/members/"
    groups["client"].post(url, {"action": "accept", "request": contact.pk})
    assert mail.outbox[-1].to == ["lee@example.org"]
    assert "member of" in mail.outbox[-1].subject
    again = groups["client"].post(url, {"action": "decline", "request": contact.pk})
    assert again.status_code == 400 and "answered already" in again.content.decode()
    person = Person.objects.get(email="lee@example.org")
    assert any("Wrote to" in item.description for item in person_history(person=person))
    person_erase(person=person, actor=UserFactory(roles=[ADMINISTRATORS]))
    contact.refresh_from_db()
    assert contact.message == "" and contact.name == ""


def test_the_contact_form_refuses_bad_input_and_answers_bots_as_people(groups):
    toronto = groups["toronto"]
    bad = _write(Client(), toronto, email="nope", message="")
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Enter a valid email address." in html and "This field is required." in html
    bot = _write(Client(), toronto, nickname="bot")
    assert bot.status_code == 302 and not GroupContact.objects.exists() and not mail.outbox
    foreign = _write(Client(), toronto)
    token = _url(mail.outbox[-1], r"http://\S+/confirm/\S+/").rstrip("/").rsplit("/", 1)[1]
    assert Client().post(f"{groups['montreal'].url}confirm/{token}/").status_code == 400
    assert foreign.status_code == 302


def test_a_member_signs_in_with_a_one_time_link(groups):
    user = User.objects.create_user("ming@example.org", "ming@example.org", "x-long-password")
    GroupMember.objects.create(group=groups["toronto"], user=user)
    user.groups.add(members_group())
    staff = UserFactory(email="staff@example.org", username="staff@example.org")
    visitor = Client()
    for address in ("ming@example.org", "nobody@example.org", "staff@example.org"):
        answer = visitor.post("/account/sign-in-link/", {"email": address})
        assert answer.status_code == 200
        assert "a sign-in link is on its way" in answer.content.decode()
    assert [m.to for m in mail.outbox] == [["ming@example.org"]]  # members only
    link = _url(mail.outbox[0], r"http://\S+/account/sign-in-link/confirm/\S+/")
    assert "Sign in as ming@example.org" in visitor.get(link).content.decode()
    assert visitor.get("/notes/").status_code == 302  # opening the link signs nobody in
    assert visitor.post(link).status_code == 302
    assert "Only for members." in visitor.get("/notes/").content.decode()
    used = Client().post(link)
    assert used.status_code == 400 and "used already" in used.content.decode()
    bad = Client().post("/account/sign-in-link/", {"email": "x"})
    assert bad.status_code == 400
    del staff
