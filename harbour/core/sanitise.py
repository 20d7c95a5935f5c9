"""Text from the public: HTML is cleaned with nh3 where markup is allowed; plain text is
stored as typed, minus what can hide or disguise it, and escaped only on output."""

import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

# Control characters (C0, DEL, C1) and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), which can make a name on a public list read backwards.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile("\r\n?")


def clean_html(html: str, *, extra_tags: frozenset[str] = frozenset()) -> str:
    """`html` with only the allowed tags (and `extra_tags`), attributes and link schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | extra_tags,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(text: str, *, multiline: bool = False) -> str:
    """Text as typed, minus control and bidirectional-override characters. One line (names,
    subjects) has its whitespace collapsed; several (a letter) keep line breaks and tabs.
    Nothing is escaped here: templates escape on output, CSV and plain-text e-mail need none."""
    text = _HIDDEN.sub("", _BREAKS.sub("\n", text))
    if multiline:
        return text.strip()
    return " ".join(text.split())


_SEARCH_WORD = re.compile(r"\w+(?:['’.-]\w+)*")
SEARCH_MAX_WORDS = 12


def search_words(query: str) -> str:
    """A visitor's search as plain words, lower-cased: no quotes, brackets, operators (AND, OR,
    NOT, NEAR, *, ^, :) or control characters, which the database's full-text syntax would
    read as query language and reject with an error."""
    words = _SEARCH_WORD.findall(plain_text(query)[:200].lower())
    return " ".join(words[:SEARCH_MAX_WORDS])
