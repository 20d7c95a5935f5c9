"""A supporter's letters appear in their history and their data export (the letters app's
part of the people registry)."""

import json

import pytest

from harbour.core.roles import MODERATORS
from harbour.people.models import Person
from tests.content.factories import UserFactory

from .test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

INDEX = "/admin/supporters/"


def test_a_supporters_letter_is_in_their_history_and_export(client, campaign):  # noqa: F811
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    mimi = Person.objects.get(email="mimi@example.org")
    moderator = UserFactory(roles=[MODERATORS])
    client.force_login(moderator)

    history = client.get(f"{INDEX}{mimi.pk}/").content.decode()
    assert "Wrote “Please act on Hong Kong” (Ask the SDIR committee to reconvene)" in history
    assert "Confirmed" in history

    exported = json.loads(client.post(f"{INDEX}{mimi.pk}/export/").content)
    [letter] = exported["letters"]
    assert letter["campaign"] == "Ask the SDIR committee to reconvene"
    assert letter["subject"] == "Please act on Hong Kong"
    assert letter["body"] == LETTER["body"]
    assert letter["state"] == "confirmed"
    assert letter["recipients"] == ["Jennifer McKelvie"]
