"""The Wagtail dashboard's "Needs attention" panel: each action app contributes its lines
(signatures waiting for a moderator, letters waiting or failed, today's counts), shown to
staff allowed to act on them. Core knows no app: apps register a function answering the
lines for a request's user."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from wagtail.admin.ui.components import Component


def start_of_today() -> datetime.datetime:
    """Midnight today in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))


@dataclass(frozen=True)
class AttentionLine:
    text: str
    url: str = ""
    urgent: bool = False


_CONTRIBUTORS: list[Callable[[Any], list[AttentionLine]]] = []


def attention_register(contributor: Callable[[Any], list[AttentionLine]]) -> None:
    if contributor not in _CONTRIBUTORS:
        _CONTRIBUTORS.append(contributor)


class AttentionPanel(Component):
    name = "needs_attention"
    template_name = "core/dashboard/attention.html"
    order = 50  # above Wagtail's own panels

    def get_context_data(self, parent_context: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(parent_context)
        user = parent_context["request"].user
        context["lines"] = [line for contribute in _CONTRIBUTORS for line in contribute(user)]
        return context
