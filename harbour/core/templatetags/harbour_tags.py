"""Template filters shared by every app's templates."""

from django import template

register = template.Library()


@register.filter
def title_with_brand(title: str, name: str) -> str:
    """ "Page · Coalition", or just the coalition's name where the page is named after it
    (the home page) or has no title: never the name twice."""
    title = title.strip()
    if not title or title == name:
        return name
    return f"{title} · {name}"
