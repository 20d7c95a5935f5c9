"""Business rules of the publishing app, shared by views, admin and commands."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from wagtail.models import Site

from harbour.core.privacy import keyed_hash

from .models import ArticleLike, ArticlePage

VISITOR_COOKIE = "harbour_visitor"
VISITOR_SALT = "harbour.content.visitor"


def visitor_token(request: HttpRequest) -> str | None:
    """The random token this browser was given when it first liked something, if any."""
    token = request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=VISITOR_SALT)
    return token or None


def new_visitor_token() -> str:
    return secrets.token_urlsafe(24)


def _visitor_hash(token: str) -> str:
    return keyed_hash(token, purpose="visitor")


def like_count(*, page: ArticlePage) -> int:
    # An indexed count over one article's likes (the unique constraint's index).
    return ArticleLike.objects.filter(page=page).count()


def visitor_has_liked(*, page: ArticlePage, request: HttpRequest) -> bool:
    token = visitor_token(request)
    if token is None:
        return False
    return ArticleLike.objects.filter(page=page, visitor_hash=_visitor_hash(token)).exists()


def article_like(*, page: ArticlePage, token: str) -> bool:
    """Record this browser's like of `page`; False if it had already liked it."""
    try:
        with transaction.atomic():
            ArticleLike.objects.create(page=page, visitor_hash=_visitor_hash(token))
    except IntegrityError:
        return False
    return True


def site_address_sync() -> None:
    """Give the default Wagtail Site SITE_URL's host and port: canonical links, og:url,
    the sitemap and the admin's "view live" links are built from the Site, e-mails and
    the printed admin address from SITE_URL, and the two must agree (`make run PORT=...`)."""
    parts = urlsplit(settings.SITE_URL)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for site in Site.objects.filter(is_default_site=True):
        if (site.hostname, site.port) != (parts.hostname, port):
            site.hostname, site.port = parts.hostname or "localhost", port
            site.save()  # a save, not an update: Wagtail forgets its cached site paths
