"""Business rules of the publishing app, shared by views, admin and commands."""

import secrets

from django.db import IntegrityError, transaction
from django.http import HttpRequest

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
