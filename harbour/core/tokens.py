"""Links in confirmation e-mails: encrypted, expiring, bound to what they confirm.

A token is AES-256-GCM (the `cryptography` library) over the row's id, the time it was
made and a digest of the content the person submitted, under a key derived from
SECRET_KEY and the link's purpose. So a link:
- reveals nothing: not the row id (which would tell how many people signed, and when), not
  the content;
- cannot be forged or altered (GCM authenticates it);
- confirms exactly what was submitted: the reader compares the digest with the row as it is
  now, and a row whose content differs is refused (`content_digest`).

It is unpadded base64url because Wagtail's page URLs accept only word characters and
hyphens in a path segment. SECRET_KEY_FALLBACKS keep links working across a key rotation.
"""

import base64
import datetime
import hashlib
import os
import struct
import time
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.crypto import salted_hmac

_NONCE = 12
_PAYLOAD = struct.Struct(">QQ16s")  # row id, seconds since the epoch, content digest


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def content_digest(*parts: object) -> bytes:
    """A digest of what a person submitted (16 bytes), in a fixed order of fields."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode()).digest()[:16]


def _keys(salt: str) -> Iterable[bytes]:
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        yield salted_hmac(salt, "confirmation-link-key", secret=secret, algorithm="sha256").digest()


def token_make(pk: int, *, salt: str, digest: bytes = b"") -> str:
    key = next(iter(_keys(salt)))
    nonce = os.urandom(_NONCE)
    payload = _PAYLOAD.pack(pk, int(time.time()), digest.ljust(16, b"\0")[:16])
    sealed = nonce + AESGCM(key).encrypt(nonce, payload, salt.encode())
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def token_open(token: str, *, salt: str, max_age: datetime.timedelta) -> tuple[int, bytes]:
    """The row id and content digest a token names; TokenExpired or TokenInvalid."""
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError) as exc:
        raise TokenInvalid from exc
    if len(sealed) != _NONCE + _PAYLOAD.size + 16:
        raise TokenInvalid
    nonce, box = sealed[:_NONCE], sealed[_NONCE:]
    for key in _keys(salt):
        try:
            payload = AESGCM(key).decrypt(nonce, box, salt.encode())
        except InvalidTag:
            continue
        pk, made_at, digest = _PAYLOAD.unpack(payload)
        if time.time() - made_at > max_age.total_seconds():
            raise TokenExpired
        return int(pk), digest
    raise TokenInvalid


def confirmation_token_read(token: str, *, salt: str, error: type[Exception]) -> tuple[int, bytes]:
    """The id and content digest a confirmation e-mail's link names. Links last
    HARBOUR_CONFIRM_DAYS; a stale or forged one raises `error("expired")` or
    `error("invalid")`, the message the confirmation pages show."""
    max_age = datetime.timedelta(days=settings.HARBOUR_CONFIRM_DAYS)
    try:
        return token_open(token, salt=salt, max_age=max_age)
    except TokenExpired as exc:
        raise error("expired") from exc
    except TokenInvalid as exc:
        raise error("invalid") from exc
