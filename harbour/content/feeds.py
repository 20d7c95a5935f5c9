from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from .models import ArticlePage, NewsIndexPage


class NewsRssFeed(Feed):
    """The news index's feed: the 20 latest live, public articles."""

    def __init__(self, index: NewsIndexPage) -> None:
        super().__init__()
        self.index = index

    def title(self) -> str:
        return self.index.title

    def link(self) -> str:
        return self.index.url or "/"

    def description(self) -> str:
        return self.index.intro

    def items(self) -> list[ArticlePage]:
        return list(self.index.articles()[:20])

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        return item.summary

    def item_link(self, item: ArticlePage) -> str:
        return item.url or "/"

    def item_pubdate(self, item: ArticlePage):  # type: ignore[no-untyped-def]
        return item.first_published_at

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [item.get_kind_display()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    subtitle = NewsRssFeed.description
