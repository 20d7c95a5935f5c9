"""The short-lived rendering of sign-on pages served to anonymous readers (see views).

Cleared whenever a signature starts or stops counting, so a supporter who has just
confirmed sees themselves counted; otherwise it lives PAGE_CACHE_SECONDS."""

from django.conf import settings
from django.core.cache import cache
from wagtail.models import Page

PAGE_CACHE_SECONDS = 5


def page_cache_key(page: Page, language: str) -> str:
    published = page.last_published_at.timestamp() if page.last_published_at else 0
    return f"signons:page:{page.pk}:{published}:{language}"


def page_cache_clear(*, page_id: int) -> None:
    page = Page.objects.filter(pk=page_id).only("pk", "last_published_at").first()
    if page is not None:
        cache.delete_many([page_cache_key(page, code) for code, _ in settings.LANGUAGES])
