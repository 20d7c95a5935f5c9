"""Signed, expiring links that name a row by id only (confirmation e-mails).

The signed value is re-encoded as unpadded base64url because Wagtail's page URLs accept only
word characters and hyphens in a path segment (Django's signer separates with ':')."""

import base64
import datetime

from django.conf import settings
from django.core import signing


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def token_make(pk: int, *, salt: str) -> str:
    signed = signing.dumps(pk, salt=salt)
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def token_read(token: str, *, salt: str, max_age: datetime.timedelta) -> int:
    try:
        signed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return int(signing.loads(signed, salt=salt, max_age=max_age))
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise TokenInvalid from exc


def confirmation_token_read(token: str, *, salt: str, error: type[Exception]) -> int:
    """The id a confirmation e-mail's link names. Links last HARBOUR_SIGNATURE_CONFIRM_DAYS;
    a stale or forged one raises `error("expired")` or `error("invalid")`, the message the
    confirmation pages show."""
    max_age = datetime.timedelta(days=settings.HARBOUR_SIGNATURE_CONFIRM_DAYS)
    try:
        return token_read(token, salt=salt, max_age=max_age)
    except TokenExpired as exc:
        raise error("expired") from exc
    except TokenInvalid as exc:
        raise error("invalid") from exc
