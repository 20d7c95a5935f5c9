"""Like it: once per browser, no login, rate-limited, count on the page."""

import pytest
from django.test import Client, override_settings

from harbour.content.models import ArticleLike

from .factories import make_article

pytestmark = pytest.mark.django_db


def _count(client, url):
    import re

    match = re.search(rb'data-testid="like-count">(\d+) like', client.get(url).content)
    return int(match.group(1))


def test_a_visitor_likes_an_article_once_and_sees_the_count(client, news):
    make_article(news, title="Our work", slug="our-work")
    assert _count(client, "/news/our-work/") == 0

    response = client.post("/news/our-work/like/")
    assert response.status_code == 302
    assert response["Location"] == "/news/our-work/#like"
    page = client.get("/news/our-work/").content.decode()
    assert "1 like" in page
    assert "Thank you for liking this article." in page
    assert "You like this" in page

    client.post("/news/our-work/like/")
    assert "You have already liked this article." in client.get("/news/our-work/").content.decode()
    assert _count(client, "/news/our-work/") == 1

    Client().post("/news/our-work/like/")  # another browser
    assert _count(client, "/news/our-work/") == 2


def test_like_cookie_keeps_no_ip_and_a_forged_cookie_counts_as_a_new_browser(client, news):
    make_article(news, title="Our work", slug="our-work")
    client.post("/news/our-work/like/", REMOTE_ADDR="203.0.113.7")
    like = ArticleLike.objects.get()
    assert "203.0.113.7" not in like.visitor_hash
    assert client.cookies["harbour_visitor"]["httponly"]

    forger = Client()
    forger.cookies["harbour_visitor"] = "forged-value"
    forger.post("/news/our-work/like/")
    assert ArticleLike.objects.count() == 2


def test_json_clients_get_the_new_count(client, news):
    make_article(news, title="Our work", slug="our-work")
    response = client.post("/news/our-work/like/", HTTP_ACCEPT="application/json")
    assert response.json() == {"likes": 1, "liked": True}


def test_like_needs_post_and_csrf(news):
    make_article(news, title="Our work", slug="our-work")
    strict = Client(enforce_csrf_checks=True)
    assert strict.get("/news/our-work/like/").status_code == 405
    assert strict.post("/news/our-work/like/").status_code == 403
    assert ArticleLike.objects.count() == 0


def test_drafts_cannot_be_liked(client, news):
    make_article(news, title="Draft", slug="draft", live=False)
    assert client.post("/news/draft/like/").status_code == 404
    assert ArticleLike.objects.count() == 0


@override_settings(HARBOUR_LIKE_RATE="3/h")
def test_a_flood_of_likes_from_one_network_gets_429(news):
    make_article(news, title="Our work", slug="our-work")
    statuses = [Client().post("/news/our-work/like/").status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert ArticleLike.objects.count() == 3
    flooded = Client().post("/news/our-work/like/")
    assert b"Too many likes from your network" in flooded.content
