"""Representatives' photos, copied once into Harbour's own media.

The letter page shows each recipient's photo. Loaded from the legislature's web server, every
supporter's browser would tell that server its address and, by the photo it asked for, its
riding; so `load_representatives --photos` downloads each photo here (bounded in size and
time, checked to be a raster image) and pages show the copy, or a placeholder.
"""

import io
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from .models import Representative

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 10
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


class PhotoUnavailable(Exception):
    """The photo could not be fetched, or was not an image we serve."""


@dataclass
class PhotoReport:
    downloaded: int = 0
    kept: int = 0
    unavailable: int = 0


def photo_fetch(url: str) -> tuple[bytes, str]:
    """The image at `url` and its file extension; PhotoUnavailable for anything else (an
    error, a timeout, more than MAX_BYTES, not a JPEG, PNG, WebP or GIF: no SVG, which can
    carry script)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise PhotoUnavailable("not an http(s) address")
    request = urllib.request.Request(url, headers={"User-Agent": "Harbour"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            if not response.headers.get_content_type().startswith("image/"):
                raise PhotoUnavailable("not an image")
            data = response.read(MAX_BYTES + 1)
    except (OSError, ValueError) as error:
        raise PhotoUnavailable(type(error).__name__) from None
    if len(data) > MAX_BYTES:
        raise PhotoUnavailable("too large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoUnavailable("not a readable image") from None
    if kind not in FORMATS:
        raise PhotoUnavailable(f"format {kind or 'unknown'}")
    return data, FORMATS[kind]


def photos_download(
    *, force: bool = False, fetch: Callable[[str], tuple[bytes, str]] = photo_fetch
) -> PhotoReport:
    """Copy every sitting representative's photo into media (idempotent: a photo already
    fetched from the same address is kept unless `force`). One that cannot be fetched leaves
    the placeholder, and a copy from an older address is removed."""
    report = PhotoReport()
    for rep in Representative.objects.sitting().exclude(photo_url=""):
        if rep.photo and rep.photo_fetched_from == rep.photo_url and not force:
            report.kept += 1
            continue
        try:
            data, extension = fetch(rep.photo_url)
        except PhotoUnavailable:
            report.unavailable += 1
            if rep.photo and rep.photo_fetched_from != rep.photo_url:
                photo_forget(rep)
            continue
        if rep.photo:
            rep.photo.delete(save=False)
        rep.photo.save(f"{rep.pk}.{extension}", ContentFile(data), save=False)
        rep.photo_fetched_from = rep.photo_url
        rep.save(update_fields=["photo", "photo_fetched_from"])
        report.downloaded += 1
    return report


def photo_forget(rep: Representative) -> None:
    """Remove the served copy (the address changed): the placeholder shows until the next
    `load_representatives --photos`."""
    if rep.photo:
        rep.photo.delete(save=False)
    rep.photo_fetched_from = ""
    Representative.objects.filter(pk=rep.pk).update(photo="", photo_fetched_from="")
