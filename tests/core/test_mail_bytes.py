"""A message handed over as bytes (core.mailsend.mail_send_bytes, mailings' fast path):
what each failure means depends on how far the conversation got, as the server saw it."""

import pytest

from harbour.core.mailconnection import connection_discard
from harbour.core.mailsend import PERMANENT, TEMPORARY, UNCERTAIN, mail_send_bytes, raw_smtp

MESSAGE = (
    b"From: a@example.org\r\nTo: b@example.org\r\nSubject: Hi\r\n\r\n"
    b"first line\r\n.a line that starts with a dot\r\n.\r\nlast line\r\n"
)


@pytest.fixture
def smtp(sink, settings):
    handler, port = sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
    connection_discard()
    yield handler
    connection_discard()


def _send(to="b@example.org"):
    session = raw_smtp()
    assert session is not None  # plain SMTP: the fast path is offered
    return mail_send_bytes(session, "a@example.org", to, MESSAGE)


def test_a_message_arrives_whole_with_its_dot_lines(smtp):
    assert _send() is None
    [(_session, rcpt, message)] = smtp.received
    assert rcpt == ["b@example.org"]
    assert message.get_content().replace("\r\n", "\n") == (
        "first line\n.a line that starts with a dot\n.\nlast line\n"
    )


def test_refusals_before_the_data_say_whether_to_try_again(smtp):
    smtp.refuse = {"busy@example.org"}
    smtp.refuse_for_good = {"gone@example.org"}
    assert _send("busy@example.org")[0] == TEMPORARY
    assert _send("gone@example.org")[0] == PERMANENT
    assert _send() is None  # the next message starts on a fresh connection
    assert [rcpt for _s, rcpt, _m in smtp.received] == [["b@example.org"]]


def test_no_answer_after_the_data_may_have_left_so_it_is_uncertain(smtp):
    smtp.stall_seconds = 2  # the server takes the data and says nothing in time
    kind, error = _send()
    assert kind == UNCERTAIN and "may have left" in error


def test_without_plain_smtp_there_is_no_fast_path(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    connection_discard()
    assert raw_smtp() is None  # locmem, files, a provider's API: the ordinary way
