"""A visitor subscribes from the home page with JavaScript off, confirms from the e-mail,
receives a mailing, and leaves the list from the mailing's own unsubscribe link."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Browser, expect

from harbour.newsletter.mailings import mailing_send
from harbour.newsletter.models import MailingList, NewsletterPage, Subscription
from tests.newsletter.factories import make_mailing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def newsletter_on_live_server(live_server, home, settings):
    from wagtail.models import Site

    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    settings.SITE_URL = live_server.url
    page = NewsletterPage(title="Newsletter", slug="newsletter")
    home.add_child(instance=page)
    page.save_revision().publish()
    MailingList.objects.create(name="Alliance news", slug="news", default=True)
    return live_server


def test_a_visitor_subscribes_confirms_and_unsubscribes_from_a_mailing(
    browser: Browser, newsletter_on_live_server
):
    server = newsletter_on_live_server
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_label("E-mail", exact=True).fill("mimi@example.org")
    page.get_by_label("Name (optional)").fill("Mimi")
    page.get_by_label("Alliance news").check()
    page.get_by_label("I agree to receive the e-mails").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Almost there")).to_be_visible()
    assert not Subscription.objects.exists()

    confirm = re.search(r"http://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(confirm)
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()

    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "x")
    mailing_send(mailing=make_mailing(MailingList.objects.get()), user=boss)
    sent = mail.outbox[-1]
    assert sent.to == ["mimi@example.org"] and sent.subject == "News of the alliance"
    unsubscribe = re.search(r"http://\S+/unsubscribe/\S+/", sent.body).group(0)
    assert unsubscribe in sent.message()["List-Unsubscribe"]
    page.goto(unsubscribe)
    page.get_by_role("button", name="Leave “Alliance news”").click()
    expect(page.get_by_role("heading", name="You have left this list")).to_be_visible()
    assert Subscription.objects.get().state == "withdrawn"
    context.close()
