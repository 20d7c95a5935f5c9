"""The events scenario's constants (see events.py)."""

from pathlib import Path
from typing import Any

from bench.context import Column
from bench.scenarios.pages import MINIMAL, Target
from bench.server import run_in_django

NAME = "events"
TITLE = "Events: a registration spike, reminders to 5,000, the pages under read load"

# One popular event: its places, and how many confirmed registrants the reminders go to.
CAPACITY = 500
REMINDER_REGISTRANTS = 5_000
# Confirming every stored registration afterwards: this many processes, each button
# pressed twice (a double click), in random order.
CONFIRM_PROCESSES = 8
CONFIRM_PRESSES = 2
# In-process profiles: registrations posted one at a time (always), and the registrants of
# an event whose reminders are profiled when the target is missed.
PROFILE_REGISTRATIONS = 100
PROFILE_REGISTRANTS = 300

# Every request of wrk comes from one address (127.0.0.1) and the default limits (30
# registrations per address and 5 per e-mail per hour) would turn away all but the first.
RATE_ENV = {
    "HARBOUR_EVENT_RATE_IP": "100000000/h",
    "HARBOUR_EVENT_RATE_EMAIL": "100/h",
}

LISTING = "/events/"
WORKSHOP = Target(
    "An event's page (the demo's online workshop)",
    "/events/writing-to-your-mp-an-online-workshop/",
    "Writing to your MP: an online workshop",
)
READ_TARGETS = [
    MINIMAL,
    Target("The events page (listing)", LISTING, "Writing to your MP: an online workshop"),
    WORKSHOP,
]

# The tasks this scenario queues (django_tasks_db's rows); none is left behind.
EVENT_TASKS = [
    "harbour.events.tasks.send_registration_mail",
    "harbour.events.tasks.send_event_notices",
    "harbour.events.tasks.offer_expire",
]
REMINDER_TASK = "harbour.events.tasks.send_event_notices"
MAIL_TASK = "harbour.events.tasks.send_registration_mail"

WORKER_TIMEOUT_S = 300
WORKER_SETTLE_S = 1.0

TARGET_REMINDERS = 200.0
TARGET_PAGE_RATIO = 0.8

COLUMNS = [
    Column("measure", "Measure", "left"),
    Column("path", "Path or work", "left"),
    Column("rate", "Per second (median)"),
    Column("p50", "p50"),
    Column("p99", "p99"),
    Column("ratio", "Ratio"),
    Column("runs", "Runs (per second)"),
    Column("errors", "Errors"),
    Column("target", "Target", "left"),
]


def _django(env: dict[str, str], tmp: Path, function: str, data: Any) -> Any:
    return run_in_django(env, tmp, "events_django", function, data, timeout=900)


def _profile(env: dict[str, str], tmp: Path, function: str, data: Any) -> Any:
    return run_in_django(env, tmp, "events_profile", function, data, timeout=600)
