"""Sending one of our e-mails: rendered from templates in the recipient's language, sent
over the worker's kept connection (core.mailconnection), and a failure classified so the
caller knows whether it may try again. Every action's e-mails go through here (sign-on and
letter confirmations, "already signed", letters to representatives and their copies)."""

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .failures import TaskFailure
from .mailconnection import connection_discard, worker_connection

PERMANENT, TEMPORARY, UNCERTAIN = "permanent", "temporary", "uncertain"
UNCERTAIN_ERROR = "{}: the connection failed mid-message; it may have left, so not again."


def mail_failure_kind(error: Exception, message: EmailMessage) -> str:
    """What a failed send means. PERMANENT: the server refused for good (5xx). TEMPORARY:
    it did not leave: a 4xx, no connection made, or the server closed the connection
    (as one does with a kept connection; if that came right after the message's last line
    the message could go twice). UNCERTAIN: anything else mid-conversation (a timeout, a
    reset, a malformed message): it may have left, so it is not sent again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        return PERMANENT if all(code >= 500 for code in codes) else TEMPORARY
    code = getattr(error, "smtp_code", 0)
    if code >= 500:
        return PERMANENT
    if code >= 400:
        return TEMPORARY
    connected = getattr(message.connection, "connection", None) is not None
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


def owner_mail_send(*, to: str, language: str, template: str, context: dict[str, Any]) -> None:
    """Send `<template>_subject.txt`, `.txt` and `.html`, rendered in `language`, to the
    owner of an address; a failure raises TaskFailure naming its kind (never the address),
    which the task records."""
    with translation.override(language or settings.LANGUAGE_CODE):
        message = EmailMultiAlternatives(
            subject=render_to_string(f"{template}_subject.txt", context).strip(),
            body=render_to_string(f"{template}.txt", context),
            to=[to],
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    failure = mail_send(message)
    if failure is not None:
        kind, error = failure
        raise TaskFailure(f"{kind}: {error}")
