"""A visitor finds an online event on the home page, registers with JavaScript off,
confirms from the e-mail, and opens their personal link to join the meeting."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect

from tests.events.factories import ONLINE_MEETING, make_event, make_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event_on_live_server(live_server, home, settings):
    from wagtail.models import Site

    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    settings.SITE_URL = live_server.url
    make_event(make_listing(home), "Writing to your MP: an online workshop", capacity=20)
    return live_server


def test_a_visitor_registers_from_the_home_page_and_opens_the_join_link(
    browser: Browser, event_on_live_server
):
    server = event_on_live_server
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_role("link", name="Writing to your MP: an online workshop").first.click()
    expect(page.get_by_text("20 places left")).to_be_visible()
    assert ONLINE_MEETING not in page.content()
    page.get_by_label("Your name").fill("Mimi")
    page.get_by_label("E-mail").fill("mimi@example.org")
    page.get_by_label("Accessibility needs (optional)").fill("Live captions, please.")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Check your e-mail").first).to_be_visible()

    confirm = re.search(r"http://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(confirm)
    page.get_by_role("button", name="Confirm my registration").click()
    expect(page.get_by_role("heading", name="You are registered")).to_be_visible()

    welcome = mail.outbox[-1]
    assert welcome.subject.startswith("You are registered")
    join = re.search(r"http://\S+/attend/\S+/", welcome.body).group(0)
    page.goto(join)
    meeting = page.get_by_role("link", name="Join the meeting")
    expect(meeting).to_have_attribute("href", ONLINE_MEETING)
    context.close()


def test_a_visitor_abroad_sees_the_time_in_their_own_zone_too(
    browser: Browser, event_on_live_server
):
    server = event_on_live_server
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-CA")
    page = context.new_page()
    page.goto(server.url + "/events/writing-to-your-mp-an-online-workshop/")
    local = page.locator(".local-time")
    expect(local).to_contain_text("Your time:")
    expect(local).to_contain_text("(Asia/Tokyo)")
    context.close()
