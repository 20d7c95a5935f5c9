"""Names are stored as typed (minus control and direction-override characters) and escaped
once on every surface: the page, the printable list (the PDF's source) and the CSV."""

import csv
import io

import pytest
from django.test import Client

from harbour.core.roles import MODERATORS
from harbour.signons.models import Signature
from harbour.signons.services import confirmation_token, signature_confirm
from tests.content.factories import UserFactory

from .factories import INDIVIDUAL, make_statement

pytestmark = pytest.mark.django_db

TYPED = "Tom & Jerry say <3 a<b and c>d"
STORED = "Tom & Jerry say <3 a<b and c>d Lee"
ESCAPED = "Tom &amp; Jerry say &lt;3 a&lt;b and c&gt;d Lee"


def _signed(client, home, given_name: str, city: str = "Markham"):
    statement = make_statement(home)
    client.post(
        statement.url + "sign/",
        {**INDIVIDUAL, "individual-given_name": given_name, "individual-city": city},
    )
    signature = Signature.objects.get()
    signature_confirm(token=confirmation_token(signature))
    return statement, signature


def test_a_name_with_ampersands_and_angles_is_kept_and_shown_once_escaped(client, home):
    statement, signature = _signed(client, home, TYPED)
    assert signature.name == STORED
    for url in (statement.url, statement.url + "print/"):
        page = client.get(url).content.decode()
        assert ESCAPED in page, url
        assert "&amp;amp;" not in page and "&amp;lt;" not in page, url
    moderator = Client()
    moderator.force_login(UserFactory(roles=[MODERATORS]))
    export = b"".join(
        moderator.get(f"/admin/signons/export/{statement.pk}/").streaming_content
    ).decode()
    assert list(csv.reader(io.StringIO(export)))[1][2] == STORED


def test_direction_overrides_are_removed_from_public_names(client, home):
    statement, signature = _signed(
        client, home, "\u202eMimi\u2066 \u202a", city="Mark\u2067ham\u202c"
    )
    assert (signature.name, signature.city) == ("Mimi Lee", "Markham")
    page = client.get(statement.url).content.decode()
    assert not any(ch in page for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_signing_again_changes_nothing_in_the_supporters_record(client, home):
    from harbour.people.models import Person

    statement, _signature = _signed(client, home, "Mimi", city="")
    client.post(
        statement.url + "sign/",
        {**INDIVIDUAL, "individual-given_name": "Impostor", "individual-city": "Elsewhere"},
    )
    person = Person.objects.get(email="mimi@example.org")
    assert (person.given_name, person.city) == ("Mimi", "")
    assert Signature.objects.get().name == "Mimi Lee"
