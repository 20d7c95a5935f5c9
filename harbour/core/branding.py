"""The coalition's branding (core.models.Branding, a Wagtail site setting) for code that has
no request: e-mails sent by the worker, the statement PDF, letters "(via <coalition>)".
Read once and kept in the cache until an editor saves the setting."""

import base64
import mimetypes
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.cache import cache

CACHE_KEY = "harbour:brand"


@dataclass(frozen=True)
class Brand:
    name: str
    sender: str  # the bare address e-mails come from
    postal_address: str
    accent_colour: str
    ink_colour: str
    logo_id: int | None
    site_url: str

    @property
    def from_email(self) -> str:
        """`Coalition name <sender>`."""
        return formataddr((self.name, self.sender))

    def via(self, name: str) -> str:
        """A supporter's letter: `Supporter Name (via Coalition) <sender>`."""
        return formataddr((f"{name} (via {self.name})", self.sender))


def brand() -> Brand:
    """The default site's branding (defaults when none is saved yet)."""
    found: Brand | None = cache.get(CACHE_KEY)
    if found is None:
        found = _read()
        cache.set(CACHE_KEY, found, 300)
    return found


def _read() -> Brand:
    from wagtail.models import Site

    from .models import Branding

    site = Site.objects.filter(is_default_site=True).first()
    setting = Branding.for_site(site) if site is not None else Branding()
    default_name, default_sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Brand(
        name=setting.name or default_name or "Harbour",
        sender=setting.sender_email or default_sender,
        postal_address=setting.postal_address,
        accent_colour=setting.accent_colour,
        ink_colour=setting.ink_colour,
        logo_id=setting.logo_id,
        site_url=settings.SITE_URL,
    )


def brand_forget() -> None:
    cache.delete(CACHE_KEY)


def brand_logo(spec: str = "max-240x120") -> Any:
    """A rendition of the logo (Wagtail image), or None."""
    logo_id = brand().logo_id
    if logo_id is None:
        return None
    from wagtail.images import get_image_model

    image = get_image_model().objects.filter(pk=logo_id).first()
    return image.get_rendition(spec) if image is not None else None


def brand_logo_data_uri(spec: str = "max-240x120") -> str:
    """The logo as a data: URI, for documents that must not fetch anything (the PDF)."""
    rendition = brand_logo(spec)
    if rendition is None:
        return ""
    with rendition.file.open("rb") as handle:
        data = base64.b64encode(handle.read()).decode()
    kind = mimetypes.guess_type(rendition.file.name)[0] or "image/png"
    return f"data:{kind};base64,{data}"
