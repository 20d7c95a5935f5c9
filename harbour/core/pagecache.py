"""A short-lived cache of whole public pages for anonymous readers, served before Wagtail's
routing (which costs a handful of queries per request).

A view opts in by calling `store()`; the stored HTML carries CSRF_PLACEHOLDER where each
visitor's own masked CSRF token goes, so forms work without JavaScript. Only plain GETs of
visitors without a session, a message or a query string are served from it."""

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

CSRF_PLACEHOLDER = "csrf-placeholder-5c1f0e"


def _key(path: str, language: str) -> str:
    # Hashed: a path can be long or carry characters a cache backend rejects.
    return f"pagecache:{language}:{hashlib.sha256(path.encode()).hexdigest()[:32]}"


# Visitors carrying one of these cookies see something of their own (a like) and are
# never served from, nor stored into, the cache.
PERSONAL_COOKIES = ("messages", "harbour_visitor")


def is_cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not any(request.COOKIES.get(name) for name in PERSONAL_COOKIES)
        and not getattr(request, "is_preview", False)
    )


class CachedServeMixin:
    """For Wagtail pages: anonymous, cacheable requests render once with the CSRF
    placeholder, are stored for `page_cache_seconds`, and are personalised per visitor.
    Only full HTML pages (200, text/html) are stored: feeds and redirects are not."""

    page_cache_seconds = 10

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cacheable = is_cacheable(request) and not request.user.is_authenticated
        request.harbour_cache_render = cacheable  # type: ignore[attr-defined]
        response = super().serve(request, *args, **kwargs)  # type: ignore[misc]
        if not cacheable or response.status_code != 200:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if hasattr(response, "render"):
            response.render()
        html = response.content.decode()
        if "csrfmiddlewaretoken" in html and CSRF_PLACEHOLDER not in html:
            return response  # a form rendered with a real token: never share it
        store(request, html, self.page_cache_seconds)
        return personalise(request, html)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)  # type: ignore[misc]
        if getattr(request, "harbour_cache_render", False):
            context["csrf_token"] = CSRF_PLACEHOLDER
        return context


def store(request: HttpRequest, html: str, seconds: int) -> None:
    cache.set(_key(request.path, get_language() or settings.LANGUAGE_CODE), html, seconds)


def clear(path: str) -> None:
    cache.delete_many([_key(path, code) for code, _ in settings.LANGUAGES])


def clear_page(page_id: int) -> None:
    """Forget the stored rendering of a page and its translations (e.g. its count changed),
    in every interface language."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    # Every translation shows the same count.
    for translation in Page.objects.filter(translation_key=page.translation_key):
        if translation.url:
            clear(translation.url)


def personalise(request: HttpRequest, html: str) -> HttpResponse:
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


class AnonymousPageCacheMiddleware:
    """Placed after LocaleMiddleware (the key has the language) and inside
    CsrfViewMiddleware (which sets the CSRF cookie on the way out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_cacheable(request):
            html = cache.get(_key(request.path, get_language() or settings.LANGUAGE_CODE))
            if html is not None:
                return personalise(request, html)
        return self.get_response(request)
