"""Sign-on pages in the anonymous page cache (harbour.core.pagecache): kept a few seconds,
and cleared whenever a signature starts or stops counting, so a supporter who has just
confirmed sees themselves counted."""

from wagtail.models import Page

from harbour.core import pagecache

PAGE_CACHE_SECONDS = 5


def page_cache_clear(*, page_id: int) -> None:
    page = Page.objects.filter(pk=page_id).first()
    url = page.url if page is not None else None
    if url:
        pagecache.clear(url)
