"""`manage.py newsletter_bounces`: bounces for deployments that send through plain SMTP.

A provider tells Harbour of bounces by webhook (newsletter.bounces, through anymail); a
plain mail server instead mails back delivery status notifications (RFC 3464) to the
envelope sender's mailbox. This reads that mailbox, a Maildir on this machine or an IMAP
folder, and applies each report through the same service as the webhooks, bounce_record:
"failed" with a permanent status (5.x.x) is a hard bounce; "delayed", or a transient status
(4.x.x), a soft one. Anything else (an autoreply, a person's answer, a report in another
format) is ignored, and a message that cannot be read is ignored rather than stopping the
run. Run it every few minutes (cron or a systemd timer).

Each message read is marked seen (Maildir: moved to cur/ with the S flag; IMAP: \\Seen) so
the next run skips it, or deleted with --delete. A message is marked only once its reports
are stored: if the database fails, the run stops and the message is read again next time.
The IMAP password comes from the environment (HARBOUR_BOUNCE_IMAP_PASSWORD), never the
command line, which other users of the machine can see. Only counts are printed, never an
address."""

import contextlib
import email
import imaplib
import mailbox
import os
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbour.newsletter.bounces import HARD, SOFT, bounce_record

PASSWORD_VARIABLE = "HARBOUR_BOUNCE_IMAP_PASSWORD"  # noqa: S105 (a variable's name)
_STATUS = re.compile(r"^\s*([245])\.\d{1,3}\.\d{1,3}")


@dataclass(frozen=True)
class Bounce:
    email: str
    kind: str


@dataclass
class Totals:
    read: int = 0
    hard: int = 0
    soft: int = 0
    unsubscribed: int = 0
    ignored: int = 0


def _address(field: str | None) -> str:
    """The address of a Final-Recipient or Original-Recipient field ("rfc822; a@b.c")."""
    if not field:
        return ""
    kind, _sep, value = str(field).partition(";")
    if not _sep:
        kind, value = "rfc822", kind
    if kind.strip().lower() != "rfc822":
        return ""
    value = value.strip().strip("<>").strip()
    return value if "@" in value and " " not in value else ""


def _kind(action: str | None, status: str | None) -> str | None:
    """failed + 5.x.x: hard; delayed, or 4.x.x: soft; anything else (delivered, relayed,
    expanded, a failure without a readable status): nothing."""
    action = str(action or "").strip().lower()
    match = _STATUS.match(str(status or ""))
    status_class = match.group(1) if match else ""
    if action == "delayed" or (action == "failed" and status_class == "4"):
        return SOFT
    if action == "failed" and status_class == "5":
        return HARD
    return None


def _status_blocks(part: Message) -> list[Message]:
    """The per-recipient field blocks of a message/delivery-status part (Python's parser
    reads each block as a message of headers; the first is the per-message block)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        return []
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    return [HeaderParser().parsestr(block) for block in re.split(r"\n\s*\n", text) if block]


def _original_message_id(report: Message) -> str:
    """The Message-ID of the returned message, from its message/rfc822 copy or its
    text/rfc822-headers, if the report includes either."""
    for part in report.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return str(payload[0].get("Message-ID", "") or "").strip()
        elif content_type == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                headers = BytesHeaderParser().parsebytes(raw)
                return str(headers.get("Message-ID", "") or "").strip()
    return ""


def dsn_bounces(message: Message) -> tuple[list[Bounce], str]:
    """The bounces a delivery status notification reports, and the Message-ID of the
    message it returns (""); none for anything that is not one."""
    if message.get_content_type() != "multipart/report":
        return [], ""
    if str(message.get_param("report-type", "") or "").lower() != "delivery-status":
        return [], ""
    bounces = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in _status_blocks(part)[1:]:
            address = _address(block.get("Original-Recipient")) or _address(
                block.get("Final-Recipient")
            )
            kind = _kind(block.get("Action"), block.get("Status"))
            if address and kind:
                bounces.append(Bounce(email=address, kind=kind))
    return bounces, _original_message_id(message) if bounces else ""


class Command(BaseCommand):
    help = (
        "Read bounce messages (RFC 3464 delivery status notifications) from a Maildir "
        "(--maildir) or an IMAP folder (--imap-host, --imap-user, --imap-folder; the "
        f"password in the environment variable {PASSWORD_VARIABLE}) and apply them: a "
        "permanent failure (5.x.x) suppresses the address, delays and transient failures "
        "(4.x.x) count towards HARBOUR_NEWSLETTER_SOFT_BOUNCE_LIMIT. Messages read are "
        "marked seen (Maildir: moved to cur/ with the S flag; IMAP: \\Seen) and skipped "
        "next time, or deleted with --delete. Prints counts only, never an address."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--maildir", metavar="PATH", help="The bounce mailbox, a Maildir.")
        parser.add_argument("--imap-host", help="The IMAP server (over TLS) of the mailbox.")
        parser.add_argument("--imap-port", type=int, default=993, help="Its port (993).")
        parser.add_argument("--imap-user", help="The mailbox's user name.")
        parser.add_argument("--imap-folder", default="INBOX", help="The folder (INBOX).")
        parser.add_argument(
            "--delete",
            action="store_true",
            help="Delete each message once read, instead of marking it seen.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["maildir"]) == bool(options["imap_host"]):
            raise CommandError("Give either --maildir or --imap-host.")
        totals = Totals()
        if options["maildir"]:
            messages = _maildir_messages(options["maildir"], delete=options["delete"])
        else:
            messages = _imap_messages(options, delete=options["delete"])
        for message in messages:
            _apply(message, totals)
        self.stdout.write(
            f"Read {totals.read} messages: {totals.hard} hard bounces, "
            f"{totals.soft} soft bounces, {totals.unsubscribed} unsubscribes, "
            f"{totals.ignored} ignored."
        )


def _apply(message: Message | None, totals: Totals) -> None:
    """Count and apply one message's reports (a database error propagates, before the
    message is marked read)."""
    totals.read += 1
    try:
        bounces, message_id = dsn_bounces(message) if message is not None else ([], "")
    except Exception:  # a malformed message is ignored, whatever broke
        bounces, message_id = [], ""
    if not bounces and message is not None and _unsubscribe_by_mail(message):
        totals.unsubscribed += 1
        return
    if not bounces:
        totals.ignored += 1
    for bounce in bounces:
        bounce_record(email=bounce.email, kind=bounce.kind, message_id=message_id)
        if bounce.kind == HARD:
            totals.hard += 1
        else:
            totals.soft += 1


UNSUBSCRIBE_SUBJECT = re.compile(r"^\s*unsubscribe\s+(\S+)\s*$", re.IGNORECASE)


def _unsubscribe_by_mail(message: Message) -> bool:
    """A mail program's unsubscribe by mail: the List-Unsubscribe header's mailto, whose
    subject carries the subscription's own signed token (no one else has it). It leaves
    that list at once, as the one-click POST does."""
    from harbour.newsletter.services import (
        InvalidNewsletterLink,
        subscription_for_unsubscribe,
        subscription_leave,
    )

    found = UNSUBSCRIBE_SUBJECT.match(str(message.get("Subject", "")))
    if found is None:
        return False
    try:
        subscription = subscription_for_unsubscribe(token=found.group(1))
    except InvalidNewsletterLink:
        return False
    subscription_leave(subscription)
    return True


def _maildir_messages(path: str, *, delete: bool) -> Iterator[Message | None]:
    """Each unread message of the Maildir (in new/, or in cur/ without the S flag),
    marked seen (or deleted) once the caller has applied it."""
    if not os.path.isdir(os.path.join(path, "new")):
        raise CommandError("No Maildir at that path (it has no new/ folder).")
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in list(box.iterkeys()):
        try:
            message = box[key]
        except (KeyError, FileNotFoundError):  # taken by another reader meanwhile
            continue
        except Exception:  # unreadable: counted as ignored, deleted only with --delete
            yield None
            if delete:
                box.discard(key)
            continue
        if message.get_subdir() == "cur" and "S" in message.get_flags():
            continue
        yield message
        if delete:
            box.discard(key)
        else:
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message


def _imap_messages(options: dict[str, Any], *, delete: bool) -> Iterator[Message | None]:
    """Each unseen message of the IMAP folder, read without marking it (BODY.PEEK), then
    flagged \\Seen (or deleted) once the caller has applied it."""
    password = os.environ.get(PASSWORD_VARIABLE, "")
    if not options["imap_user"] or not password:
        raise CommandError(f"IMAP needs --imap-user and the password in {PASSWORD_VARIABLE}.")
    context = ssl.create_default_context()
    try:
        connection = imaplib.IMAP4_SSL(
            options["imap_host"], options["imap_port"], ssl_context=context
        )
    except (OSError, imaplib.IMAP4.error) as exc:
        raise CommandError(f"Could not connect to the IMAP server: {exc}") from exc
    try:
        try:
            connection.login(options["imap_user"], password)
        except imaplib.IMAP4.error as exc:
            raise CommandError("The IMAP server refused the user name or password.") from exc
        folder = '"' + options["imap_folder"].replace("\\", "\\\\").replace('"', '\\"') + '"'
        status, _data = connection.select(folder)
        if status != "OK":
            raise CommandError("The IMAP server has no such folder.")
        status, data = connection.uid("SEARCH", "UNSEEN")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            status, fetched = connection.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(
                (item[1] for item in fetched or [] if isinstance(item, tuple) and len(item) > 1),
                None,
            )
            yield email.message_from_bytes(raw) if status == "OK" and raw else None
            flag = "\\Deleted" if delete else "\\Seen"
            connection.uid("STORE", uid, "+FLAGS", f"({flag})")
        if delete and uids:
            connection.expunge()
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            connection.logout()
