"""HTML from users is cleaned with nh3 before it is stored or shown."""

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def strip_html(text: str) -> str:
    """Plain text: every tag removed (letters, summaries)."""
    return nh3.clean(text, tags=set(), attributes={})
