"""A supporter enters a postal code, sees their MP, edits the letter, confirms by e-mail."""

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from harbour.letters.models import LetterCampaignPage

FIXTURE = Path(__file__).parents[2] / "harbour" / "representatives" / "fixtures" / "canada"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign_on_live_server(live_server, home, settings):
    from wagtail.models import Site

    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    settings.SITE_URL = live_server.url
    call_command("load_representatives", "--dir", str(FIXTURE))
    page = LetterCampaignPage(
        title="Urge the SDIR subcommittee to reconvene",
        slug="sdir",
        subject_template="Please reconvene SDIR",
        body_template="Dear {representative},\n\nPlease press for SDIR to reconvene.\n\n"
        "{supporter_name}",
        opens_at=timezone.now() - datetime.timedelta(days=1),
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return live_server, page


def test_supporter_writes_to_their_mp(page: Page, campaign_on_live_server):
    server, campaign = campaign_on_live_server
    page.goto(server.url + campaign.url)
    page.get_by_label("Your postal code").fill("l1s 2a3")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Jennifer McKelvie", exact=True)).to_be_visible()
    body = page.get_by_role("textbox", name="Your letter")
    expect(body).to_have_value(re.compile("Dear Jennifer McKelvie"))
    body.fill(
        "Dear Ms McKelvie,\n\nAs your constituent in Ajax, please press for SDIR to "
        "reconvene and study Hong Kong.\n\nMimi"
    )
    page.get_by_label("Given name").fill("Mimi")
    page.get_by_label("Family name").fill("Lee")
    page.get_by_label("E-mail", exact=True).fill("mimi@example.org")
    page.get_by_role("button", name="Send my letter").click()
    almost = page.get_by_text("check your e-mail, open the link and press the button")
    expect(almost).to_be_visible()

    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)  # opening the link only shows the letter and whom it goes to
    expect(page.get_by_text("Jennifer McKelvie")).to_be_visible()
    assert not [m for m in mail.outbox if m.to == ["jennifer.mckelvie@parl.gc.ca"]]
    page.get_by_role("button", name="Send my letter").click()
    expect(page.get_by_text("your letter is on its way")).to_be_visible()
    to_mp = [m for m in mail.outbox if m.to == ["jennifer.mckelvie@parl.gc.ca"]]
    assert len(to_mp) == 1
    assert "study Hong Kong" in to_mp[0].body
    assert to_mp[0].reply_to == ["mimi@example.org"]
    page.goto(server.url + campaign.url)
    expect(page.get_by_test_id("letter-count")).to_have_text("1")
