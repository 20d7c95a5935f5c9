"""The events app's models: its pages (pages.py) and the registrations (registration.py)."""

from .pages import (
    TIME_ZONES,
    EventFormat,
    EventIndexPage,
    EventPage,
    EventStatus,
    reminder_offsets_parse,
)
from .registration import (
    ACTIVE,
    HOLDS_PLACE,
    EventSchedule,
    Registration,
    RegistrationState,
    join_key_new,
)

__all__ = [
    "TIME_ZONES",
    "reminder_offsets_parse",
    "EventFormat",
    "EventStatus",
    "EventIndexPage",
    "EventPage",
    "RegistrationState",
    "HOLDS_PLACE",
    "ACTIVE",
    "join_key_new",
    "Registration",
    "EventSchedule",
]
