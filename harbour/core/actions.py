"""What every public action offers the rest of the site: a card for "Take action" and the
home page (title, link, count, goal, deadline, image), from a registry the action apps fill
in their `ready()`. The fields an editor sets to present an action are
`core.models.ActionPage`.
Core knows no action app: each registers a function answering its open actions' cards."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language


@dataclass(frozen=True)
class ActionCard:
    title: str
    url: str
    kind: str  # "Petition", "Joint statement", "Letter campaign"... (translated)
    verb: str  # the button: "Sign", "Write to your MP"
    count: int
    counted: str  # what the count counts, e.g. "signatures"
    goal: int | None
    closes_at: datetime.datetime | None
    summary: str
    image: Any  # a Wagtail image or None
    featured: bool
    opened_at: datetime.datetime

    @classmethod
    def for_page(
        cls, page: Any, *, kind: str, verb: str, count: int, counted: str, goal: int | None = None
    ) -> "ActionCard":
        """The card of an action page (a core.models.ActionPage, in the site's default
        language), its words and link in the visitor's language where it is translated."""
        shown = page.in_language(get_language() or "")
        return cls(
            title=shown.title,
            url=shown.url,
            kind=kind,
            verb=verb,
            count=count,
            counted=counted,
            goal=goal,
            closes_at=page.closes_at,
            summary=shown.summary or shown.search_description,
            image=page.feature_image,
            featured=page.featured,
            opened_at=page.opens_at,
        )

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.goal)) if self.goal else 0


_PROVIDERS: list[Callable[[], list[ActionCard]]] = []


def open_actions_register(provider: Callable[[], list[ActionCard]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def open_actions() -> list[ActionCard]:
    """Every action open now: featured first, then the newest."""
    cards = [card for provider in _PROVIDERS for card in provider()]
    cards.sort(key=lambda card: card.opened_at, reverse=True)
    cards.sort(key=lambda card: not card.featured)
    return cards
