"""How other apps add to a supporter's history, export and erasure without this app
importing them: each registers a provider in its AppConfig.ready()."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Person


@dataclass(frozen=True)
class HistoryItem:
    when: datetime.datetime
    kind: str
    description: str
    state: str = ""


@dataclass(frozen=True)
class PersonDataProvider:
    """`history` lists a person's actions; `export` returns them as JSON-ready data; `erase`
    anonymises the app's own rows (keeping only what anonymous counts need); `in_use` says
    whether the app still holds anything pointing at the person."""

    name: str
    history: Callable[[Person], list[HistoryItem]]
    export: Callable[[Person], list[dict[str, Any]]]
    erase: Callable[[Person], None]
    in_use: Callable[[Person], bool]


_providers: dict[str, PersonDataProvider] = {}


def register(provider: PersonDataProvider) -> None:
    _providers[provider.name] = provider


def providers() -> list[PersonDataProvider]:
    return list(_providers.values())
