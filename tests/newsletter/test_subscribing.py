"""Subscribing with double opt-in from the home page or /newsletter/, the consent kept in the
words shown, the same answer for every address, preferences, one-click unsubscribe (no
CSRF token, no login) and stopping all e-mail, erasure suppressing the address; bad input."""

import re
from html import escape

import pytest
from django.core import mail
from django.test import Client

from harbour.core.branding import brand
from harbour.core.demo_translation import translation_publish
from harbour.core.roles import ADMINISTRATORS
from harbour.newsletter.models import Subscription, Suppression
from harbour.newsletter.services import address_hash, preferences_token, unsubscribe_token
from harbour.people.models import Consent, Person
from harbour.people.services import person_erase
from tests.content.factories import UserFactory

pytestmark = pytest.mark.django_db


def _post(client, newsletter, url="/newsletter/", **data):
    values = {
        "email": "mimi@example.org",
        "name": "Mimi",
        "language": "en",
        "lists": [newsletter["news"].pk],
        "consent": "on",
        **data,
    }
    return client.post(url, values)


def _link(message, pattern=r"http://\S+/confirm/\S+/"):
    return re.search(pattern, message.body).group(0).removeprefix("http://127.0.0.1:8000")


def test_a_visitor_subscribes_from_the_home_page_by_double_opt_in(client, newsletter):
    home = client.get("/").content.decode()
    assert 'action="/newsletter/#signup"' in home and "Action alerts" in home
    assert "I agree to receive the e-mails" in home
    answer = _post(client, newsletter, **{"from": "home"})
    assert answer.status_code == 302 and answer["Location"] == "/newsletter/thanks/"
    assert not Subscription.objects.exists()  # nothing before the button
    [message] = mail.outbox
    assert message.to == ["mimi@example.org"] and "Confirm" in message.subject
    link = _link(message)
    assert "Confirm my subscription" in client.get(link).content.decode()
    assert not Subscription.objects.exists()  # opening the link changes nothing
    assert client.post(link).status_code == 200
    subscription = Subscription.objects.get()
    assert (subscription.mailing_list, subscription.state) == (newsletter["news"], "active")
    consent = subscription.consent
    assert consent.granted and consent.topic == "newsletter"
    assert consent.wording.startswith("I agree to receive the e-mails of the lists I chose")
    assert f"({brand().name})" in consent.wording  # the sender's identification
    assert "home" in consent.source and "Alliance news" in consent.source
    assert len(mail.outbox) == 1  # nothing else was sent


@pytest.mark.parametrize(
    ("language", "prefix", "shown"),
    [
        ("fr", "fr", "J'accepte de recevoir les courriels des listes choisies"),
        ("zh-hant", "zh-hant", "我同意從本表格所列的寄件者收取我所選清單的電郵"),
    ],
)
def test_the_consent_is_kept_in_the_language_it_was_shown_in(
    client, newsletter, language, prefix, shown
):
    translation_publish(newsletter["page"], language, {"title": "Newsletter"})
    page = client.get(f"/{prefix}/newsletter/").content.decode()
    assert escape(shown) in page
    _post(client, newsletter, url=f"/{prefix}/newsletter/", language=language)
    confirmation = mail.outbox[-1]
    client.post(_link(confirmation))
    consent = Consent.objects.get(topic="newsletter")
    assert consent.wording.startswith(shown)
    assert (consent.language, Subscription.objects.get().language) == (language, language)


def test_a_member_groups_list_names_the_group_as_a_sender_in_the_consent(client, newsletter):
    from harbour.newsletter.models import MailingList
    from tests.coalition.factories import make_directory, make_group

    group = make_group(make_directory(newsletter["home"]), "Canada-Hong Kong Link")
    ours = MailingList.objects.create(name="Link news", slug="link", group=group, sort_order=2)
    form = client.get("/newsletter/").content.decode()
    assert f"{brand().name}, Canada-Hong Kong Link" in form  # the senders, shown
    _post(client, newsletter, lists=[newsletter["news"].pk, ours.pk])
    client.post(_link(mail.outbox[-1]))
    consents = Consent.objects.filter(topic="newsletter")
    assert consents.count() == 2  # one per list, each naming every sender of the form
    for consent in consents:
        assert consent.wording.endswith(f"({brand().name}, Canada-Hong Kong Link)")
        assert consent.language == "en"


def test_every_address_gets_the_same_answer_and_nothing_is_duplicated(client, newsletter):
    first = _post(client, newsletter)
    client.post(_link(mail.outbox[-1]))
    again = _post(Client(), newsletter)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    told = mail.outbox[-1]
    assert "already" in told.subject and "/newsletter-preferences/" in told.body
    assert Subscription.objects.count() == 1 and Person.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"lists": []}, "Choose at least one of the lists."),
        ({"consent": ""}, "Tick the box to agree to receive these e-mails."),
        ({"lists": [999999]}, "Select a valid choice."),
        ({"language": "xx"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong(client, newsletter, data, message):
    answer = _post(client, newsletter, **data)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not mail.outbox and not Person.objects.exists()


def test_the_form_kept_in_the_record_is_never_what_a_client_typed(client, newsletter):
    answer = _post(client, newsletter, **{"from": "\x00<script>"})
    assert answer.status_code == 302
    client.post(_link(mail.outbox[-1]))
    assert Consent.objects.get().source == "newsletter form (page): Alliance news"


def test_preferences_leave_a_list_join_another_and_stop_all_e_mail(client, newsletter):
    _post(client, newsletter)
    client.post(_link(mail.outbox[-1]))
    _post(Client(), newsletter)  # asks again: the e-mail brings the preferences link
    preferences = _link(mail.outbox[-1], r"http://\S+/newsletter-preferences/\S+/")
    page = client.get(preferences)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    client.post(preferences, {"lists": [newsletter["alerts"].pk], "language": "fr"})
    states = dict(Subscription.objects.values_list("mailing_list__slug", "state"))
    assert states == {"news": "withdrawn", "alerts": "active"}
    alerts = Subscription.objects.get(mailing_list=newsletter["alerts"])
    assert alerts.language == "fr"  # the mailings' language changed with the topics
    news = Subscription.objects.get(mailing_list=newsletter["news"])
    assert news.consent.withdrawn_at is not None  # kept, marked withdrawn
    empty = client.post(preferences, {})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    assert Client().get(preferences[:-4] + "xyz/").status_code == 400  # a broken link
    stopped = client.post(preferences, {"action": "stop-all"})
    assert "No more e-mail" in stopped.content.decode()
    assert not Subscription.objects.filter(state="active").exists()
    assert Suppression.objects.filter(address_hash=address_hash("MIMI@example.org")).exists()


def test_one_click_unsubscribe_needs_no_token_nor_login_and_acts_at_once(newsletter):
    client = Client()
    _post(client, newsletter, lists=[newsletter["news"].pk, newsletter["alerts"].pk])
    client.post(_link(mail.outbox[-1]))
    news = Subscription.objects.get(mailing_list=newsletter["news"])
    url = f"/unsubscribe/{unsubscribe_token(news)}/"
    mail_client = Client(enforce_csrf_checks=True)
    opened = mail_client.get(url)  # a scanner or a person opening it: a button, nothing done
    assert "Leave “Alliance news”" in opened.content.decode()
    news.refresh_from_db()
    assert news.state == "active"
    done = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and "You have left this list" in done.content.decode()
    states = dict(Subscription.objects.values_list("mailing_list__slug", "state"))
    assert states == {"news": "withdrawn", "alerts": "active"}
    assert Client().post(url[:-3] + "xx/").status_code == 400
    # The page also offers to stop every e-mail: a second, different button.
    stop = re.search(r'<form method="post" action="([^"]+)">', done.content.decode()).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', done.content.decode())
    stopped = mail_client.post(stop, {"action": "stop-all", "csrfmiddlewaretoken": token[1]})
    assert "No more e-mail" in stopped.content.decode()
    assert not Subscription.objects.filter(state="active").exists()


def test_public_writes_are_rate_limited_without_telling_who_is_subscribed(newsletter, settings):
    settings.HARBOUR_NEWSLETTER_RATE_IP = "3/h"
    client = Client()
    for n in range(3):
        assert _post(client, newsletter, email=f"n{n}@example.org").status_code == 302
    over = _post(client, newsletter, email="n3@example.org")
    assert over.status_code == 429 and int(over["Retry-After"]) > 0
    assert "Too many sign-ups from your network" in over.content.decode()
    settings.HARBOUR_NEWSLETTER_RATE_IP = "100/h"
    mail.outbox.clear()
    answers = {_post(client, newsletter, email="same@example.org").status_code for _ in range(7)}
    assert answers == {302}  # the same answer, and only 5 e-mails to one address an hour
    assert len(mail.outbox) == 5
    client.post(_link(mail.outbox[-1]))
    person = Person.objects.get(email="same@example.org")
    preferences = f"/newsletter-preferences/{preferences_token(person)}/"
    choices = {"lists": [newsletter["news"].pk], "language": "en"}
    assert {client.post(preferences, choices).status_code for _ in range(30)} == {302}
    assert client.post(preferences, choices).status_code == 429


def test_a_mailings_links_work_for_at_least_60_days_then_say_they_expired(newsletter, settings):
    import datetime

    import time_machine
    from django.core.checks import run_checks
    from django.utils import timezone

    client = Client()
    _post(client, newsletter)
    client.post(_link(mail.outbox[-1]))
    subscription = Subscription.objects.get()
    unsubscribe = f"/unsubscribe/{unsubscribe_token(subscription)}/"
    preferences = f"/newsletter-preferences/{preferences_token(subscription.person)}/"
    settings.HARBOUR_NEWSLETTER_LINK_DAYS = 60
    assert not [e for e in run_checks() if e.id == "harbour.newsletter.E001"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=59, hours=23)):
        assert "Alliance news" in Client().get(preferences).content.decode()
        assert Client().get(unsubscribe).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=61)):
        expired = Client().post(unsubscribe)
        assert expired.status_code == 400 and "The link has expired." in expired.content.decode()
        assert Client().get(preferences).status_code == 400
    subscription.refresh_from_db()
    assert subscription.state == "active"  # an expired link changed nothing
    settings.HARBOUR_NEWSLETTER_LINK_DAYS = 59
    [error] = [e for e in run_checks() if e.id == "harbour.newsletter.E001"]
    assert "at least 60 days" in error.msg


def test_erasure_leaves_every_list_and_keeps_only_a_hash_of_the_address(client, newsletter):
    _post(client, newsletter)
    client.post(_link(mail.outbox[-1]))
    person = Person.objects.get()
    person_erase(person=person, actor=UserFactory(roles=[ADMINISTRATORS]))
    assert not Subscription.objects.exists()
    suppressed = Suppression.objects.get()
    assert suppressed.reason == "erased" and "mimi" not in suppressed.address_hash
    assert suppressed.address_hash == address_hash("mimi@example.org")


def test_the_newsletter_box_of_an_action_subscribes_once_the_action_is_confirmed(newsletter):
    from tests.signons.factories import INDIVIDUAL, make_petition

    petition = make_petition(newsletter["home"])
    data = {**INDIVIDUAL, "individual-email": "box@example.org", "individual-newsletter": "on"}
    assert Client().post(petition.url, data).status_code == 302
    assert not Subscription.objects.exists()  # an unconfirmed address is on no list
    Client().post(_link(mail.outbox[-1]))
    subscription = Subscription.objects.get()
    assert subscription.mailing_list == newsletter["news"]  # the boxes' list only
    assert subscription.person.email == "box@example.org" and subscription.consent.granted
    unticked = {**INDIVIDUAL, "individual-email": "no@example.org"}
    Client().post(petition.url, unticked)
    Client().post(_link(mail.outbox[-1]))
    assert Subscription.objects.count() == 1
    assert Consent.objects.filter(person__email="no@example.org", granted=False).exists()
