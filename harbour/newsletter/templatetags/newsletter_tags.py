"""The sign-up form wherever a page has a newsletter slot (the home page's)."""

from typing import Any

from django import template

from ..models import NewsletterPage
from ..views import signup_context

register = template.Library()


@register.inclusion_tag("newsletter/signup_form.html", takes_context=True)
def newsletter_signup(context: Any) -> dict[str, Any]:
    page = NewsletterPage.objects.live().filter(locale__language_code="en").first()
    if page is None:
        return {"newsletter_form": None}
    translated = (
        page.get_translations(inclusive=True)
        .live()
        .filter(locale__language_code=context.get("LANGUAGE_CODE", ""))
        .first()
    )
    return {
        **signup_context(translated.specific if translated else page),
        "csrf_token": context.get("csrf_token"),
        "from_where": "home",
    }
