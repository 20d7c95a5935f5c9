"""The latest articles for a mailing's "latest news" block (newsletter.registry), in the
mailing's language where a translation is published, else in the original."""

from django.conf import settings
from django.utils import formats, translation

from harbour.newsletter.registry import NewsItem

from .models import ArticlePage


def latest_articles(count: int, language: str) -> list[NewsItem]:
    articles = (
        ArticlePage.objects.live()
        .public()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .order_by("-date", "-pk")[:count]
    )
    items = []
    for article in articles:
        shown = (
            article.get_translations().live().filter(locale__language_code=language).first()
            or article
        )
        with translation.override(language):
            date = formats.date_format(article.date, "DATE_FORMAT")
        items.append(
            NewsItem(
                title=shown.title,
                url=f"{settings.SITE_URL}{shown.url}",
                date=article.date.isoformat(),
                shown_date=date,
                summary=shown.specific.summary if hasattr(shown, "specific") else "",
            )
        )
    return items
