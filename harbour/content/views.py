from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.models import Page

from harbour.core import pagecache
from harbour.core.privacy import ip_hash
from harbour.core.ratelimit import hit
from harbour.core.sanitise import plain_text, search_words
from harbour.core.views import too_many_requests

from .models import ArticlePage, Author
from .selectors import published_authors_matching
from .services import (
    VISITOR_COOKIE,
    VISITOR_SALT,
    article_like,
    like_count,
    new_visitor_token,
    visitor_token,
)

ONE_YEAR = 365 * 24 * 3600


def like_article(request: HttpRequest, page: ArticlePage) -> HttpResponse:
    """POST: like the article once per browser. Works without JavaScript (redirects back)."""
    if request.method != "POST":
        return HttpResponse(
            _("Use the Like button on the article."), status=405, headers={"Allow": "POST"}
        )
    verdict = hit("like", ip_hash(request), settings.HARBOUR_LIKE_RATE)
    if not verdict:
        return too_many_requests(
            request,
            _("Too many likes from your network. Please try again later."),
            verdict.retry_after,
        )
    token = visitor_token(request) or new_visitor_token()
    if article_like(page=page, token=token):
        pagecache.clear(page.url)  # the count changed
        messages.success(request, _("Thank you for liking this article."))
    else:
        messages.info(request, _("You have already liked this article."))
    if request.headers.get("Accept", "").startswith("application/json"):
        response: HttpResponse = JsonResponse({"likes": like_count(page=page), "liked": True})
    else:
        response = HttpResponseRedirect(page.url + "#like")
    response.set_signed_cookie(
        VISITOR_COOKIE,
        token,
        salt=VISITOR_SALT,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def search(request: HttpRequest) -> HttpResponse:
    """Site search over published, public pages only."""
    query = plain_text(request.GET.get("q", "")).strip()[:200]
    words = search_words(query)
    results = Page.objects.none()
    authors: list[tuple[Author, str]] = []
    if words:
        results = Page.objects.live().public().specific().search(words, operator="or")
        authors = published_authors_matching(query)
    context = {"query": query, "results": results, "authors": authors}
    return render(request, "content/search.html", context)
