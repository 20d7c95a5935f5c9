"""What a visitor sees on the public site, and what stays hidden until published."""

import pytest
from wagtail.models import PageViewRestriction

from harbour.content.models import ArticleKind

from .factories import AuthorFactory, make_article

pytestmark = pytest.mark.django_db


def test_home_shows_mission_campaigns_latest_news_and_newsletter_slot(client, home, news):
    home.mission = "<p>Collective power for Hong Kongers in Canada.</p>"
    home.principles.create(title="Solidarity", text="We stand with other communities.")
    home.campaigns.create(title="Magnitsky sanctions", summary="Sanction the officials.")
    home.save_revision().publish()
    make_article(news, title="Five demands")

    response = client.get("/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Collective power for Hong Kongers in Canada." in content
    assert "Solidarity" in content
    assert "Magnitsky sanctions" in content
    assert "Five demands" in content
    assert 'id="newsletter"' in content


def test_news_index_lists_articles_newest_first_and_filters_by_kind(client, news):
    make_article(news, title="Older opinion", kind=ArticleKind.OPINION, date=_d(2020, 12, 19))
    make_article(news, title="Newer release", kind=ArticleKind.PRESS_RELEASE, date=_d(2021, 1, 6))

    content = client.get("/news/").content.decode()
    assert content.index("Newer release") < content.index("Older opinion")

    opinions = client.get("/news/?kind=opinion").content.decode()
    assert "Older opinion" in opinions
    assert "Newer release" not in opinions


def test_bad_listing_parameters_fall_back_instead_of_failing(client, news):
    make_article(news, title="Only article")
    for query in ("?page=999", "?page=abc", "?kind=<script>", "?tag=" + "x" * 500):
        response = client.get("/news/" + query)
        assert response.status_code == 200
        assert b"<script>" not in response.content


def test_article_shows_body_authors_tags_and_open_graph(client, news):
    author = AuthorFactory(name="Mimi Lee", slug="mimi-lee", location="Markham, Ontario")
    make_article(
        news,
        title="What we did in 2020",
        body_text="We co-hosted a rally.",
        authors=[author],
        tags=["sanctions"],
        summary="A roundup of the year",
    )

    response = client.get("/news/what-we-did-in-2020/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "We co-hosted a rally." in content
    assert 'href="/news/authors/mimi-lee/"' in content
    assert "About the author" in content
    assert "Markham, Ontario" in content
    assert "sanctions" in content
    assert '<meta property="og:title" content="What we did in 2020">' in content
    assert '<meta property="og:description" content="A roundup of the year">' in content
    assert '<meta property="og:type" content="article">' in content


def test_author_profile_lists_only_their_published_articles(client, news):
    author = AuthorFactory(name="Mimi Lee", slug="mimi-lee", bio="<p>Organiser in Toronto.</p>")
    make_article(news, title="Published roundup", authors=[author])
    make_article(news, title="Draft roundup", authors=[author], live=False)
    make_article(news, title="Someone else")

    response = client.get("/news/authors/mimi-lee/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Organiser in Toronto." in content
    assert "Published roundup" in content
    assert "Draft roundup" not in content
    assert "Someone else" not in content
    assert client.get("/news/authors/nobody/").status_code == 404


def test_draft_is_invisible_by_url_listing_search_feed_and_sitemap(client, news):
    make_article(
        news, title="Secret draft", slug="secret-draft", live=False, body_text="unpublishedword"
    )
    make_article(news, title="Public piece", slug="public-piece", body_text="publishedword")

    assert client.get("/news/secret-draft/").status_code == 404
    for url in (
        "/",
        "/news/",
        "/news/feed/rss/",
        "/news/feed/atom/",
        "/sitemap.xml",
        "/search/?q=unpublishedword",
        "/search/?q=Secret",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"Secret draft" not in response.content, url
        assert b"secret-draft" not in response.content, url
    assert b"Public piece" in client.get("/search/?q=publishedword").content
    assert b"public-piece" in client.get("/sitemap.xml").content


def test_private_article_is_not_listed_or_served_to_the_public(client, news):
    article = make_article(news, title="Members only", slug="members-only")
    PageViewRestriction.objects.create(page=article, restriction_type="login")

    assert b"Members only" not in client.get("/news/").content
    assert b"Members only" not in client.get("/news/feed/rss/").content
    assert b"members-only" not in client.get("/sitemap.xml").content
    assert client.get("/news/members-only/").status_code == 302  # to the login page


def test_feeds_carry_live_articles(client, news):
    make_article(news, title="Joint statement released", summary="Eleven groups signed.")

    rss = client.get("/news/feed/rss/")
    atom = client.get("/news/feed/atom/")

    assert rss["Content-Type"].startswith("application/rss+xml")
    assert b"<title>Joint statement released</title>" in rss.content
    assert b"Eleven groups signed." in rss.content
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert b"Joint statement released" in atom.content


def test_search_finds_published_pages_and_handles_odd_queries(client, news):
    make_article(news, title="Extradition treaty suspended", body_text="treaty news")

    found = client.get("/search/?q=extradition")
    assert b"Extradition treaty suspended" in found.content
    empty = client.get("/search/?q=nothingmatchesthis")
    assert "No results for “nothingmatchesthis”" in empty.content.decode()
    for query in ("", "%00", "<script>alert(1)</script>", "a" * 5000, "&&||"):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert b"<script>alert(1)</script>" not in response.content


def test_friendly_404(client, home):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Go to the home page" in response.content


def test_friendly_500(rf):
    from harbour.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_public_pages_send_security_headers(client, home):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def _d(year, month, day):
    import datetime

    return datetime.date(year, month, day)
