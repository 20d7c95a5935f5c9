"""Template filters shared by every app's templates."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.template import Context
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info, override
from wagtail.models import Page

register = template.Library()


@register.filter
def title_with_brand(title: str, name: str) -> str:
    """ "Page · Coalition", or just the coalition's name where the page is named after it
    (the home page) or has no title: never the name twice."""
    title = title.strip()
    if not title or title == name:
        return name
    return f"{title} · {name}"


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool
    translated: bool  # the page itself exists in this language (for hreflang)


@register.simple_tag(takes_context=True)
def language_links(context: Context) -> list[LanguageLink]:
    """The same page in each language: the page's own translation where there is one,
    else the same address under the language's prefix (the interface translated, the
    page's words as written)."""
    request = context.get("request")
    if request is None:
        return []
    page = context.get("page")
    translations: dict[str, str] = {}
    if isinstance(page, Page) and page.pk:
        for copy in page.get_translations(inclusive=True).live().select_related("locale"):
            if copy.url:
                translations[copy.locale.language_code] = copy.url
    current = get_language() or settings.LANGUAGE_CODE
    # Untranslated: the original page's address under the language's prefix (Django
    # reads an address in the language it is written for).
    base, base_language = request.path, current
    if settings.LANGUAGE_CODE in translations:
        base, base_language = translations[settings.LANGUAGE_CODE], settings.LANGUAGE_CODE
    links = []
    for code, _name in settings.LANGUAGES:
        with override(base_language):
            url = translations.get(code) or translate_url(base, code)
        name = get_language_info(code)["name_local"]
        links.append(LanguageLink(code, name, url, code == current, code in translations))
    return links
