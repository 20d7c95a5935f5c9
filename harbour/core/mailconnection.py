"""One e-mail connection per worker thread, kept open between tasks for a short while.

A task worker sending a queue of letters would otherwise connect, greet (EHLO) and say
goodbye (QUIT) for every task: three round trips and a TCP handshake more than each message
needs, on both sides. A connection idle for longer than HARBOUR_MAIL_REUSE_SECONDS is
closed and a new one opened, well inside the five minutes an SMTP server must wait
(RFC 5321, 4.5.3.2.7); one idle for more than a second is first checked with a NOOP, in
case the server (or a relay restarting) let it go sooner.

Callers send with `connection=worker_connection()` and call `connection_discard()` after a
failure, so that the next message starts on a fresh connection. A message that failed is
never resent here: whether to try again is the caller's decision.
"""

import atexit
import contextlib
import threading
import time

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

_local = threading.local()


def worker_connection() -> BaseEmailBackend:
    """This thread's open connection, opened (or reopened after idling) as needed."""
    now = time.monotonic()
    connection: BaseEmailBackend | None = getattr(_local, "connection", None)
    idle = now - getattr(_local, "used_at", now)
    target = tuple(
        getattr(settings, name, None)
        for name in (
            "EMAIL_BACKEND",
            "EMAIL_HOST",
            "EMAIL_PORT",
            "EMAIL_USE_TLS",
            "EMAIL_USE_SSL",
            "EMAIL_HOST_USER",
            "EMAIL_HOST_PASSWORD",
        )
    )
    if connection is not None and (
        idle >= settings.HARBOUR_MAIL_REUSE_SECONDS
        or getattr(_local, "target", None) != target
        or (idle >= ALIVE_CHECK_AFTER_SECONDS and not _is_alive(connection))
    ):
        connection_discard()
        connection = None
    if connection is None:
        connection = get_connection()
        connection.open()
        _local.connection = connection
        _local.target = target
    _local.used_at = now
    return connection


# Within a burst messages follow each other by milliseconds and the connection is used as
# it is; after a pause it is asked (SMTP NOOP) first, in case the server let it go sooner.
ALIVE_CHECK_AFTER_SECONDS = 1.0


def _is_alive(connection: BaseEmailBackend) -> bool:
    smtp = getattr(connection, "connection", None)
    if smtp is None or not hasattr(smtp, "noop"):
        return True  # not an SMTP connection (locmem, console, file): nothing to lose
    try:
        return bool(smtp.noop()[0] == 250)
    except (OSError, ValueError):
        return False


def connection_discard() -> None:
    """Close this thread's connection (quietly: it may already be broken)."""
    connection = getattr(_local, "connection", None)
    _local.connection = None
    if connection is not None:
        # A connection that broke cannot say goodbye; Django's SMTP backend forgets it
        # whatever happens.
        with contextlib.suppress(OSError, ValueError):
            connection.close()


atexit.register(connection_discard)
