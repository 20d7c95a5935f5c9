"""Sending one of our e-mails: rendered from templates in the recipient's language, sent
over the worker's kept connection (core.mailconnection), and a failure classified so the
caller knows whether it may try again. Every action's e-mails go through here (sign-on and
letter confirmations, "already signed", letters to representatives and their copies)."""

import datetime
import re
import smtplib
from collections.abc import Callable, Sequence
from email.mime.base import MIMEBase
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .branding import brand
from .failures import TaskFailure, TemporaryTaskFailure
from .mailconnection import connection_discard, worker_connection

PERMANENT, TEMPORARY, UNCERTAIN = "permanent", "temporary", "uncertain"
UNCERTAIN_ERROR = "{}: the connection failed mid-message; it may have left, so not again."


def mail_failure_kind(error: Exception, message: EmailMessage) -> str:
    """What a failed send means. PERMANENT: the server refused for good (5xx). TEMPORARY:
    it did not leave: a 4xx, no connection made, or the server closed the connection
    (as one does with a kept connection; if that came right after the message's last line
    the message could go twice). UNCERTAIN: anything else mid-conversation (a timeout, a
    reset, a malformed message): it may have left, so it is not sent again."""
    connected = getattr(message.connection, "connection", None) is not None
    return _failure_kind(error, connected=connected)


def _failure_kind(error: Exception, *, connected: bool) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        return PERMANENT if all(code >= 500 for code in codes) else TEMPORARY
    code = getattr(error, "smtp_code", 0)
    if code >= 500:
        return PERMANENT
    if code >= 400:
        return TEMPORARY
    # smtplib reports a reply that never came (a timeout) as a disconnection, with the
    # timeout as its context: the server may have taken the message.
    if connected and isinstance(error.__context__, TimeoutError):
        return UNCERTAIN
    if not connected or isinstance(error, smtplib.SMTPServerDisconnected):
        return TEMPORARY
    return UNCERTAIN


def mail_send(message: EmailMessage) -> tuple[str, str] | None:
    """Send over the worker's kept connection: None if it went, else the failure's kind
    and the error to record (an exception's name, never an address)."""
    try:
        message.connection = worker_connection()
        message.send()
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        kind = mail_failure_kind(error, message)
        connection_discard()  # the next message starts on a fresh connection
        name = type(error).__name__
        return kind, UNCERTAIN_ERROR.format(name) if kind == UNCERTAIN else name
    return None


def raw_smtp() -> smtplib.SMTP | None:
    """The worker's kept connection's smtplib session when e-mail goes over plain SMTP
    (Django's SMTP backend), else None (a provider's API through anymail, locmem, files):
    a sender of many messages serialised once may then hand them over as bytes."""
    from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

    backend = worker_connection()
    session = getattr(backend, "connection", None)
    if isinstance(backend, SMTPBackend) and isinstance(session, smtplib.SMTP):
        return session
    return None


NOT_CLAIMED = "not claimed"


def mail_send_bytes(
    session: smtplib.SMTP,
    sender: str,
    to: str,
    data: bytes,
    *,
    before_data: Callable[[], bool] | None = None,
) -> tuple[str, str] | None:
    """Hand a message already serialised (CRLF lines) to the SMTP session `raw_smtp` gave,
    with the same answer as `mail_send`: None if it went, else the failure's kind and the
    error's name. `sender` and `to` are bare addresses.

    Step by step, so that the answer knows how far it got: until the server has said 354
    to DATA nothing can have left, so any failure is TEMPORARY (or the refusal's own code);
    once the message's lines are on their way, only the server's final reply tells, and a
    connection lost or a reply that never came is UNCERTAIN (it may have left: never sent
    again), where smtplib's own `sendmail` would report a disconnection, which reads as
    TEMPORARY, and the message could go twice.

    `before_data`, if given, is called once the server waits for the message's lines (a
    sender claims its right to send there, as late as can be: a worker killed before that
    leaves an unfinished transaction the server drops, and nothing claimed); if it answers
    False the message is not sent and the answer is (NOT_CLAIMED, "")."""
    handed = False
    try:
        session.ehlo_or_helo_if_needed()
        code, reply = session.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = session.rcpt(to)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
        session.putcmd("data")
        code, reply = session.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if before_data is not None:
            try:
                go_on = before_data()
            except BaseException:
                connection_discard()  # the server still waits for the lines
                raise
            if not go_on:
                connection_discard()
                return NOT_CLAIMED, ""
        handed = True
        body = _DOT_AT_LINE_START.sub(b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        session.send(body + b".\r\n")
        code, reply = session.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
    except (OSError, ValueError) as error:
        if isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
            kind = _failure_kind(error, connected=True)  # the server's own answer
        else:
            kind = UNCERTAIN if handed else TEMPORARY
        connection_discard()
        name = type(error).__name__
        return kind, UNCERTAIN_ERROR.format(name) if kind == UNCERTAIN else name
    return None


# SMTP's transparency (RFC 5321, 4.5.2): a line of the message that starts with a dot gets
# a second one, so that no line of it reads as the end of the data.
_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


def mail_claimed(key: str) -> bool:
    """Whether the e-mail `key` names was claimed already (sent, or may have left): a
    sender of many e-mails looks before rendering one; `owner_mail_send`'s own claim still
    decides."""
    from .models import MailClaim

    return MailClaim.objects.filter(pk=key).exists()


def _claim(key: str) -> bool:
    """Claim the right to send the e-mail `key` names; False if a run before this one has
    (it was sent, may have left, or is being sent by a worker that was then killed)."""
    from .models import MailClaim

    try:
        with transaction.atomic():
            MailClaim.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def _claim_settle(key: str, kind: str | None) -> None:
    from .models import MailClaim

    claims = MailClaim.objects.filter(pk=key)
    if kind is None:
        claims.update(state=MailClaim.SENT)
    elif kind == UNCERTAIN:  # it may have left: keep the claim, never send it again
        claims.update(state=MailClaim.UNCERTAIN)
    else:  # it did not leave: free the claim for the next attempt
        claims.delete()


def owner_mail_send(
    *,
    to: str,
    language: str,
    template: str,
    context: dict[str, Any],
    claim: str = "",
    attachments: Sequence[MIMEBase] = (),
    reply_to: str = "",
) -> bool:
    """Send `<template>_subject.txt`, `.txt` and `.html`, rendered in `language`, to the
    owner of an address; a failure raises TaskFailure naming its kind (never the address),
    which the task records.

    `claim` (what asked for the e-mail, e.g. `task_claim(context)`): claimed before sending,
    so running the same task again sends nothing twice; False when it was claimed already.
    A failure that left nothing (refused, no connection) frees the claim for a retry; one
    that may have left keeps it."""
    sender = brand()
    context = {"brand": sender, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        message = EmailMultiAlternatives(
            subject=render_to_string(f"{template}_subject.txt", context).strip(),
            body=render_to_string(f"{template}.txt", context),
            from_email=sender.from_email,
            to=[to],
            reply_to=[reply_to] if reply_to else None,
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for attachment in attachments:  # e.g. an event's invitation (.ics)
        message.attach(attachment)
    if claim:
        # Connect before claiming: a worker killed while the server is slow to greet, or a
        # server that is down, leaves no claim behind, so the retry sends the e-mail.
        try:
            worker_connection()
        except (OSError, ValueError) as refused:
            connection_discard()
            raise TemporaryTaskFailure(f"{TEMPORARY}: {type(refused).__name__}") from None
        if not _claim(claim):
            return False
    failure = mail_send(message)
    if claim:
        _claim_settle(claim, failure[0] if failure else None)
    if failure is not None:
        kind, error = failure
        raise (TemporaryTaskFailure if kind == TEMPORARY else TaskFailure)(f"{kind}: {error}")
    return True


class Owner(Protocol):
    @property
    def email(self) -> str | None: ...
    @property
    def language(self) -> str: ...


def action_mail_send(
    owner: Owner | None,
    *,
    page: Any,
    template: str,
    context: dict[str, Any],
    claim: str,
    attachments: Sequence[MIMEBase] = (),
) -> bool:
    """An e-mail about a public action (a signature, a letter, ...) on `page` to the
    address that made it; the templates also get `page`, `page_url` and the link's
    lifetime in `days`. False if the address has been erased or the claim was taken."""
    if owner is None or not owner.email:
        return False
    return owner_mail_send(
        to=owner.email,
        language=owner.language,
        template=template,
        context={
            "page": page,
            "page_url": f"{settings.SITE_URL}{page.url}",
            "days": settings.HARBOUR_CONFIRM_DAYS,
            **context,
        },
        claim=claim,
        attachments=attachments,
    )


def confirmation_url(page: Any, token: str) -> str:
    """The absolute address of an action's confirmation link on `page`."""
    return f"{settings.SITE_URL}{page.url}confirm/{token}/"


def task_claim(context: Any) -> str:
    """The claim key of the task run `context` (django-tasks' TaskContext) belongs to: the
    same when the task runs again, different for each time it was enqueued."""
    return f"task:{context.task_result.id}"


CLAIM_KEEP_DAYS = 30  # far longer than any task waits for its retry


def mail_claims_forget(*, now: datetime.datetime | None = None) -> int:
    """Delete claims older than CLAIM_KEEP_DAYS (they hold a task id and an outcome, no
    personal data); answers how many."""
    from .models import MailClaim

    cutoff = (now or timezone.now()) - datetime.timedelta(days=CLAIM_KEEP_DAYS)
    deleted, _ = MailClaim.objects.filter(claimed_at__lt=cutoff).delete()
    return deleted
