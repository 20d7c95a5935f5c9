"""A visitor opens the home page, follows a link to an article, likes it and sees the count."""

import pytest
from playwright.sync_api import Page, expect

from tests.content.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site_on_live_server(live_server, news):
    from wagtail.models import Site

    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    make_article(
        news,
        title="Our work over the past few weeks",
        slug="our-work",
        body_text="We met MPs from every major party.",
    )
    return live_server


def test_visitor_likes_an_article(page: Page, site_on_live_server):
    page.goto(site_on_live_server.url + "/")
    expect(page.get_by_role("heading", name="Latest news", exact=True)).to_be_visible()

    page.get_by_role("link", name="Our work over the past few weeks").click()
    expect(page).to_have_url(site_on_live_server.url + "/news/our-work/")
    expect(page.get_by_text("We met MPs from every major party.")).to_be_visible()
    expect(page.get_by_test_id("like-count")).to_have_text("0 likes")

    page.get_by_role("button", name="Like it").click()

    expect(page.get_by_test_id("like-count")).to_have_text("1 like")
    expect(page.get_by_role("button", name="You like this")).to_be_disabled()
    expect(page.get_by_text("Thank you for liking this article.")).to_be_visible()

    page.reload()
    expect(page.get_by_test_id("like-count")).to_have_text("1 like")
