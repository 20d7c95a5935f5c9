"""Bounces and complaints: a provider's events through anymail (the signal, and its Postmark
webhook behind basic auth), the bounce messages of a plain SMTP server read from a Maildir
or an IMAP folder, suppression by the rules (at once for a hard bounce or a complaint, at
the threshold for soft bounces, never overwriting a reason), and the supporter's history."""

import base64
import datetime
import io
import json
import logging
import mailbox
import re

import pytest
import time_machine
from anymail.signals import AnymailTrackingEvent, tracking
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from harbour.core.roles import MODERATORS
from harbour.newsletter.bounces import bounce_record
from harbour.newsletter.models import (
    DeliveryProblem,
    Mailing,
    MailingList,
    MailingRecipient,
    MailingState,
    RecipientState,
    Subscription,
    Suppression,
)
from harbour.newsletter.services import address_hash, is_suppressed, suppress
from harbour.people.models import Person
from harbour.people.services import person_history
from tests.content.factories import UserFactory

pytestmark = pytest.mark.django_db

MIMI = "mimi@example.org"
SECRET = "harbour-webhooks:a-long-webhook-secret"


@pytest.fixture
def mailing():
    """Mimi and Bob on the news list, each sent the same mailing by SMTP (each message its
    own Message-ID, stored without its angle brackets as newsletter.sending does)."""
    news = MailingList.objects.create(name="Alliance news", slug="news", default=True)
    mailing = Mailing.objects.create(
        title="June update", mailing_list=news, state=MailingState.SENT
    )
    rows = {}
    for name, address in (("mimi", MIMI), ("bob", "bob@example.org")):
        person = Person.objects.create(email=address, given_name=name.title())
        Subscription.objects.create(person=person, mailing_list=news)
        rows[name] = MailingRecipient.objects.create(
            mailing=mailing,
            person=person,
            state=RecipientState.SENT,
            sent_at=timezone.now(),
            message_id=f"{name}.20250603@harbour.example",  # as sending stores it
        )
    return rows


def _event(event_type, recipient=MIMI, message_id="", **fields):
    """An event as anymail's webhooks make them (anymail's "Tracking sent mail status")."""
    event = AnymailTrackingEvent(
        event_type=event_type, recipient=recipient, message_id=message_id, **fields
    )
    tracking.send(sender=object, event=event, esp_name="Test")


def _reason(address=MIMI):
    return Suppression.objects.get(address_hash=address_hash(address)).reason


# --- Anymail's tracking signal ----------------------------------------------------------


def test_a_providers_bounce_suppresses_the_address_and_marks_its_message(mailing, caplog):
    caplog.set_level(logging.INFO, logger="harbour.newsletter.bounces")
    # The Message-ID with its angle brackets (stored without), the address in any case.
    _event("bounced", recipient="Mimi@Example.org", message_id="<mimi.20250603@harbour.example>")

    assert is_suppressed(MIMI) and _reason() == "hard_bounce"
    assert not is_suppressed("bob@example.org")
    mailing["mimi"].refresh_from_db()
    mailing["bob"].refresh_from_db()
    assert mailing["mimi"].state == RecipientState.BOUNCED
    assert mailing["bob"].state == RecipientState.SENT
    assert "hard" in caplog.text and address_hash(MIMI)[:12] in caplog.text
    assert "mimi" not in caplog.text.lower()  # the address is never logged


def test_a_spam_complaint_suppresses_the_address_at_once(mailing):
    _event("complained", message_id="mimi.20250603@harbour.example")

    assert _reason() == "complaint"
    mailing["mimi"].refresh_from_db()
    assert mailing["mimi"].state == RecipientState.SENT  # it arrived: not a bounce


def test_an_existing_suppression_keeps_its_reason():
    suppress(MIMI, "unsubscribed")

    _event("bounced")
    _event("complained")

    assert _reason() == "unsubscribed" and Suppression.objects.count() == 1


def test_soft_bounces_suppress_only_at_the_threshold_counting_one_a_day():
    start = datetime.datetime(2025, 6, 3, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        _event("deferred")
        _event("deferred")  # the provider retrying the same message: counted once
    problem = DeliveryProblem.objects.get(address_hash=address_hash(MIMI))
    assert problem.soft_bounces == 1 and not is_suppressed(MIMI)

    with time_machine.travel(start + datetime.timedelta(days=1), tick=False):
        # Some providers report a soft bounce as "bounced", with the server's 4xx answer.
        _event("bounced", mta_response="smtp;452 4.2.2 Mailbox full")
    problem.refresh_from_db()
    assert problem.soft_bounces == 2 and not is_suppressed(MIMI)

    with time_machine.travel(start + datetime.timedelta(days=2), tick=False):
        _event("deferred")
    problem.refresh_from_db()
    assert problem.soft_bounces == 3 and _reason() == "soft_bounces"


@override_settings(HARBOUR_NEWSLETTER_SOFT_BOUNCE_LIMIT=1)
def test_the_soft_bounce_threshold_is_a_setting():
    bounce_record(email=MIMI, kind="soft")

    assert _reason() == "soft_bounces"


def test_a_providers_unsubscribe_leaves_every_list(mailing):
    _event("unsubscribed")

    assert _reason() == "unsubscribed"
    assert list(
        Subscription.objects.filter(person__email=MIMI).values_list("state", flat=True)
    ) == ["withdrawn"]
    assert Subscription.objects.get(person__email="bob@example.org").state == "active"

    _event("unsubscribed", recipient="stranger@example.org")  # no supporter: suppressed
    assert _reason("stranger@example.org") == "unsubscribed"


def test_a_rejection_counts_only_when_it_says_the_recipient_cannot_be_reached():
    _event("rejected", reject_reason="blocked")  # the provider's own policy
    _event("rejected", reject_reason=None)
    for event_type in ("queued", "sent", "delivered", "opened", "clicked", "failed", "unknown"):
        _event(event_type)
    assert not Suppression.objects.exists() and not DeliveryProblem.objects.exists()

    _event("rejected", reject_reason="bounced")  # on the provider's list of past bounces
    assert _reason() == "hard_bounce"


def test_bounce_record_refuses_an_unknown_kind_or_a_missing_address():
    with pytest.raises(ValueError):
        bounce_record(email=MIMI, kind="bogus")
    with pytest.raises(ValueError):
        bounce_record(email="", kind="hard")
    assert not Suppression.objects.exists()


# --- The provider's webhook itself (Postmark's, through anymail) ---------------------------

POSTMARK_BOUNCE = {
    "RecordType": "Bounce",
    "MessageStream": "broadcast",
    "ID": 4323372036854775807,
    "Type": "HardBounce",
    "TypeCode": 1,
    "Name": "Hard bounce",
    "Tag": "newsletter",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Metadata": {},
    "ServerID": 23,
    "Description": "The server was unable to deliver your message (ex: unknown user, "
    "mailbox not found).",
    "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    "Email": MIMI,
    "From": "news@harbour.example",
    "BouncedAt": "2025-06-03T14:00:00Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": True,
    "Subject": "June update",
}


def _post_postmark(auth=None):
    headers = {}
    if auth is not None:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return Client().post(
        "/anymail/postmark/tracking/",
        json.dumps(POSTMARK_BOUNCE),
        content_type="application/json",
        **headers,
    )


@override_settings(ANYMAIL={"WEBHOOK_SECRET": SECRET})
def test_the_postmark_webhook_with_its_password_suppresses_the_address(mailing):
    mailing["mimi"].message_id = POSTMARK_BOUNCE["MessageID"]  # the provider's id
    mailing["mimi"].save()

    assert _post_postmark(auth=SECRET).status_code == 200

    assert _reason() == "hard_bounce"
    mailing["mimi"].refresh_from_db()
    assert mailing["mimi"].state == RecipientState.BOUNCED


@override_settings(ANYMAIL={"WEBHOOK_SECRET": SECRET})
def test_the_webhook_without_its_password_changes_nothing():
    assert 400 <= _post_postmark().status_code < 500
    assert 400 <= _post_postmark(auth="harbour-webhooks:a-guess").status_code < 500

    assert not Suppression.objects.exists()


# --- Bounce messages of a plain SMTP server ------------------------------------------------

HARD_DSN = """\
Return-Path: <>
Date: Tue, 3 Jun 2025 10:00:00 -0400
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: bounces@harbour.example
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="AB12.1748959200/mx.example.net"
Message-Id: <20250603140000.AB12@mx.example.net>

This is a MIME-encapsulated message.

--AB12.1748959200/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<mimi@example.org>: host mx.example.org[192.0.2.10] said: 550 5.1.1
    <mimi@example.org>: Recipient address rejected: User unknown

--AB12.1748959200/mx.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: AB12
X-Postfix-Sender: rfc822; bounces@harbour.example
Arrival-Date: Tue,  3 Jun 2025 09:59:58 -0400 (EDT)

Final-Recipient: rfc822; mimi@example.org
Original-Recipient: rfc822;mimi@example.org
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 5.1.1 <mimi@example.org>: Recipient address rejected:
    User unknown

--AB12.1748959200/mx.example.net
Content-Description: Undelivered Message
Content-Type: message/rfc822

Message-ID: <mimi.20250603@harbour.example>
Date: Tue, 3 Jun 2025 09:59:00 -0400
From: Alliance <news@harbour.example>
To: mimi@example.org
Subject: June update
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Mimi,

--AB12.1748959200/mx.example.net--
"""

DELAYED_DSN = """\
Date: Tue, 3 Jun 2025 14:00:00 -0400
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: bounces@harbour.example
Subject: Delayed Mail (still being retried)
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type="delivery-status"; boundary="CD34"

--CD34
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered for 4.0 hours. It will be retried until it is
5.0 days old.

--CD34
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Tue,  3 Jun 2025 09:59:58 -0400 (EDT)

Final-Recipient: rfc822; bob@example.org
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full
Will-Retry-Until: Sun,  8 Jun 2025 09:59:58 -0400 (EDT)

--CD34
Content-Type: text/rfc822-headers

Message-ID: <bob.20250603@harbour.example>
From: Alliance <news@harbour.example>
To: bob@example.org
Subject: June update

--CD34--
"""

PLAIN_MESSAGE = """\
From: Carol <carol@example.org>
To: bounces@harbour.example
Subject: Re: June update
Message-ID: <reply.1@example.org>

Out of the office until Monday. mimi@example.org failed 5.1.1, in case that helps.
"""

MALFORMED = (
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="X"\n\n'
    b"--X\nContent-Type: message/delivery-status\n\n\xff\xfe\x00garbage\n\n"
    b"Final-Recipient: x400; nonsense\nAction: failed\nStatus: five\n--X"
)


def _maildir(tmp_path, *messages):
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    for message in messages:
        box.add(message)
    return box


def _run(*args):
    out = io.StringIO()
    call_command("newsletter_bounces", *args, stdout=out)
    return out.getvalue()


def test_the_dsn_command_applies_bounce_messages_from_a_maildir(tmp_path, mailing):
    box = _maildir(tmp_path, HARD_DSN, DELAYED_DSN, PLAIN_MESSAGE, MALFORMED)

    out = _run("--maildir", str(tmp_path / "bounces"))

    assert (
        out.strip() == "Read 4 messages: 1 hard bounces, 1 soft bounces, 0 unsubscribes, 2 ignored."
    )
    assert "@" not in out  # counts only
    assert _reason() == "hard_bounce"
    mailing["mimi"].refresh_from_db()
    assert mailing["mimi"].state == RecipientState.BOUNCED  # found by its Message-ID
    assert not is_suppressed("bob@example.org")
    assert (
        DeliveryProblem.objects.get(address_hash=address_hash("bob@example.org")).soft_bounces == 1
    )
    mailing["bob"].refresh_from_db()
    assert mailing["bob"].state == RecipientState.SENT
    assert not is_suppressed("carol@example.org")
    # Each message is kept, marked seen, and not read again.
    assert len(box) == 4 and not list((tmp_path / "bounces" / "new").iterdir())
    assert all("S" in box[key].get_flags() for key in box.iterkeys())
    assert _run("--maildir", str(tmp_path / "bounces")).strip() == (
        "Read 0 messages: 0 hard bounces, 0 soft bounces, 0 unsubscribes, 0 ignored."
    )


def test_the_dsn_command_deletes_what_it_read_when_asked(tmp_path):
    box = _maildir(tmp_path, HARD_DSN, PLAIN_MESSAGE)

    out = _run("--maildir", str(tmp_path / "bounces"), "--delete")

    assert "1 hard bounces, 0 soft bounces, 0 unsubscribes, 1 ignored" in out
    assert len(box) == 0 and is_suppressed(MIMI)


def test_the_dsn_command_needs_one_mailbox(tmp_path):
    with pytest.raises(CommandError):
        _run()
    with pytest.raises(CommandError):
        _run("--maildir", str(tmp_path / "missing"))


# Bob's mailbox is gone for good; the report returns only the message's headers.
BOB_FAILED = DELAYED_DSN.replace("Action: delayed", "Action: failed").replace(
    "Status: 4.2.2", "Status: 5.2.1"
)


class FakeIMAP:
    """An IMAP server's folder of two unseen messages, as imaplib answers."""

    instances: list["FakeIMAP"] = []

    def __init__(self, host, port, ssl_context=None):
        self.host, self.port, self.ssl_context = host, port, ssl_context
        self.calls = []
        self.messages = {b"7": BOB_FAILED.encode(), b"8": PLAIN_MESSAGE.encode()}
        FakeIMAP.instances.append(self)

    def login(self, user, password):
        self.calls.append(("login", user, password))
        return "OK", [b"Logged in"]

    def select(self, folder):
        self.calls.append(("select", folder))
        return "OK", [b"2"]

    def uid(self, command, *args):
        self.calls.append((command, *args))
        if command == "SEARCH":
            return "OK", [b" ".join(self.messages)]
        if command == "FETCH":
            uid = args[0]
            return "OK", [(b"1 (UID " + uid + b" BODY[] {n}", self.messages[uid]), b")"]
        return "OK", [b""]

    def expunge(self):
        self.calls.append(("expunge",))

    def logout(self):
        self.calls.append(("logout",))


def test_the_dsn_command_reads_an_imap_folder_with_the_password_from_the_environment(
    monkeypatch, mailing
):
    import imaplib

    FakeIMAP.instances = []
    monkeypatch.setattr(imaplib, "IMAP4_SSL", FakeIMAP)
    monkeypatch.setenv("HARBOUR_BOUNCE_IMAP_PASSWORD", "imap-secret")

    out = _run(
        "--imap-host", "imap.example.net", "--imap-user", "bounces", "--imap-folder", "Bounces"
    )

    assert (
        out.strip() == "Read 2 messages: 1 hard bounces, 0 soft bounces, 0 unsubscribes, 1 ignored."
    )
    assert _reason("bob@example.org") == "hard_bounce"
    mailing["bob"].refresh_from_db()
    assert mailing["bob"].state == RecipientState.BOUNCED  # by its text/rfc822-headers
    [server] = FakeIMAP.instances
    assert (server.host, server.port) == ("imap.example.net", 993)
    assert server.ssl_context is not None
    assert ("login", "bounces", "imap-secret") in server.calls
    assert ("select", '"Bounces"') in server.calls
    assert ("FETCH", b"7", "(BODY.PEEK[])") in server.calls  # read without marking
    assert ("STORE", b"7", "+FLAGS", "(\\Seen)") in server.calls
    assert ("STORE", b"8", "+FLAGS", "(\\Seen)") in server.calls
    assert server.calls[-1] == ("logout",)

    monkeypatch.delenv("HARBOUR_BOUNCE_IMAP_PASSWORD")
    with pytest.raises(CommandError, match="HARBOUR_BOUNCE_IMAP_PASSWORD"):
        _run("--imap-host", "imap.example.net", "--imap-user", "bounces")


# --- The supporter's history ---------------------------------------------------------------


def test_the_supporters_history_shows_the_suppression_and_the_bounced_mailing(
    client, home, mailing
):
    _event("bounced", message_id="<mimi.20250603@harbour.example>")
    bob = Person.objects.get(email="bob@example.org")
    bounce_record(email=bob.email, kind="soft")
    bounce_record(email="carol@example.org", kind="soft")  # someone else's

    mimi = Person.objects.get(email=MIMI)
    descriptions = [item.description for item in person_history(person=mimi)]
    assert "No newsletter e-mail to this address: hard bounce" in descriptions
    assert "Mailing “June update” bounced" in descriptions
    assert not any("soft bounce" in text for text in descriptions)
    bob_history = [item.description for item in person_history(person=bob)]
    assert any(text.startswith("1 soft bounce (") for text in bob_history)
    assert not any("No newsletter e-mail" in text or "bounced" in text for text in bob_history)

    client.force_login(UserFactory(roles=[MODERATORS]))
    html = client.get(f"/admin/supporters/{mimi.pk}/").content.decode()
    assert "No newsletter e-mail to this address: hard bounce" in html
    assert re.search(r"Mailing “June update” bounced</td><td>Bounced</td>", html)
