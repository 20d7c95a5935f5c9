"""Every e-mail's HTML part says what its text part says: each sentence and each link."""

import html
import re

import pytest
from django.core import mail

from harbour.signons.models import Signature
from harbour.signons.services import confirmation_token, signature_confirm
from tests.letters.test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)
from tests.signons.factories import INDIVIDUAL, make_petition

pytestmark = pytest.mark.django_db


def _assert_same(message) -> None:
    [(markup, kind)] = message.alternatives
    assert kind == "text/html"
    links = set(re.findall(r'href="([^"]+)"', markup))
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
    for paragraph in message.body.split("\n\n"):
        for line in paragraph.strip().splitlines():
            line = line.strip()
            if not line or line == "--":
                continue
            if line.startswith("http"):
                assert line in links, line
            else:
                assert " ".join(line.split()) in words, line


def test_sign_on_emails(client, home):
    petition = make_petition(home)
    client.post(petition.url + "sign/", INDIVIDUAL)
    signature_confirm(token=confirmation_token(Signature.objects.get()))
    client.post(petition.url + "sign/", INDIVIDUAL)  # again: "you have already signed"
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        _assert_same(message)


def test_letter_emails(client, campaign):  # noqa: F811
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    client.post(campaign.url + "send/", LETTER)  # again: "your letter has already gone"
    to_supporter = [
        m for m in mail.outbox if m.to == ["mimi@example.org"] and getattr(m, "alternatives", None)
    ]
    assert len(to_supporter) == 2
    for message in to_supporter:
        _assert_same(message)
