"""A French-speaking visitor finds the petition from the home page, signs in French,
receives the confirmation in French, confirms, and is counted on the one petition."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from wagtail.models import Locale, Site

from harbour.signons.counts import count_total
from tests.signons.factories import make_petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def french_petition(live_server, home, settings):
    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    settings.SITE_URL = live_server.url
    petition = make_petition(home, goal=10)
    locale, _ = Locale.objects.get_or_create(language_code="fr")
    french = petition.copy_for_translation(locale, copy_parents=True)
    french.title = "Protéger les gens au Canada contre l’ingérence étrangère"
    french.save_revision().publish()
    return live_server, petition, french


def test_a_french_visitor_signs_in_french_and_confirms(page: Page, french_petition):
    server, petition, french = french_petition
    page.goto(server.url + "/")
    page.get_by_role("link", name="français").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Agir").click()
    page.get_by_role(
        "link", name="Protéger les gens au Canada contre l’ingérence étrangère"
    ).first.click()
    assert page.url == server.url + french.url

    page.get_by_label("Prénom").fill("Mimi")
    page.get_by_label("Nom de famille").fill("Lee")
    page.get_by_label("Courriel", exact=True).fill("mimi@example.org")
    page.get_by_label("Code postal").fill("h2x 1y4")
    page.get_by_label("Ville", exact=True).fill("Montréal")
    page.get_by_label("Mes initiales et ma ville").check()
    page.get_by_role("button", name="Signer", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    [message] = mail.outbox
    assert message.subject.startswith("Veuillez confirmer votre signature")
    link = re.search(r"http://\S+/confirm/\S+/", message.body).group(0)
    assert link.startswith(f"{server.url}/fr/")
    page.goto(link)
    expect(page.get_by_text("Vous ajoutez le nom « Mimi Lee »")).to_be_visible()
    page.get_by_role("button", name="Confirmer ma signature").click()
    expect(page.get_by_text("est confirmée et comptabilisée")).to_be_visible()
    assert count_total(page=petition) == 1
    page.goto(server.url + petition.url)  # the English page counts the French signature
    expect(page.get_by_test_id("signature-count")).to_have_text("1")
