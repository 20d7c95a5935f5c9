"""A confirmed letter leaves as one task: every recipient's message and the supporter's copy
over one SMTP connection, into a real SMTP server on loopback (aiosmtpd)."""

import io
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from harbour.core.branding import brand
from harbour.letters.models import Delivery, DeliveryState, Letter
from harbour.letters.sending import MAX_ATTEMPTS, delivery_send, digests_send, letter_send
from harbour.letters.services import confirmation_token
from harbour.people.services import person_erase
from harbour.representatives.models import Representative, TargetGroup
from tests.signons.test_confirmation_mail import _work
from tests.smtp_sink import Sink
from tests.smtp_sink import use_sink as _use_sink

from .test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _write_and_confirm(client, campaign, settings, *, port=None, backend=None, data=LETTER):  # noqa: F811
    """A supporter writes (the confirmation e-mail goes to the locmem outbox), then confirms,
    with the letters sent to the aiosmtpd sink on `port`, or through `backend` (a test
    e-mail backend of this module)."""
    client.post(campaign.url + "send/", data)
    if port is not None:
        _use_sink(settings, port)
    if backend is not None:
        settings.EMAIL_BACKEND = f"{__name__}.{backend.__name__}"
    _confirm(client, campaign)


SEND_LETTER = "harbour.letters.tasks.send_letter"


def _confirm_queued(client, campaign, settings) -> None:  # noqa: F811
    """Confirm with the database task backend, then let a worker run the letter's task."""
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _confirm(client, campaign)
        _work()


def _letter_task() -> DBTaskResult:
    return DBTaskResult.objects.get(task_path=SEND_LETTER)


def _retry_due(settings) -> None:
    """Time passes until the letter task's retry is due, and a worker runs it."""
    DBTaskResult.objects.filter(task_path=SEND_LETTER, status="READY").update(
        run_after=timezone.now()
    )
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _work()


@pytest.fixture
def three_recipients(campaign):  # noqa: F811
    ministers = TargetGroup.objects.create(name="All ministers", kind="ministers")
    campaign.target_groups.add(ministers)
    campaign.fixed_targets.add(Representative.objects.get(last_name="Anand"))
    campaign.save_revision().publish()
    return campaign


def test_a_letter_to_three_offices_and_its_copy_go_over_one_connection(
    client, three_recipients, sink, settings
):
    handler, port = sink
    _write_and_confirm(client, three_recipients, settings, port=port)

    offices = sorted(r for _, rcpts, _ in handler.received for r in rcpts if "parl.gc.ca" in r)
    assert len(offices) == 3 and len(set(offices)) == 3
    assert len(handler.to("mimi@example.org")) == 1  # the copy
    assert len(handler.received) == 4
    assert len(handler.sessions()) == 1  # one connection for the letter and its copy
    for delivery in Delivery.objects.select_related("representative"):
        assert delivery.state == DeliveryState.SENT
        [received] = handler.to(delivery.representative.email)
        assert received["Message-ID"] == delivery.message_id
        assert received["Reply-To"] == "mimi@example.org"
    copy = handler.to("mimi@example.org")[0]
    assert copy["Subject"] == "Copy: Please act on Hong Kong"
    for office in Representative.objects.filter(deliveries__isnull=False):
        assert str(office) in copy.get_content()


def test_letters_in_a_burst_share_the_workers_connection_and_an_idle_one_is_renewed(
    client,
    campaign,  # noqa: F811 (the fixture)
    sink,
    settings,
):
    handler, port = sink
    # Two supporters write (their confirmations land in the locmem outbox), then both
    # confirm while the worker sends to the sink: one connection for all four messages.
    for n in range(2):
        Client().post(campaign.url + "send/", {**LETTER, "email": f"writer{n}@example.org"})
    links = [
        re.search(r"http://\S+/confirm/\S+/", m.body).group(0).removeprefix("http://127.0.0.1:8000")
        for m in mail.outbox
    ]
    _use_sink(settings, port)
    for link in links:
        assert client.post(link).status_code == 200
    assert len(handler.received) == 4  # two letters and two copies
    assert len(handler.sessions()) == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    settings.HARBOUR_MAIL_REUSE_SECONDS = 0  # every message finds the connection too old
    _write_and_confirm(
        client, campaign, settings, port=port, data={**LETTER, "email": "writer3@example.org"}
    )
    assert len(handler.received) == 6
    assert len(handler.sessions()) == 3  # the letter and its copy each on a new one


def test_one_office_refusing_for_now_does_not_hold_up_the_others(
    client, three_recipients, sink, settings
):
    handler, port = sink
    anand = Representative.objects.get(last_name="Anand")
    handler.refuse.add(anand.email)
    _write_and_confirm(client, three_recipients, settings, port=port)

    refused = Delivery.objects.get(representative=anand)
    assert (refused.state, refused.attempts, refused.error) == (
        DeliveryState.QUEUED,
        1,
        "SMTPRecipientsRefused",
    )
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 2
    assert len(handler.to("mimi@example.org")) == 1  # the copy still went
    handler.refuse.clear()
    assert delivery_send(delivery_id=refused.pk) == "sent"  # as a released letter's task
    assert len(handler.to(anand.email)) == 1
    assert delivery_send(delivery_id=refused.pk) == "sent"  # and never twice
    assert len(handler.to(anand.email)) == 1


def test_confirming_queues_one_task_per_letter(client, three_recipients, settings):
    settings.TASKS = settings.DATABASE_TASKS
    client.post(three_recipients.url + "send/", LETTER)
    DBTaskResult.objects.all().delete()  # the confirmation e-mail's task
    mail.outbox.clear()
    token = confirmation_token(Letter.objects.get())
    assert client.post(f"{three_recipients.url}confirm/{token}/").status_code == 200

    tasks = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    letter_id = Letter.objects.get().pk
    assert tasks == [("harbour.letters.tasks.send_letter", {"args": [letter_id], "kwargs": {}})]
    assert Delivery.objects.filter(state=DeliveryState.QUEUED).count() == 3
    assert mail.outbox == []  # nothing leaves until a worker runs the task


def test_opening_the_link_shows_the_letter_and_sends_nothing_until_the_button(
    client, three_recipients
):
    client.post(three_recipients.url + "send/", LETTER)
    link = f"{three_recipients.url}confirm/{confirmation_token(Letter.objects.get())}/"
    mail.outbox.clear()

    opened = client.get(link).content.decode()
    assert "Send my letter" in opened and "Please act on Hong Kong" in opened
    for name in ("Anita Anand", "Jennifer McKelvie"):
        assert name in opened  # whom it will go to
    assert Letter.objects.get().state == "pending"
    assert Delivery.objects.count() == 0 and mail.outbox == []

    sent = client.post(link)
    assert "your letter is on its way" in sent.content.decode()
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 3
    assert "Send my letter" not in client.get(link).content.decode()


def test_letters_never_confirmed_are_deleted_with_their_supporter_after_the_link_expires(
    client,
    campaign,  # noqa: F811
):
    import datetime

    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    from harbour.people.models import Person

    client.post(campaign.url + "send/", LETTER)  # never confirmed
    client.post(campaign.url + "send/", {**LETTER, "email": "sent@example.org"})
    client.post(f"{campaign.url}confirm/{confirmation_token(Letter.objects.latest('pk'))}/")
    out = io.StringIO()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        call_command("actions_purge_expired", stdout=out)
    assert (
        "Deleted unconfirmed: 0 event registrations, 0 group applications, 0 letters, "
        "0 messages to groups, 0 newsletter sign-ups, 0 signatures." in out.getvalue()
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        call_command("actions_purge_expired", stdout=out)
    assert (
        "Deleted unconfirmed: 0 event registrations, 0 group applications, 1 letters, "
        "0 messages to groups, 0 newsletter sign-ups, 0 signatures." in out.getvalue()
    )
    assert list(Letter.objects.values_list("state", flat=True)) == ["confirmed"]
    assert list(Person.objects.values_list("email", flat=True)) == ["sent@example.org"]


def test_the_newsletter_choice_becomes_consent_only_when_the_letter_is_confirmed(
    client,
    campaign,  # noqa: F811
):
    from harbour.letters.forms import LetterForm
    from harbour.people.models import Consent

    client.post(campaign.url + "send/", {**LETTER, "newsletter": "on"})
    assert Consent.objects.count() == 0  # an address nobody has confirmed agrees to nothing
    client.post(f"{campaign.url}confirm/{confirmation_token(Letter.objects.get())}/")
    consent = Consent.objects.get()
    assert (consent.topic, consent.granted, consent.person.email) == (
        "newsletter",
        True,
        "mimi@example.org",
    )
    label = str(LetterForm.base_fields["newsletter"].label)
    assert (consent.wording, consent.language) == (f"{label} ({brand().name})", "en")


def test_someone_who_knows_the_address_cannot_replace_an_unconfirmed_letter(
    client,
    campaign,  # noqa: F811
):
    client.post(campaign.url + "send/", {**LETTER, "newsletter": "on"})
    first_link = re.search(r"/[^\s]*/confirm/\S+/", mail.outbox[0].body).group(0)
    # Someone else who knows the address writes other words in the supporter's name.
    client.post(
        campaign.url + "send/",
        {**LETTER, "body": "Dear MP, something I never wrote.", "district": "35001"},
    )
    first, second = Letter.objects.order_by("pk")
    assert "something I never wrote" not in first.body and first.newsletter
    assert "something I never wrote" in second.body

    page = client.get(first_link).content.decode()
    assert "something I never wrote" not in page
    assert "You also asked for the coalition" in page
    client.post(first_link)
    to_mp = [m for m in mail.outbox if "parl.gc.ca" in m.to[0]]
    assert len(to_mp) == 1
    assert "Please press for the subcommittee" in to_mp[0].body
    assert "never wrote" not in to_mp[0].body

    # The second letter's link cannot send a second letter in the same campaign.
    second_link = f"{campaign.url}confirm/{confirmation_token(second)}/"
    refused = client.post(second_link)
    assert refused.status_code == 400
    assert "already been sent in this campaign" in refused.content.decode()
    assert len([m for m in mail.outbox if "parl.gc.ca" in m.to[0]]) == 1


def test_a_link_whose_letter_changed_since_it_was_sent_confirms_nothing(
    client,
    campaign,  # noqa: F811
):
    client.post(campaign.url + "send/", LETTER)
    letter = Letter.objects.get()
    link = f"{campaign.url}confirm/{confirmation_token(letter)}/"
    Letter.objects.filter(pk=letter.pk).update(body="Dear MP, words nobody confirmed.")
    assert client.get(link).status_code == 400
    assert client.post(link).status_code == 400
    assert Letter.objects.get().state == "pending" and Delivery.objects.count() == 0


def test_writing_again_after_a_letter_went_tells_only_the_owner(client, campaign):  # noqa: F811
    client.post(campaign.url + "send/", LETTER)
    client.post(re.search(r"/[^\s]*/confirm/\S+/", mail.outbox[0].body).group(0))
    mail.outbox.clear()
    again = client.post(campaign.url + "send/", LETTER, follow=True)
    fresh = Client().post(
        campaign.url + "send/", {**LETTER, "email": "new@example.org"}, follow=True
    )
    assert again.redirect_chain == fresh.redirect_chain
    assert "check your e-mail" in again.content.decode()
    assert Letter.objects.count() == 2  # the first, and new@example.org's
    owner = [m for m in mail.outbox if m.to == ["mimi@example.org"]]
    assert len(owner) == 1 and "already gone" in owner[0].subject
    assert "/confirm/" not in owner[0].body


def test_a_link_posted_to_another_campaign_sends_nothing(client, campaign, home):  # noqa: F811
    import datetime

    from django.utils import timezone

    from harbour.letters.models import LetterCampaignPage

    other = LetterCampaignPage(
        title="Another campaign",
        slug="another",
        subject_template="Hello {representative}",
        body_template="Dear {representative},\n\nPlease act now on this matter.\n",
        opens_at=timezone.now() - datetime.timedelta(days=1),
    )
    home.add_child(instance=other)
    other.save_revision().publish()
    client.post(campaign.url + "send/", LETTER)
    token = confirmation_token(Letter.objects.get())

    assert client.post(f"{other.url}confirm/{token}/").status_code == 400
    assert Letter.objects.get().state == "pending" and Delivery.objects.count() == 0


def test_each_unconfirmed_letter_has_its_own_week(client, campaign):  # noqa: F811
    import datetime

    import time_machine
    from django.utils import timezone

    from harbour.people.services import expired_actions_purge

    start = timezone.now()
    client.post(campaign.url + "send/", LETTER)
    with time_machine.travel(start + datetime.timedelta(days=6)):
        client.post(campaign.url + "send/", LETTER)  # a second letter, with its own link
    with time_machine.travel(start + datetime.timedelta(days=9)):
        assert expired_actions_purge()["letters"] == 1
    with time_machine.travel(start + datetime.timedelta(days=14)):
        assert expired_actions_purge()["letters"] == 1


def test_a_connection_the_server_dropped_while_idle_is_replaced_not_failed(
    client,
    campaign,  # noqa: F811
    settings,
):
    import time

    handler = Sink()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # A server that hangs up on a connection idle for one second.
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        server_hostname="sink.invalid",
        timeout=1,  # passed on to aiosmtpd's SMTP server
    )
    controller.start()
    try:
        for n in range(2):
            _write_and_confirm(
                client, campaign, settings, port=port, data={**LETTER, "email": f"w{n}@example.org"}
            )
            settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
            if n == 0:
                time.sleep(1.6)  # the server drops the kept connection meanwhile
    finally:
        controller.stop()
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 2
    assert len(handler.received) == 4 and len(handler.sessions()) == 2


@pytest.mark.django_db(transaction=True)
def test_a_copy_refused_for_now_is_sent_once_when_the_task_runs_again(
    client,
    campaign,  # noqa: F811 (the fixture)
    sink,
    settings,
):
    handler, port = sink
    handler.refuse.add("mimi@example.org")
    client.post(campaign.url + "send/", LETTER)
    _use_sink(settings, port)
    _confirm_queued(client, campaign, settings)

    letter = Letter.objects.get()
    assert (letter.copy_sent_at, letter.copy_attempts) == (None, 1)
    assert Delivery.objects.get().state == DeliveryState.SENT  # the letter itself went
    assert handler.to("mimi@example.org") == []
    task = _letter_task()
    assert task.status == "READY" and task.run_after > timezone.now()  # back-off, not failed

    _retry_due(settings)  # still refused: put back again, for later
    letter.refresh_from_db()
    assert (letter.copy_sent_at, letter.copy_attempts) == (None, 2)
    assert _letter_task().status == "READY"

    handler.refuse.clear()
    _retry_due(settings)
    [copy] = handler.to("mimi@example.org")
    assert copy["Subject"] == "Copy: Please act on Hong Kong"
    letter.refresh_from_db()
    assert letter.copy_sent_at is not None and letter.copy_attempts == 3
    assert _letter_task().status == "SUCCESSFUL"

    _retry_due(settings)  # nothing left to run, nothing sent twice
    assert letter_send(letter_id=letter.pk) == {"copy": 0}  # run by hand: nothing goes
    assert len(handler.to("mimi@example.org")) == 1
    assert len(handler.received) == 2  # the letter to the MP and one copy


@pytest.mark.django_db(transaction=True)
def test_a_copy_refused_for_good_is_not_tried_again(client, campaign, sink, settings):  # noqa: F811
    handler, port = sink
    handler.refuse_for_good.add("mimi@example.org")
    client.post(campaign.url + "send/", LETTER)
    _use_sink(settings, port)
    _confirm_queued(client, campaign, settings)

    letter = Letter.objects.get()
    assert (letter.copy_sent_at, letter.copy_attempts) == (None, MAX_ATTEMPTS)
    assert _letter_task().status == "SUCCESSFUL"  # nothing left for a retry
    handler.refuse_for_good.clear()
    assert letter_send(letter_id=letter.pk) == {"copy": 0}
    assert handler.to("mimi@example.org") == []


class DuplicateTaskDuringSend(LocmemBackend):
    """While a message is being sent, a duplicate task runs for the same delivery (as a
    retry queued twice would): it finds the delivery `sending`."""

    def send_messages(self, messages):
        for message in messages:
            if message.extra_headers.get("Message-ID"):
                delivery = Delivery.objects.get(message_id=message.extra_headers["Message-ID"])
                assert delivery_send(delivery_id=delivery.pk) == "reconciled"
        return super().send_messages(messages)


def test_a_delivery_sent_while_a_duplicate_ran_is_not_left_marked_worker_stopped(
    client,
    campaign,  # noqa: F811 (the fixture)
    settings,
):
    _write_and_confirm(client, campaign, settings, backend=DuplicateTaskDuringSend)

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.error) == (DeliveryState.SENT, "")
    assert len([m for m in mail.outbox if m.to == [delivery.representative.email]]) == 1


class CutOffMidMessage(LocmemBackend):
    """Connected, then the server stops answering in the middle of every message."""

    connection = "connected"

    def send_messages(self, messages):
        raise TimeoutError("timed out")


def test_a_message_cut_off_mid_conversation_is_never_sent_again(
    client,
    campaign,  # noqa: F811 (the fixture)
    settings,
):
    _write_and_confirm(client, campaign, settings, backend=CutOffMidMessage)

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.error.startswith("TimeoutError: ") and "may have left" in delivery.error
    letter = Letter.objects.get()
    assert letter.copy_attempts == MAX_ATTEMPTS and letter.copy_sent_at is not None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    assert letter_send(letter_id=letter.pk) == {"copy": 0}  # the task run again: nothing
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_letters_and_copies_wait_out_a_server_that_is_down_then_go_once(
    client,
    campaign,  # noqa: F811 (the fixture)
    sink,
    settings,
):
    handler, port = sink
    client.post(campaign.url + "send/", LETTER)
    _use_sink(settings, port)
    with socket.socket() as s:  # a port nobody listens on: the connection is refused
        s.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = s.getsockname()[1]
    _confirm_queued(client, campaign, settings)

    delivery, letter = Delivery.objects.get(), Letter.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.QUEUED, 1)
    assert (letter.copy_sent_at, letter.copy_attempts) == (None, 1)
    assert _letter_task().status == "READY"

    settings.EMAIL_PORT = port  # the server is back
    _retry_due(settings)
    _retry_due(settings)
    assert _letter_task().status == "SUCCESSFUL"
    assert len(handler.to(delivery.representative.email)) == 1
    assert len(handler.to("mimi@example.org")) == 1
    assert len(handler.received) == 2


@pytest.mark.django_db(transaction=True)
def test_the_copy_of_an_erased_supporter_is_not_retried(
    client,
    campaign,  # noqa: F811 (the fixture)
    sink,
    settings,
    admin_user,
):
    handler, port = sink
    handler.refuse.add("mimi@example.org")
    client.post(campaign.url + "send/", LETTER)
    _use_sink(settings, port)
    _confirm_queued(client, campaign, settings)
    letter = Letter.objects.select_related("person").get()
    assert letter.copy_attempts == 1 and _letter_task().status == "READY"

    person_erase(person=letter.person, actor=admin_user)
    handler.refuse.clear()
    _retry_due(settings)  # the retry finds nobody to send the copy to: gives up for good
    letter.refresh_from_db()
    assert letter.copy_attempts == MAX_ATTEMPTS
    assert _letter_task().status == "SUCCESSFUL"
    assert handler.to("mimi@example.org") == []


def _digest_one_office_refuses(client, campaign, sink, settings):  # noqa: F811
    """A letter to three offices held for the daily digest; Anand's office refuses for now."""
    handler, port = sink
    campaign.daily_digest = True
    campaign.save_revision().publish()
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)  # held for the digest: nothing to offices yet
    anand = Representative.objects.get(last_name="Anand")
    handler.refuse.add(anand.email)
    _use_sink(settings, port)
    return handler, anand


def test_one_office_refusing_its_digest_keeps_its_letters_and_the_others_go(
    client, three_recipients, sink, settings
):
    handler, anand = _digest_one_office_refuses(client, three_recipients, sink, settings)

    assert digests_send() == 2  # the two other offices' digests went
    for sent in Delivery.objects.filter(state=DeliveryState.SENT).select_related("representative"):
        [digest] = handler.to(sent.representative.email)
        assert digest["Message-ID"] == sent.message_id  # the id its row recorded
    held = Delivery.objects.get(representative=anand)
    assert (held.state, held.error) == (DeliveryState.QUEUED, "SMTPRecipientsRefused")
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 2

    handler.refuse.clear()
    handler.refuse_for_good.add(anand.email)
    assert digests_send() == 0  # refused for good this time: failed, not kept forever
    held.refresh_from_db()
    assert held.state == DeliveryState.FAILED
    assert digests_send() == 0
    assert handler.to(anand.email) == []
    assert len([m for m in handler.received if "parl.gc.ca" in m[1][0]]) == 2


def test_a_digest_refused_for_now_is_tried_at_most_max_attempts_days(
    client, three_recipients, sink, settings
):
    handler, anand = _digest_one_office_refuses(client, three_recipients, sink, settings)

    digests_send()  # the other two offices' digests go
    held = Delivery.objects.get(representative=anand)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        held.refresh_from_db()
        assert (held.state, held.attempts) == (DeliveryState.QUEUED, attempt - 1)
        assert digests_send() == 0  # the next day's digest, still refused
    held.refresh_from_db()
    assert (held.state, held.attempts) == (DeliveryState.FAILED, MAX_ATTEMPTS)
    assert held.error == "SMTPRecipientsRefused"
    handler.refuse.clear()
    assert digests_send() == 0  # given up: never tried again
    assert handler.to(anand.email) == []
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 2
