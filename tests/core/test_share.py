"""After signing or writing: a share step of plain links that load nothing from those
services and carry no tracking parameter; an organisation is told a moderator reviews it."""

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core import mail

from harbour.signons.models import Signature
from harbour.signons.services import confirmation_token
from tests.letters.test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)
from tests.signons.factories import INDIVIDUAL, ORGANISATION, make_petition, make_statement

pytestmark = pytest.mark.django_db
SERVICES = {
    "wa.me": "text",
    "t.me": "url",
    "x.com": "url",
    "www.facebook.com": "u",
}


def _share_links(html: str) -> dict[str, str]:
    section = html.split('<section class="share"')[1].split("</section>")[0]
    return {urlsplit(h).netloc or "mailto": h for h in re.findall(r'href="([^"]+)"', section)}


def _assert_plain_share_step(html: str, page_url: str) -> None:
    links = _share_links(html.replace("&amp;", "&"))
    assert set(links) == {*SERVICES, "mailto"}
    for host, parameter in SERVICES.items():
        shared = parse_qs(urlsplit(links[host]).query)[parameter][0]
        assert page_url in shared and "utm_" not in shared and "?" not in shared.split()[-1]
    assert unquote(links["mailto"]).endswith(f"body={page_url}")
    assert f'value="{page_url}" readonly' in html  # the link to copy, without JavaScript
    # Nothing on the page loads from those services: no script, frame, image or style.
    for tag in re.findall(r"<(?:script|iframe|img|link)[^>]*>", html):
        assert not any(host in tag for host in SERVICES), tag


def test_signing_and_confirming_offer_plain_share_links(client, home):
    petition = make_petition(home)
    thanks = client.post(petition.url + "sign/", INDIVIDUAL, follow=True).content.decode()
    _assert_plain_share_step(thanks, f"http://testserver{petition.url}")
    assert "a moderator checks" not in thanks
    link = f"{petition.url}confirm/{confirmation_token(Signature.objects.get())}/"
    confirmed = client.post(link).content.decode()
    _assert_plain_share_step(confirmed, f"http://testserver{petition.url}")


def test_writing_a_letter_offers_the_share_step(client, campaign):  # noqa: F811
    thanks = client.post(campaign.url + "send/", LETTER, follow=True).content.decode()
    _assert_plain_share_step(thanks, f"http://testserver{campaign.url}")
    sent = _confirm(client, campaign).content.decode()
    _assert_plain_share_step(sent, f"http://testserver{campaign.url}")


def test_an_organisation_is_told_a_moderator_reviews_its_signature(client, home):
    statement = make_statement(home)
    thanks = client.post(statement.url + "sign/", ORGANISATION, follow=True)
    assert "a moderator checks that the organisation" in thanks.content.decode()
    assert len(mail.outbox) == 1
