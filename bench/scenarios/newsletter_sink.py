"""The newsletter scenario's SMTP sink: a minimal SMTP server on asyncio, in a thread of the
harness, that keeps only what the checks need of each message (its Message-ID, envelope
recipients, size and arrival time on the machine's monotonic clock).

The letters scenario's aiosmtpd sink parses every header of every message; at the rates a
mailing goes this one reads the DATA up to its terminating dot in one call and looks for
the one header with a regular expression, so that the sink is not what is measured. Its
own cost is measured twice: the CPU time of its thread per message during each run, and a
calibration before the runs (`calibrate`: client processes blasting messages of the
mailing's size at it over kept connections).

A transaction cut short (a worker killed mid-DATA) is counted as aborted, not recorded.
"""

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.server import free_port

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(rb"<([^>]*)>")
_TERMINATOR = b"\r\n.\r\n"
_LIMIT = 64 * 1024 * 1024  # the stream's buffer: a whole message fits


class RawSink:
    """`count()`, `since(mark)`: the records of the messages received, in order."""

    def __init__(self) -> None:
        self.port = free_port()
        # (message_id without <>, recipients, arrival on time.monotonic(), size in bytes,
        # the connection's number)
        self.records: list[tuple[str, tuple[str, ...], float, int, int]] = []
        self.aborted = 0  # transactions whose DATA never ended (a client killed)
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._tid = 0
        self._server: Any = None
        self._thread = threading.Thread(target=self._run, name="newsletter-sink", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def count(self) -> int:
        return len(self.records)

    def since(self, mark: int) -> list[tuple[str, tuple[str, ...], float, int, int]]:
        return self.records[mark:]

    def cpu_s(self) -> float:
        """CPU time (user + system) of the sink's thread so far."""
        try:
            fields = Path(f"/proc/self/task/{self._tid}/stat").read_text().rsplit(")", 1)[1]
        except OSError:
            return 0.0
        parts = fields.split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

    def _run(self) -> None:
        self._tid = threading.get_native_id()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", self.port, limit=_LIMIT, backlog=128)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            self._loop.run_until_complete(self._server.wait_closed())
            self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        rcpts: list[str] = []
        write = writer.write
        try:
            write(b"220 sink.invalid ESMTP bench\r\n")
            while True:
                line = await reader.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb == b"RCPT":
                    found = _ADDRESS.search(line)
                    rcpts.append(found.group(1).decode() if found else "")
                    write(b"250 OK\r\n")
                elif verb == b"MAIL" or verb == b"RSET":
                    rcpts = []
                    write(b"250 OK\r\n")
                elif verb == b"DATA":
                    write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    try:
                        data = await reader.readuntil(_TERMINATOR)
                    except asyncio.IncompleteReadError:
                        self.aborted += 1
                        return
                    head = data[: data.find(b"\r\n\r\n")]
                    found = _MESSAGE_ID.search(head)
                    message_id = found.group(1)[1:-1].decode() if found else ""
                    record = (message_id, tuple(rcpts), time.monotonic(), len(data), number)
                    self.records.append(record)
                    rcpts = []
                    write(b"250 OK queued\r\n")
                elif verb == b"EHLO":
                    write(b"250-sink.invalid\r\n250-8BITMIME\r\n250 PIPELINING\r\n")
                elif verb == b"QUIT":
                    write(b"221 Bye\r\n")
                    await writer.drain()
                    return
                elif verb in (b"HELO", b"NOOP"):
                    write(b"250 OK\r\n")
                else:
                    write(b"502 Command not implemented\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()


def start_sink(stack: ExitStack) -> RawSink:
    sink = RawSink()
    sink.start()
    stack.callback(sink.stop)
    return sink


# A client process of the calibration: N messages of SIZE bytes over one kept connection.
_BLAST = """
import smtplib, sys, time
port, count, size, tag = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
body = ("x" * 76 + "\\r\\n") * max(1, size // 78)
smtp = smtplib.SMTP("127.0.0.1", port)
smtp.ehlo("blast.invalid")
for n in range(count):
    message = (f"Message-ID: <calibration.{tag}.{n}@sink.invalid>\\r\\nSubject: x\\r\\n\\r\\n"
               + body)
    smtp.sendmail("bench@example.invalid", [f"c{n}@example.invalid"], message)
smtp.quit()
"""


def calibrate(sink: RawSink, *, messages: int, size: int, clients: int = 2) -> dict[str, Any]:
    """`clients` processes send `messages` in all of `size` bytes each, as fast as smtplib
    goes: the rate the sink took them at (first to last arrival) and its CPU per message.
    The clients share the cores with it, so the rate is a lower bound of its capacity."""
    mark, cpu0 = sink.count(), sink.cpu_s()
    each = messages // clients
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _BLAST, str(sink.port), str(each), str(size), str(n)]
        )  # fmt: skip
        for n in range(clients)
    ]
    codes = [p.wait(timeout=300) for p in procs]
    time.sleep(0.2)
    cpu = sink.cpu_s() - cpu0
    got = sink.since(mark)
    if any(codes) or len(got) != each * clients:
        raise RuntimeError(f"sink calibration: {len(got)} of {each * clients}, exit codes {codes}")
    span = got[-1][2] - got[0][2]
    return {
        "messages": len(got),
        "size_bytes": size,
        "clients": clients,
        "per_s": (len(got) - 1) / span if span > 0 else 0.0,
        "cpu_ms_each": 1000 * cpu / len(got),
        "capacity_per_s": len(got) / cpu if cpu > 0 else 0.0,
    }
