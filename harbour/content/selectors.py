"""Reads for the public pages of the publishing app."""

from django.conf import settings
from django.db.models import Q

from .models import ArticlePage, Author, NewsIndexPage

AUTHOR_RESULTS = 10


def published_authors_matching(query: str) -> list[tuple[Author, str]]:
    """Authors whose name holds every word of `query`, each with the address of their
    profile; only authors of a live, public article (a staff account with no published
    article is nobody's business)."""
    words = query.split()[:5]
    index = (
        NewsIndexPage.objects.live()
        .public()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .first()
    )
    if not words or index is None:
        return []
    published = ArticlePage.objects.live().public()
    matches = Author.objects.filter(articles__in=published).distinct()
    for word in words:
        matches = matches.filter(Q(name__icontains=word))
    return [(author, f"{index.url}authors/{author.slug}/") for author in matches[:AUTHOR_RESULTS]]
