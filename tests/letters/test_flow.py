"""A supporter writes to their MP: postal code, recipients, letter, confirmation, sending."""

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from harbour.letters.models import (
    Delivery,
    DeliveryState,
    Letter,
    LetterCampaignPage,
    MailtoClick,
)
from harbour.letters.selectors import campaign_reach
from harbour.letters.sending import delivery_send, digests_send
from harbour.representatives.models import Representative, TargetGroup
from tests.signons.test_confirmation_mail import _work

FIXTURE = Path(__file__).parents[2] / "harbour" / "representatives" / "fixtures" / "canada"

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(home):
    call_command("load_representatives", "--dir", str(FIXTURE))
    page = LetterCampaignPage(
        title="Ask the SDIR committee to reconvene",
        slug="sdir",
        subject_template="Please act on Hong Kong, {representative}",
        body_template="Dear {representative},\n\nAs your constituent in {district}, I ask you "
        "to press for the subcommittee to meet again.\n\nSincerely,\n{supporter_name}",
        opens_at=timezone.now() - datetime.timedelta(days=1),
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


LETTER = {
    "postal_code": "L1S 2A3",
    "district": "",
    "subject": "Please act on Hong Kong",
    "body": "Dear MP,\n\nPlease press for the subcommittee to meet again. <b>Thank you.</b>",
    "given_name": "Mimi",
    "family_name": "Lee",
    "email": "mimi@example.org",
    "city": "Ajax",
}


def _confirm(client, campaign):
    """Open the link from the e-mail and press "Send my letter" (a 400 page has no button)."""
    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    link = link.removeprefix("http://127.0.0.1:8000")
    opened = client.get(link)
    if opened.status_code != 200 or "Send my letter" not in opened.content.decode():
        return opened
    return client.post(link)


def test_supporter_writes_to_their_mp(client, campaign):
    assert b"Your postal code" in client.get(campaign.url).content
    found = client.post(campaign.url + "write/", {"postal_code": "l1s2a3"})
    page = found.content.decode()
    assert "Jennifer McKelvie" in page
    assert "Ajax" in page
    assert "it may be a neighbouring riding" in page
    assert "Dear Jennifer McKelvie" in page  # the template, rendered for the MP

    sent = client.post(campaign.url + "send/", LETTER, follow=True)
    assert "check your e-mail" in sent.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mimi@example.org"]
    assert Delivery.objects.count() == 0  # nothing leaves before confirmation

    confirmed = _confirm(client, campaign)
    assert "Jennifer McKelvie" in confirmed.content.decode()
    letters = [m for m in mail.outbox if m.to == ["jennifer.mckelvie@parl.gc.ca"]]
    assert len(letters) == 1
    letter = letters[0]
    assert letter.subject == "Please act on Hong Kong"
    assert letter.reply_to == ["mimi@example.org"]
    assert letter.from_email == '"Mimi Lee (via Harbour)" <no-reply@harbour.invalid>'
    assert "<b>Thank you.</b>" in letter.body  # plain text, as the supporter typed it
    assert "L1S 2A3" in letter.body  # own MP gets the constituent's postal code
    assert letter.extra_headers["Message-ID"] == Delivery.objects.get().message_id
    copy = [m for m in mail.outbox if m.subject.startswith("Copy:")]
    assert copy and copy[0].to == ["mimi@example.org"]
    assert Delivery.objects.get().state == DeliveryState.SENT

    public = client.get(campaign.url).content.decode()
    assert 'data-testid="letter-count">1<' in public
    assert "mimi" not in public.lower()


def test_not_your_riding_lets_the_supporter_pick_another(client, campaign):
    search = client.post(
        campaign.url + "write/", {"postal_code": "L1S 2A3", "district_query": "oakville"}
    )
    assert "Oakville East" in search.content.decode()
    chosen = client.post(campaign.url + "write/", {"postal_code": "L1S 2A3", "district": "35075"})
    page = chosen.content.decode()
    assert "Anita Anand" in page and "Jennifer McKelvie" not in page
    client.post(campaign.url + "send/", {**LETTER, "district": "35075"})
    _confirm(client, campaign)
    assert Delivery.objects.get().representative.last_name == "Anand"


def test_unknown_fsa_asks_the_supporter_to_search(client, campaign):
    page = client.post(campaign.url + "write/", {"postal_code": "X0A 0H0"}).content.decode()
    assert "We could not find your riding" in page


def test_fixed_targets_and_groups_are_added_once(client, campaign):
    ministers = TargetGroup.objects.create(name="All ministers", kind="ministers")
    campaign.target_groups.add(ministers)
    campaign.fixed_targets.add(Representative.objects.get(last_name="Anand"))
    campaign.save_revision().publish()
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    names = sorted(Delivery.objects.values_list("representative__last_name", flat=True))
    assert names == ["Anand", "Gull-Masty", "McKelvie"]
    to_anand = [m for m in mail.outbox if m.to == ["anita.anand@parl.gc.ca"]][0]
    assert "L1S 2A3" not in to_anand.body  # not her constituent


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "12345", "Enter a Canadian postal code such as K1A 0A6."),
        ("email", "nope", "Enter a valid email address."),
        ("given_name", "", "This field is required."),
        ("body", "x" * 6000, "Keep your letter under 5000 characters."),
        ("body", "Hi", "Your letter is too short."),
        ("subject", "", "This field is required."),
    ],
)
def test_bad_input_gets_a_clear_400_and_sends_nothing(client, campaign, field, value, message):
    response = client.post(campaign.url + "send/", {**LETTER, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert mail.outbox == []


def test_bad_postal_code_on_the_first_step(client, campaign):
    response = client.post(campaign.url + "write/", {"postal_code": "ZZZ"})
    assert response.status_code == 400
    assert "Enter a Canadian postal code" in response.content.decode()


def test_honeypot_and_rate_limits(campaign, settings):
    settings.HARBOUR_LETTER_RATE_EMAIL = "2/h"
    bot = Client().post(campaign.url + "send/", {**LETTER, "nickname": "x"})
    assert bot.status_code == 302 and mail.outbox == []
    answers = [Client().post(campaign.url + "send/", LETTER) for _ in range(3)]
    # Past the per-address limit the answer is the same and nothing is stored or sent.
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, campaign.url + "thanks/")}
    assert len(mail.outbox) == 2
    assert Letter.objects.count() == 2
    settings.HARBOUR_LETTER_RATE_IP = "1/h"
    flood = [Client().post(campaign.url + "send/", LETTER) for _ in range(2)]
    assert flood[1].status_code == 429
    assert 0 < int(flood[1]["Retry-After"]) <= 3600


def test_locked_letter_ignores_edits(client, campaign):
    campaign.allow_editing = False
    campaign.save_revision().publish()
    client.post(
        campaign.url + "send/", {**LETTER, "body": "Something else entirely, my own words."}
    )
    _confirm(client, campaign)
    letter = [m for m in mail.outbox if m.to == ["jennifer.mckelvie@parl.gc.ca"]][0]
    assert "press for the subcommittee to meet again" in letter.body
    assert "Dear Jennifer McKelvie" in letter.body
    assert "my own words" not in letter.body


def test_a_retried_send_after_a_crash_does_not_send_twice(client, campaign):
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    delivery = Delivery.objects.get()
    before = len(mail.outbox)
    # The worker died after the SMTP call but before recording "sent".
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENDING)
    assert delivery_send(delivery_id=delivery.pk) == "reconciled"
    assert delivery_send(delivery_id=delivery.pk) == "sent"  # already sent: nothing more
    assert len(mail.outbox) == before


def test_digest_mode_sends_one_message_per_office(campaign):
    campaign.daily_digest = True
    campaign.save_revision().publish()
    for n in range(3):
        c = Client()
        c.post(
            campaign.url + "send/",
            {**LETTER, "email": f"s{n}@example.org", "given_name": f"Writer{n}"},
        )
        _confirm(c, campaign)
    assert not [m for m in mail.outbox if "parl.gc.ca" in m.to[0]]
    assert digests_send() == 1
    digests = [m for m in mail.outbox if m.to == ["jennifer.mckelvie@parl.gc.ca"]]
    assert len(digests) == 1
    assert "3 letters" in digests[0].subject
    for n in range(3):
        assert f"Writer{n} Lee" in digests[0].body
    assert digests_send() == 0


def test_daily_cap_holds_letters_for_the_next_day(campaign):
    campaign.daily_cap_per_target = 2
    campaign.save_revision().publish()
    for n in range(3):
        c = Client()
        c.post(campaign.url + "send/", {**LETTER, "email": f"c{n}@example.org"})
        _confirm(c, campaign)
    states = sorted(Delivery.objects.values_list("state", flat=True))
    assert states == ["deferred", "sent", "sent"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    from harbour.letters.sending import deliveries_release_deferred

    assert deliveries_release_deferred(today=tomorrow) == 1


def test_reach_counts_letters_supporters_and_parties(client, campaign):
    for n in range(2):
        c = Client()
        c.post(campaign.url + "send/", {**LETTER, "email": f"r{n}@example.org"})
        _confirm(c, campaign)
    reach = campaign_reach(page=campaign)
    assert (reach.letters_sent, reach.supporters, reach.representatives) == (2, 2, 1)
    assert reach.by_party == [("Liberal", 2)]
    assert reach.by_province == [("ON", 2)]


def test_mailto_mode_counts_the_click_and_prepares_the_letter(client, campaign):
    campaign.delivery = "mailto"
    campaign.save_revision().publish()
    page = client.post(campaign.url + "write/", {"postal_code": "L1S 2A3"}).content.decode()
    assert "Open the letter in my e-mail program" in page
    response = client.post(
        campaign.url + "send/", {"mode": "mailto", "postal_code": "L1S 2A3", "district": ""}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("mailto:jennifer.mckelvie@parl.gc.ca?subject=")
    assert MailtoClick.objects.count() == 1
    assert client.post(campaign.url + "send/", LETTER).status_code == 302
    assert mail.outbox == []  # no letter is stored or sent in this mode


@pytest.mark.django_db(transaction=True)
def test_a_temporary_smtp_failure_is_retried_later_and_sent_once(client, campaign, settings):
    client.post(campaign.url + "send/", LETTER)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with override_settings(TASKS=settings.DATABASE_TASKS):
        _confirm(client, campaign)  # nothing listens on port 9: the send fails
        _work()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.QUEUED, 1)
    assert delivery.error == "ConnectionRefusedError"
    assert delivery.letter.copy_sent_at is None  # the copy did not leave either
    task = DBTaskResult.objects.get(task_path="harbour.letters.tasks.send_letter")
    assert task.status == "READY" and task.run_after > timezone.now()  # retried later
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with override_settings(TASKS=settings.DATABASE_TASKS):
        DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
        _work()
        _work()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert len([m for m in mail.outbox if m.to == ["jennifer.mckelvie@parl.gc.ca"]]) == 1


def test_mailto_with_a_bad_postal_code_is_a_400_with_the_reason(client, campaign):
    campaign.delivery = "mailto"
    campaign.save_revision().publish()
    response = client.post(campaign.url + "send/", {"mode": "mailto", "postal_code": "nope"})
    assert response.status_code == 400
    assert "Enter a Canadian postal code" in response.content.decode()
    assert MailtoClick.objects.count() == 0


def test_the_recipients_page_does_not_query_per_recipient(client, campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.post(campaign.url + "write/", {"postal_code": "L1S 2A3"})
        assert page.status_code == 200
        return len(captured.captured_queries)

    queries()  # warms the in-process FSA table and site caches
    one_recipient = queries()
    campaign.fixed_targets.add(*Representative.objects.all())  # six recipients now
    campaign.save_revision().publish()
    assert (
        b"Anita Anand" in client.post(campaign.url + "write/", {"postal_code": "L1S 2A3"}).content
    )
    six = queries()
    assert six - one_recipient <= 2  # the fixed-targets query and its roles, once


@pytest.mark.parametrize("token", ["garbage", "A" * 400, "bW9vOm5vcGU"])
def test_tampered_confirmation_links_are_a_400(client, campaign, token):
    response = client.get(f"{campaign.url}confirm/{token}/")
    assert response.status_code == 400
    assert "does not work" in response.content.decode()


def test_an_expired_confirmation_link_sends_nothing(client, campaign):
    import time_machine

    client.post(campaign.url + "send/", LETTER)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        response = _confirm(client, campaign)
    assert response.status_code == 400
    assert "The link has expired." in response.content.decode()
    assert Delivery.objects.count() == 0


def test_a_supporters_text_is_never_a_template(client, campaign):
    body = "Dear MP, {supporter_name:1000000} and {district.__class__} and {0} stay as typed."
    page = client.post(campaign.url + "send/", {**LETTER, "body": body})
    assert page.status_code == 302
    preview = _open_link(client)
    assert body in preview.content.decode()
    assert len(preview.content) < 100_000
    client.post(preview.wsgi_request.path)
    to_mp = [m for m in mail.outbox if m.to == ["jennifer.mckelvie@parl.gc.ca"]][0]
    assert to_mp.body.startswith(body)


def test_a_campaign_template_fills_only_its_own_placeholders():
    from harbour.letters.rendering import letter_render

    text = letter_render(
        "Dear {representative} of {district}, {supporter_name:>9} {representative.__class__} "
        "{unknown} {supporter_city}",
        rep=None,
        district=None,
        supporter_name="Mimi",
        supporter_city="Ajax",
    )
    assert text == "Dear  of , {supporter_name:>9} {representative.__class__} {unknown} Ajax"


def _open_link(client):
    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    return client.get(link.removeprefix("http://127.0.0.1:8000"))
