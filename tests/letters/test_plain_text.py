"""A letter reaches the MP exactly as the supporter typed it: no HTML entities, nothing cut
at an angle bracket, no direction-override characters."""

import pytest
from django.core import mail

from .test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

BODY = "Dear MP,\n\nTom & Jerry say <3 \u2026 a<b and c>d. Please act.\n\nThank you."


def test_the_letter_reaches_the_mp_as_typed(client, campaign):  # noqa: F811
    client.post(
        campaign.url + "send/",
        {
            **LETTER,
            "subject": "Fish & chips <3",
            "body": BODY,
            "given_name": "Mi\u202emi",
            "city": "Ajax & Pickering",
        },
    )
    _confirm(client, campaign)
    to_mp = next(m for m in mail.outbox if m.to == ["jennifer.mckelvie@parl.gc.ca"])
    assert to_mp.subject == "Fish & chips <3"
    assert "Tom & Jerry say <3 \u2026 a<b and c>d. Please act." in to_mp.body
    assert "&amp;" not in to_mp.body and "&lt;" not in to_mp.body
    assert "Mimi Lee\nAjax & Pickering" in to_mp.body
    assert "\u202e" not in to_mp.body + to_mp.from_email


def test_a_supporter_on_file_without_a_postal_code_gets_it_filled_and_sent_to_their_mp(
    client,
    campaign,  # noqa: F811
):
    from harbour.people.models import Person

    Person.objects.create(email="mimi@example.org", given_name="Mimi", postal_code="")
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    assert Person.objects.get(email="mimi@example.org").postal_code == "L1S 2A3"
    to_mp = next(m for m in mail.outbox if m.to == ["jennifer.mckelvie@parl.gc.ca"])
    assert to_mp.body.rstrip().endswith("L1S 2A3")
