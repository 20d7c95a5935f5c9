"""RSS and Atom date each item by the article's own date, not by when it was published on
Harbour (an imported or back-dated article keeps its date)."""

import datetime
import re
from email.utils import parsedate_to_datetime

import pytest

from .factories import make_article

pytestmark = pytest.mark.django_db


def test_feed_items_carry_the_articles_date(client, news):
    make_article(news, title="Statement on the arrests", date=datetime.date(2021, 1, 6))
    rss = client.get("/news/feed/rss/").content.decode()
    assert "<pubDate>Wed, 06 Jan 2021 00:00:00 -0500</pubDate>" in rss
    atom = client.get("/news/feed/atom/").content.decode()
    assert "<published>2021-01-06T00:00:00-05:00</published>" in atom


def test_an_article_published_on_its_date_keeps_the_hour_it_went_live(client, news):
    from django.utils import timezone

    today = timezone.localdate()
    article = make_article(news, title="Today", date=today)
    rss = client.get("/news/feed/rss/").content.decode()
    [stamp] = re.findall(r"<pubDate>([^<]+)</pubDate>", rss)
    article.refresh_from_db()
    assert parsedate_to_datetime(stamp) == article.first_published_at.replace(microsecond=0)
