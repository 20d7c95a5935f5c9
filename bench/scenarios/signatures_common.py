"""The signatures scenario's constants and records (see signatures.py)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.context import Column
from bench.wrk import WrkResult

PETITION = "/stop-foreign-interference/"


PETITION_SLUG = "stop-foreign-interference"


PETITION_TITLE = "Protect people in Canada from foreign interference"


# Where the petition's form posts (read from the page: the page's own address, taken by
# signons.views.page_post_or_serve without Wagtail's routing); this default is replaced by
# the first GET of the petition.
class Sign:
    """Where the petition's form posts: `path` is read from the page by the first GET of the
    run (signatures_load._csrf_pair); every module reads it here."""

    path = PETITION + "sign/"
    page_id = 0  # the petition's (original) page, read from the database before the run


THANKS = PETITION + "thanks/"


INSERT = "/bench/insert/"


# References between the ceiling and a submission (HARBOUR_BENCH views): the ceiling's row
# and one task queued with it through the tasks API in one transaction; and the sign-on's
# own rate limits and service (`signature_create`) without the form (its path is made from
# SIGN's page id).
INSERT_ENQUEUE = "/bench/insert-enqueue/"


SERVICE_PREFIX = "/bench/sign-service/"


PING = "/bench/ping/"


# Its task rows are in django_tasks_database_dbtaskresult (django_tasks_db's app label is
# "django_tasks_database").
CONFIRMATION_TASK = "harbour.signons.tasks.send_signature_confirmation"


NOOP_TASK = "harbour.benchviews.tasks.bench_noop"


# One address sends every request: the per-address limit would refuse nearly all of them.
# All load comes from one address: neither held for review nor capped (HARBOUR_SIGN_CAP_IP).
RATE_ENV = {
    "HARBOUR_SIGN_RATE_IP": "100000000/h",
    "HARBOUR_SIGN_CAP_IP": "100000000/h",
    "HARBOUR_SIGN_RATE_EMAIL": "100/h",
    "HARBOUR_LETTER_RATE_IP": "100000000/h",  # the answer-time check writes letters too
}


REDIS_URL = "redis://127.0.0.1:6379/15"


SPIKE_CONNECTIONS = 32


DRAIN_SECONDS = 2  # after the last request is sent, for the last answers


CONFIRM_SAMPLE = 500


CONFIRM_CLIENTS = 16


PROFILE_SUBMISSIONS = 100


OUTCOME_SUBMISSIONS = 60


LUA_SCRIPT = Path(__file__).with_name("post_load.lua")


TARGET_SUBMISSIONS = 300.0


TARGET_P99_MS = 300.0


# A submission's rate over the insert + enqueue reference's (issue 14; the older target, 60%
# of the bare insert, was withdrawn: a submission must also queue its e-mail durably).
TARGET_REFERENCE_SHARE = 0.60


TARGET_PAGE_RPS = 1000.0


COLUMNS = [
    Column("load", "Load", "left"),
    Column("path", "Path", "left"),
    Column("rate", "Per second (median)"),
    Column("p50", "p50"),
    Column("p99", "p99"),
    Column("ratio", "vs reference"),
    Column("runs", "Runs (per second)"),
    Column("errors", "Errors"),
]


@dataclass
class PostRun:
    """One wrk run of POSTs through post_load.lua."""

    run_id: str
    wrk: WrkResult
    sent: int
    responses: int
    accepted: int
    window_s: float
    statuses: dict[str, int]
    # Answers by tenth of a second of time.monotonic() (tick = int(seconds * 10)).
    accepted_by_tick: dict[int, int] = field(default_factory=dict)
    refused_by_tick: dict[int, int] = field(default_factory=dict)

    @property
    def accepted_per_s(self) -> float:
        return self.accepted / self.window_s if self.window_s > 0 else 0.0

    @property
    def unanswered(self) -> int:
        return self.sent - self.responses

    @property
    def errors(self) -> int:
        """Answers other than the expected success, plus socket errors and requests wrk
        never saw answered."""
        sockets = sum(self.wrk.socket_errors.values())
        return self.responses - self.accepted + sockets + max(self.unanswered, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "sent": self.sent,
            "responses": self.responses,
            "accepted": self.accepted,
            "unanswered": self.unanswered,
            "window_s": self.window_s,
            "accepted_per_s": self.accepted_per_s,
            "statuses": self.statuses,
            "errors": self.errors,
            "wrk": self.wrk.as_dict(),
        }


@dataclass
class Csrf:
    cookie: str
    token: str


@dataclass
class Snapshot:
    """The database before the spike: what was there already."""

    taken_at: Any  # PostgreSQL's clock then
    page_id: int
    max_signature_id: int
    max_person_id: int
    max_audit_id: int
    confirmation_tasks: int
    confirmed: int


@dataclass
class Checks:
    """Checks of correctness: each a label, the expected and the found value, in a group
    ("page", "spike": lost or duplicated signatures, "confirmation")."""

    items: list[dict[str, Any]] = field(default_factory=list)
    group: str = "spike"

    def add(self, label: str, expected: Any, found: Any) -> None:
        ok = expected == found
        self.items.append(
            {"group": self.group, "check": label, "expected": expected, "found": found, "ok": ok}
        )
        mark = "ok" if ok else "FAILED"
        print(f"  check: {label}: expected {expected}, found {found}: {mark}", flush=True)

    def of(self, group: str) -> list[dict[str, Any]]:
        return [item for item in self.items if item["group"] == group]

    def failed(self, group: str) -> list[dict[str, Any]]:
        return [item for item in self.of(group) if not item["ok"]]

    def verdict(self, group: str) -> str:
        failed = self.failed(group)
        if not failed:
            return f"All {len(self.of(group))} checks passed."
        return "FAILED: " + "; ".join(
            f"{i['check']} (expected {i['expected']}, found {i['found']})" for i in failed
        )


NAME = "signatures"
TITLE = "Petition signatures under a spike"


def _ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
