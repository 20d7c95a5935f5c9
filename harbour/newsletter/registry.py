"""What other apps contribute to mailings, without the newsletter importing them.

- Audience filters: an action app narrows a mailing to the people who took one of its
  actions and ticked its newsletter box (signed statement X, wrote in campaign Y, registered
  for event Z), and the letters app to a federal district. Each gives the choices an
  organiser picks from and, for a chosen value, a query of the matching people's ids.
- News: the publishing app gives the latest articles for a mailing's "latest news" block.

Each app registers from its AppConfig.ready(), as it registers its supporters' history."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ACTION, DISTRICT = "action", "district"


@dataclass(frozen=True)
class AudienceFilter:
    kind: str  # ACTION or DISTRICT
    prefix: str  # the stored value is "<prefix>:<value>"
    choices: Callable[[], list[tuple[str, str]]]  # (value, label)
    person_ids: Callable[[str], Any]  # value -> a query of Person ids (values_list)


@dataclass(frozen=True)
class NewsItem:
    title: str
    url: str  # absolute
    date: str  # ISO, for the order
    shown_date: str  # as the mailing's language writes it
    summary: str


class UnknownAudienceFilter(ValueError):
    """A mailing's stored narrowing names a filter no installed app gives."""


_filters: dict[str, AudienceFilter] = {}
_news: list[Callable[[int, str], list[NewsItem]]] = []


def audience_filter_register(audience_filter: AudienceFilter) -> None:
    if audience_filter.kind not in (ACTION, DISTRICT):
        raise ValueError(f"No such kind of audience filter: {audience_filter.kind}")
    _filters[audience_filter.prefix] = audience_filter


def audience_filter_choices(kind: str) -> list[tuple[str, str]]:
    return [
        (f"{item.prefix}:{value}", label)
        for item in _filters.values()
        if item.kind == kind
        for value, label in item.choices()
    ]


def audience_filter_people(stored: str) -> Any:
    """The ids of the people a stored filter value ("signed:12") selects;
    UnknownAudienceFilter if no app gives that filter."""
    prefix, _sep, value = stored.partition(":")
    audience_filter = _filters.get(prefix)
    if audience_filter is None or not value:
        raise UnknownAudienceFilter(f"No such audience filter: {prefix}")
    return audience_filter.person_ids(value)


def news_source_register(source: Callable[[int, str], list[NewsItem]]) -> None:
    """`source(count, language)` gives the latest published articles, newest first."""
    if source not in _news:
        _news.append(source)


def latest_news(count: int, language: str) -> list[NewsItem]:
    items: list[NewsItem] = []
    for source in _news:
        items.extend(source(count, language))
    return sorted(items, key=lambda item: item.date, reverse=True)[:count]
