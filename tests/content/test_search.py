"""Site search answers every query with a page, never a 500 (SQLite FTS5 and PostgreSQL
read some characters as query syntax)."""

import pytest

from .factories import make_article

pytestmark = pytest.mark.django_db

AWKWARD = [
    '"',
    "\x00",
    '"""',
    'a"b',
    "\x01\x02",
    "x" * 5000,
    "'",
    "(",
    ")",
    "-",
    "*",
    "^",
    "a AND",
    "OR",
    "NOT",
    "NEAR(",
    "a:b",
    "{",
    "\u202e",
    "%",
    "\\",
    "&|!",
    "'); --",
]


@pytest.mark.parametrize("query", AWKWARD)
def test_an_awkward_query_gets_a_results_page(client, home, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "Search" in response.content.decode()


def test_a_query_with_syntax_characters_still_finds_the_article(client, news):
    make_article(news, title="Sanctions on the officials responsible")
    response = client.get("/search/", {"q": '"sanctions" AND (officials'})
    assert response.status_code == 200
    assert "Sanctions on the officials responsible" in response.content.decode()
