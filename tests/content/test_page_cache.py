"""Anonymous readers of content pages are served from a few-seconds-old rendering."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .factories import make_article

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries.captured_queries)


def test_home_and_article_are_served_without_queries_once_cached(news):
    make_article(news, title="Our work", slug="our-work")
    for url in ("/", "/news/", "/news/our-work/"):
        Client().get(url)
        response, count = _queries(Client(), url)
        assert response.status_code == 200
        assert count == 0, url
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
        if url == "/news/our-work/":  # the like button's form: each visitor's own token
            assert token and b"placeholder" not in token.group(1)


def test_feeds_and_staff_are_not_served_from_the_cache(client, news):
    from tests.content.factories import UserFactory

    make_article(news, title="First", slug="first")
    Client().get("/news/feed/rss/")
    assert _queries(Client(), "/news/feed/rss/")[1] > 0
    client.force_login(UserFactory())
    Client().get("/")
    assert _queries(client, "/")[1] > 0


def test_a_like_is_seen_at_once_by_the_liker_and_by_others(news):
    make_article(news, title="Our work", slug="our-work")
    reader, liker = Client(), Client()
    reader.get("/news/our-work/")  # cached with 0 likes
    liker.post("/news/our-work/like/")
    assert "1 like" in liker.get("/news/our-work/").content.decode()
    assert "1 like" in reader.get("/news/our-work/").content.decode()
    assert "You like this" in liker.get("/news/our-work/").content.decode()


SECURITY_HEADERS = (
    "X-Frame-Options",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


def test_a_page_from_the_cache_carries_every_security_header_a_fresh_one_does(news):
    make_article(news, title="Our work", slug="our-work")
    for url in ("/", "/news/", "/news/our-work/"):
        fresh = Client().get(url)
        cached, count = _queries(Client(), url)
        assert count == 0, url  # really from the cache
        for header in SECURITY_HEADERS:
            assert fresh.headers.get(header), (url, header)
            assert cached.headers.get(header) == fresh.headers[header], (url, header)
        assert cached["X-Frame-Options"] == "DENY"
