"""A real SMTP server on loopback (aiosmtpd) for tests: it records each message with the
connection that carried it, and can refuse an address for now (450), for good (550), or
stall after the message's data (a conversation cut off mid-message)."""

import asyncio
import socket
import threading
from email import message_from_bytes
from email.policy import default

from aiosmtpd.controller import Controller


class Sink:
    """Records each message with the SMTP session (connection) that carried it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[int, list[str], object]] = []
        self.refuse: set[str] = set()
        self.refuse_for_good: set[str] = set()
        self.connections = 0
        self.stall_seconds = 0.0  # wait this long before answering a message's data
        self.delay_seconds = 0.0  # wait this long, then accept each message (a slow server)

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refuse:
            return "450 Mailbox busy, try later"
        if address in self.refuse_for_good:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
            return "451 Took too long"
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        with self.lock:
            if not hasattr(session, "number"):  # the first message on this connection
                self.connections += 1
                session.number = self.connections
            self.received.append(
                (
                    session.number,
                    list(envelope.rcpt_tos),
                    message_from_bytes(envelope.content, policy=default),
                )
            )
        return "250 Message accepted"

    def sessions(self) -> set[int]:
        return {session for session, _, _ in self.received}

    def to(self, address: str) -> list[object]:
        return [m for _, rcpt, m in self.received if rcpt == [address]]


def sink_start():
    """A started sink and its port; stop it with `controller.stop()`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Sink()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, server_hostname="sink.invalid"
    )
    controller.start()
    return handler, port, controller


def use_sink(settings, port: int) -> None:
    """Send every e-mail of this test to the sink on `port`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
