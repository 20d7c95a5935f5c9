"""The letters scenario's constants and its SMTP sink (see letters.py)."""

import email.header
import os
import threading
import time
from contextlib import ExitStack
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

from bench.context import Column
from bench.server import free_port, run_in_django

LETTERS_PER_RUN = int(os.environ.get("BENCH_LETTERS", "500"))


WORKERS = 2


LOOKUP_SECONDS = 3


LOOKUP_WARMUP_SECONDS = 1


LOOKUP_CODES = 20_000


UNKNOWN_FSA_SHARE = 0.10


PROFILE_LETTERS = 100


WORKER_TIMEOUT_S = 300


BURST_SETTLE_S = 1.0


TARGET_LOOKUPS = 5_000.0


TARGET_MESSAGES = 100.0


COLUMNS = [
    Column("measure", "Measure", "left"),
    Column("rate", "Per second (median)"),
    Column("runs", "Runs (per second)"),
    Column("work", "Work per run", "left"),
    Column("target", "Target", "left"),
]


class Sink:
    """aiosmtpd's handler: keeps what the checks need of each message, thread-safe (the
    controller serves SMTP from its own thread; the harness reads from the main one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []
        self._parser = BytesHeaderParser(policy=compat32)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content or b""
        headers = self._parser.parsebytes(content)
        subject = str(headers.get("Subject") or "")
        record = {
            "message_id": str(headers.get("Message-ID") or "").strip(),
            "rcpt": [str(r) for r in envelope.rcpt_tos],
            "subject": str(email.header.make_header(email.header.decode_header(subject))),
            "at": time.monotonic(),
        }
        with self._lock:
            self._messages.append(record)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self._messages)

    def since(self, start: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._messages[start:]]


def _start_sink(stack: ExitStack) -> tuple[Sink, int]:
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    # A fixed name: aiosmtpd would otherwise ask the resolver for this machine's FQDN.
    controller = Controller(sink, hostname="127.0.0.1", port=port, server_hostname="sink.invalid")
    controller.start()
    stack.callback(controller.stop)
    return sink, port


NAME = "letters"
TITLE = "E-mail your MP: lookups and letter sending"


def _django(env: dict[str, str], tmp: Path, function: str, data: Any) -> Any:
    return run_in_django(env, tmp, "letters_django", function, data, timeout=600)
