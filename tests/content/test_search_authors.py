"""Site search finds the authors of published articles."""

import pytest

from .factories import AuthorFactory, make_article

pytestmark = pytest.mark.django_db


def test_site_search_finds_authors_of_published_articles_only(client, news):
    writer = AuthorFactory(name="Ada Wong", slug="ada-wong", location="Vancouver")
    AuthorFactory(name="Ada Lam", slug="ada-lam")  # has written nothing published
    make_article(news, title="On the treaty", authors=[writer])
    page = client.get("/search/", {"q": "ada"}).content.decode()
    assert f'<a href="{news.url}authors/ada-wong/">Ada Wong</a> · Vancouver' in page
    assert "Ada Lam" not in page
    assert client.get(f"{news.url}authors/ada-wong/").status_code == 200
