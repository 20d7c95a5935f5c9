"""A supporter signs a petition, opens the confirmation e-mail and sees the count go up."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.signons.factories import make_petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def petition_on_live_server(live_server, home, settings):
    from wagtail.models import Site

    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    settings.SITE_URL = live_server.url
    return live_server, make_petition(home, goal=10)


def test_supporter_signs_a_petition_and_confirms_from_the_email(
    page: Page, petition_on_live_server
):
    server, petition = petition_on_live_server
    page.goto(server.url + petition.url)
    expect(page.get_by_test_id("signature-count")).to_have_text("0")

    page.get_by_label("Given name").fill("Mimi")
    page.get_by_label("Family name").fill("Lee")
    page.get_by_label("E-mail", exact=True).fill("mimi@example.org")
    page.get_by_label("Postal code").fill("l3r0a1")
    page.get_by_label("City", exact=True).fill("Markham")
    page.get_by_label("My initials and city").check()
    page.get_by_role("button", name="Sign").click()

    thanks = page.get_by_text("Check your e-mail, open the link and press the button")
    expect(thanks).to_be_visible()
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[0].body).group(0)
    assert "mimi" not in link.lower()

    page.goto(link)  # opening the link only asks
    expect(page.get_by_text("You are adding the name “Mimi Lee”")).to_be_visible()
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_text("is confirmed and counted")).to_be_visible()
    page.get_by_role("link", name="See the list of signers").click()
    expect(page.get_by_test_id("signature-count")).to_have_text("1")
    expect(page.get_by_text("M. L., Markham")).to_be_visible()
    expect(page.get_by_text("mimi@example.org")).to_have_count(0)
