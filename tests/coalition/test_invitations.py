"""Organisers without an account are invited: a one-time, expiring link to choose a
password, then the second factor; an approved application's contact is the first."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from harbour.coalition.models import GroupApplication, GroupOrganiser, MemberGroupPage
from harbour.core.roles import ADMINISTRATORS
from tests.content.factories import UserFactory

from .test_applications import _apply, _link, join  # noqa: F401 (fixture)
from .test_organisers import coalition  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-new-password"


def _invitation_link() -> str:
    message = next(m for m in reversed(mail.outbox) if "invited to organise" in m.subject)
    return (
        re.search(r"http://\S+/organisers/confirm/\S+/", message.body)
        .group(0)
        .removeprefix("http://127.0.0.1:8000")
    )


def test_an_approved_groups_contact_is_invited_and_becomes_its_first_organiser(client, join):  # noqa: F811
    _apply(client)
    client.post(_link(mail.outbox[0]))
    application = GroupApplication.objects.get()
    admin = Client()
    admin.force_login(UserFactory(roles=[ADMINISTRATORS]))
    admin.post(f"/admin/coalition/applications/{application.pk}/", {"decision": "approve"})
    invitation = mail.outbox[-1]
    assert invitation.to == ["wing@example.org"]
    assert invitation.subject == "You are invited to organise Halifax Hongkongers"
    link = _invitation_link()

    visitor = Client()
    form = visitor.get(link)
    assert form.status_code == 200 and "Organise Halifax Hongkongers" in form.content.decode()
    assert form["Referrer-Policy"] == "same-origin"  # the token never goes to other sites
    differ = visitor.post(link, {"name": "Wing", "password": PASSWORD, "password_again": "x"})
    assert differ.status_code == 400 and "The two passwords differ." in differ.content.decode()
    weak = visitor.post(link, {"name": "Wing", "password": "123", "password_again": "123"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    assert not User.objects.filter(email="wing@example.org").exists()

    made = visitor.post(link, {"name": "Wing", "password": PASSWORD, "password_again": PASSWORD})
    assert made.status_code == 302 and made["Location"].startswith("/account/two-factor/")
    user = User.objects.get(email="wing@example.org")
    group = MemberGroupPage.objects.get(title="Halifax Hongkongers")
    assert GroupOrganiser.objects.filter(user=user, group=group).exists()
    assert visitor.get(f"/admin/pages/{group.pk}/edit/").status_code == 200  # its draft

    again = Client().get(link)
    assert again.status_code == 400 and "used already" in again.content.decode()


def test_an_organiser_invites_a_co_organiser_by_address_or_adds_an_existing_account(
    coalition,  # noqa: F811
):
    client, toronto = coalition["client"], coalition["toronto"]
    url = f"/admin/coalition/groups/{toronto.pk}/organisers/"
    assert client.post(url, {"email": "newcomer@example.org"}).status_code == 302
    assert mail.outbox[-1].to == ["newcomer@example.org"]
    assert not GroupOrganiser.objects.filter(user__email="newcomer@example.org").exists()
    sent = len(mail.outbox)
    existing = UserFactory(email="known@example.org", username="known@example.org")
    assert client.post(url, {"email": "known@example.org"}).status_code == 302
    assert len(mail.outbox) == sent  # no invitation: added at once
    assert GroupOrganiser.objects.filter(user=existing, group=toronto).exists()


def test_expired_and_forged_invitations_are_refused(coalition, settings):  # noqa: F811
    client, toronto = coalition["client"], coalition["toronto"]
    client.post(f"/admin/coalition/groups/{toronto.pk}/organisers/", {"email": "late@example.org"})
    link = _invitation_link()
    forged = Client().get(link[:-6] + "AAAAA/")
    assert forged.status_code == 400 and "not valid" in forged.content.decode()
    settings.HARBOUR_INVITE_DAYS = -1  # time has passed
    expired = Client().post(link, {"name": "L", "password": PASSWORD, "password_again": PASSWORD})
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    assert not User.objects.filter(email="late@example.org").exists()


def test_an_invitation_for_an_address_that_got_an_account_meanwhile_says_so(coalition):  # noqa: F811
    client, toronto = coalition["client"], coalition["toronto"]
    client.post(f"/admin/coalition/groups/{toronto.pk}/organisers/", {"email": "meg@example.org"})
    link = _invitation_link()
    UserFactory(email="meg@example.org", username="meg@example.org")
    answer = Client().post(link, {"name": "Meg", "password": PASSWORD, "password_again": PASSWORD})
    assert answer.status_code == 400
    assert "An account with this address exists: sign in instead." in answer.content.decode()
    assert User.objects.filter(email="meg@example.org").count() == 1


def test_the_service_refuses_a_malformed_address_whoever_calls_it(coalition):  # noqa: F811
    from harbour.coalition.invitations import organiser_invite
    from harbour.coalition.organisers import OrganiserRefused

    with pytest.raises(OrganiserRefused, match="Enter a valid e-mail address."):
        organiser_invite(group=coalition["toronto"], email="nobody at all", actor=None)
    assert mail.outbox == []


def test_an_approved_contact_enrols_the_second_factor_then_edits_their_group_only(
    client,
    join,  # noqa: F811
    settings,
):
    """The whole way, with the second factor required as in production: application,
    confirmation, approval, invitation, password, TOTP, then the group's page."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .factories import make_group

    settings.HARBOUR_REQUIRE_2FA = True
    from harbour.coalition.models import MemberGroupIndexPage

    other = make_group(MemberGroupIndexPage.objects.get(), "Another group")
    _apply(client)
    client.post(_link(mail.outbox[0]))
    admin = UserFactory(roles=[ADMINISTRATORS])
    from harbour.coalition.applications import application_decide

    application_decide(
        application_id=GroupApplication.objects.get().pk, approve=True, note="", actor=admin
    )
    visitor = Client()
    link = _invitation_link()
    made = visitor.post(link, {"name": "Wing", "password": PASSWORD, "password_again": PASSWORD})
    assert made["Location"].startswith("/account/two-factor/")
    group = MemberGroupPage.objects.get(title="Halifax Hongkongers")
    assert visitor.get(f"/admin/pages/{group.pk}/edit/")["Location"] == "/account/two-factor/"
    assert b"Scan this code" in visitor.get("/account/two-factor/").content
    device = TOTPDevice.objects.get(user__email="wing@example.org")
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert visitor.post("/account/two-factor/", {"token": code}).status_code == 302
    assert visitor.get(f"/admin/pages/{group.pk}/edit/").status_code == 200
    refused = visitor.get(f"/admin/pages/{other.pk}/edit/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
