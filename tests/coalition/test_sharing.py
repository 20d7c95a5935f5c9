"""Sharing by consent: a signer of a group's statement may tick "let <group> contact me";
only then, and only that group's organisers, see them."""

import re

import pytest
from django.core import mail
from django.test import Client

from harbour.coalition.organisers import organiser_add
from harbour.people.models import Consent
from tests.content.factories import UserFactory
from tests.signons.factories import INDIVIDUAL, make_statement

from .factories import make_directory, make_group

pytestmark = pytest.mark.django_db


def _sign_and_confirm(page, email, **extra):
    data = {**INDIVIDUAL, "individual-email": email, **extra}
    assert Client().post(page.url, data).status_code == 302
    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    Client().post(link.removeprefix("http://127.0.0.1:8000"))


def test_a_signer_who_ticks_the_box_is_seen_by_that_groups_organisers_only(home):
    directory = make_directory(home)
    link = make_group(directory, "Canada-Hong Kong Link", province="ON")
    other = make_group(directory, "Vancouver Society", province="BC")
    statement = make_statement(home)
    statement.organising_groups.set([link])
    statement.save_revision().publish()
    organiser = UserFactory(email="orga@example.org", username="orga@example.org")
    organiser_add(group=link, user=organiser, actor=None)
    client = Client()
    client.force_login(organiser)

    form = Client().get(statement.url).content.decode()
    assert "Let Canada-Hong Kong Link contact me about their work" in form
    _sign_and_confirm(statement, "yes@example.org", **{"individual-group_contact": "on"})
    _sign_and_confirm(statement, "no@example.org")
    consent = Consent.objects.get(topic="group_contact")
    assert consent.person.email == "yes@example.org" and consent.granted
    assert consent.wording.startswith("Let Canada-Hong Kong Link contact me")
    assert "Joint statement" in consent.source

    shown = client.get(f"/admin/coalition/groups/{link.pk}/supporters/").content.decode()
    assert "yes@example.org" in shown and "no@example.org" not in shown
    assert client.get(f"/admin/coalition/groups/{other.pk}/supporters/").status_code == 403
    # A statement that names no group has no such box.
    plain = make_statement(home, slug="plain")
    assert "contact me about their work" not in Client().get(plain.url).content.decode()
