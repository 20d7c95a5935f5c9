"""A logging filter that keeps personal data out of every log line.

Installed on the project's log handlers (settings.LOGGING), so it sees every record that
reaches them, from our code or a library's: e-mail addresses, IP addresses, postal codes
and confirmation-link tokens in a message, its arguments or its traceback are replaced
before anything is written."""

import logging
import re

_PATTERNS = [
    # A confirmation link's token: a path segment after /confirm/ (or after an event
    # registrant's /attend/, /withdraw/, /accept/, a subscriber's /unsubscribe/ and
    # /newsletter-preferences/).
    (
        re.compile(
            r"(/(?:confirm|attend|withdraw|accept|unsubscribe|newsletter-preferences)/)"
            r"[^/\s\"']+"
        ),
        r"\1[token]",
    ),
    (re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), "[ip]"),
    (
        re.compile(
            r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}\b|\b[0-9a-fA-F]{1,4}::[0-9a-fA-F:]*"
        ),
        "[ip]",
    ),
    (
        re.compile(r"\b[A-CEGHJ-NPR-TVXY]\d[A-CEGHJ-NPR-TV-Z] ?\d[A-CEGHJ-NPR-TV-Z]\d\b", re.I),
        "[postal code]",
    ),
]


def scrub(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True
