from django.conf import settings
from django.http import HttpRequest

from .branding import brand


def site_meta(request: HttpRequest) -> dict[str, object]:
    return {"SITE_URL": settings.SITE_URL, "brand": brand()}
