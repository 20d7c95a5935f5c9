"""Every public page keeps the basics of WCAG 2.1 AA that a test can see without a
browser: a language, landmarks, one first-level heading, a label for every form control
and a text alternative for every image; in all three languages."""

import re

import pytest

from harbour.signons.models import Signature
from tests.letters.test_flow import campaign  # noqa: F401 (fixture)
from tests.signons.factories import INDIVIDUAL, make_petition, make_statement

pytestmark = pytest.mark.django_db
CONTROL = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)


def _assert_accessible(html: str, where: str) -> None:
    assert re.search(r'<html lang="(en|fr|zh-hant)">', html), where
    for landmark in ("<header", "<main", "<footer", '<nav aria-label="'):
        assert landmark in html, (where, landmark)
    assert html.count("<h1") == 1, where
    labels = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    for tag, attributes in CONTROL.findall(html):
        kind = re.search(r'type="([^"]+)"', attributes)
        if kind and kind.group(1) in {"hidden", "submit"}:
            continue
        if 'aria-hidden="true"' in attributes or 'tabindex="-1"' in attributes:
            continue  # the honeypot, hidden from people and assistive technology
        control = re.search(r'(?:^|\s)id="([^"]+)"', attributes)
        named = "aria-label=" in attributes or (control and control.group(1) in labels)
        assert named, (where, tag, attributes[:120])
    for image in re.findall(r"<img\b[^>]*>", html):
        assert re.search(r'\balt="', image), (where, image)


def test_public_pages_in_every_language(client, home, campaign):  # noqa: F811
    petition = make_petition(home, slug="stop")
    statement = make_statement(home)
    client.post(petition.url, INDIVIDUAL)
    pages = ["/", "/take-action/", "/search/?q=canada", petition.url, statement.url, campaign.url]
    for prefix in ("", "/fr", "/zh-hant"):
        for url in pages:
            response = client.get(prefix + url)
            assert response.status_code == 200, prefix + url
            _assert_accessible(response.content.decode(), prefix + url)
    write = client.post(campaign.url, {"postal_code": "L1S 2A3"}).content.decode()
    _assert_accessible(write, "the letter form")
    wrong = client.post(petition.url, {**INDIVIDUAL, "individual-email": "x"})
    _assert_accessible(wrong.content.decode(), "a form with errors")
    assert Signature.objects.count() == 1
