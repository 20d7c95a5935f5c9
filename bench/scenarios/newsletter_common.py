"""The newsletter scenario's constants (see newsletter.py)."""

import os
from pathlib import Path
from typing import Any

from bench.context import Column
from bench.server import run_in_django

# The list's size: BENCH_NEWSLETTER_SUBSCRIBERS=2000 for a quick try.
SUBSCRIBERS = int(os.environ.get("BENCH_NEWSLETTER_SUBSCRIBERS", "50000"))

NAME = "newsletter"
TITLE = f"Newsletter: a mailing to {SUBSCRIBERS:,} subscribers, killed workers, the sign-up form"
WORKERS = 2  # as deploy/ runs them (harbour-worker@1, @2)
# The sending run with one worker killed (-9) when these shares of the list have arrived.
KILL_AT = (0.30, 0.60)
RESTART_AFTER_S = 1.0  # systemd's RestartSec in deploy/harbour-worker@.service
RSS_EVERY_S = 0.5
# In-process profiles: a batch's sending (when the target is missed) and sign-ups (always).
PROFILE_RECIPIENTS = 1000
PROFILE_SIGNUPS = 100
# Sink calibration: messages blasted at it before the runs (at most the list's size).
CALIBRATION_MESSAGES = 6000

# Heartbeat and retry settings short enough that a killed worker's batch comes back within
# seconds, as the faults scenario sets them (production: 10 s beats, 300 s lease, 15 s base).
WORKER_ENV = {
    "HARBOUR_TASK_HEARTBEAT_SECONDS": "1",
    "HARBOUR_TASK_LEASE_SECONDS": "10",
    "HARBOUR_TASK_RETRY_BASE_SECONDS": "2",
    "HARBOUR_TASK_RETRY_MAX_SECONDS": "20",
    "HARBOUR_TASK_MAX_ATTEMPTS": "30",
}

# Every request of wrk comes from 127.0.0.1: the default 30 sign-ups per address and hour
# would turn away all but the first. The per-address limit (5/h) is fixed in the view; each
# request has an address of its own.
RATE_ENV = {"HARBOUR_NEWSLETTER_RATE_IP": "100000000/h"}

NEWSLETTER_PATH = "/newsletter/"
THANKS = NEWSLETTER_PATH + "thanks/"
PAGE_TITLE = "Newsletter"

BATCH_TASK = "harbour.newsletter.tasks.send_mailing_batch"
START_TASK = "harbour.newsletter.tasks.start_mailing"
SIGNUP_TASK = "harbour.newsletter.tasks.send_signup_mail"

TARGET_PER_S = 500.0

COLUMNS = [
    Column("measure", "Measure", "left"),
    Column("work", "Work", "left"),
    Column("rate", "Per second"),
    Column("p50", "p50"),
    Column("p99", "p99"),
    Column("ratio", "Ratio"),
    Column("runs", "Runs (per second)"),
    Column("errors", "Errors"),
    Column("target", "Target", "left"),
]


def timeout_s(count: int) -> float:
    """How long a sending run may take: 50/s at the very least, plus start-up."""
    return 120 + count / 50


def _django(env: dict[str, str], tmp: Path, function: str, data: Any) -> Any:
    return run_in_django(env, tmp, "newsletter_django", function, data, timeout=900)


def _profile(env: dict[str, str], tmp: Path, function: str, data: Any) -> Any:
    return run_in_django(env, tmp, "newsletter_profile", function, data, timeout=600)
