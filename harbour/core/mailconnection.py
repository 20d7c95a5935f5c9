"""One e-mail connection per worker thread, kept open between tasks for a short while.

A task worker sending a queue of letters would otherwise connect, greet (EHLO) and say
goodbye (QUIT) for every task: three round trips and a TCP handshake more than each message
needs, on both sides. A connection idle for longer than HARBOUR_MAIL_REUSE_SECONDS is
closed and a new one opened, well inside the five minutes an SMTP server must wait
(RFC 5321, 4.5.3.2.7), so a kept connection is not one the server has already dropped.

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
    target = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)
    if connection is not None and (
        idle >= settings.HARBOUR_MAIL_REUSE_SECONDS or getattr(_local, "target", None) != target
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
