"""How action apps add to a member group's page without this app importing them: each
registers, in its AppConfig.ready(), a function that lists what the group did there (the
statements it signed, its upcoming events)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import MemberGroupPage


@dataclass(frozen=True)
class SectionItem:
    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class GroupSection:
    title: str
    items: list[SectionItem] = field(default_factory=list)


SectionProvider = Callable[["MemberGroupPage"], GroupSection | None]

_providers: list[SectionProvider] = []


def group_section_register(provider: SectionProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def group_sections(group: "MemberGroupPage") -> list[GroupSection]:
    """The sections the apps contribute for `group`, leaving out the empty ones."""
    sections = [provider(group) for provider in _providers]
    return [section for section in sections if section is not None and section.items]
