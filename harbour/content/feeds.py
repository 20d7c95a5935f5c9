import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
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

    def item_pubdate(self, item: ArticlePage) -> datetime.datetime:
        """The article's own date (an imported or back-dated article is dated as written),
        at the hour it went live when that was the same day."""
        published = item.first_published_at
        if published is not None and timezone.localtime(published).date() == item.date:
            return published
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time()))

    def item_updateddate(self, item: ArticlePage) -> datetime.datetime:
        return max(item.last_published_at or self.item_pubdate(item), self.item_pubdate(item))

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [item.get_kind_display()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    subtitle = NewsRssFeed.description
