"""Organisers' mailings: the audience and its count with each narrowing, suppressed and
erased addresses left out, the message (inlined CSS, text part, RFC 8058 headers, the
version in the subscriber's language, latest news), one-click unsubscribe from the sent
message, a test send, schedule, pause, resume and cancel, an organiser limited to their own
group's list, click counting in total only, and bad input."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from harbour.coalition.organisers import organiser_add
from harbour.core.roles import ADMINISTRATORS, MODERATORS, ORGANISERS
from harbour.letters.models import Letter
from harbour.newsletter.models import (
    Mailing,
    MailingLink,
    MailingList,
    MailingRecipient,
    Subscription,
    Suppression,
)
from harbour.newsletter.services import address_hash, suppress
from harbour.people.services import person_erase
from harbour.representatives.models import ElectoralDistrict, PostalArea
from harbour.signons.models import Signature
from tests.coalition.factories import make_directory, make_group
from tests.content.factories import UserFactory, make_article
from tests.letters.factories import make_campaign
from tests.signons.factories import make_statement

from .factories import make_mailing, subscriber

pytestmark = pytest.mark.django_db
DUMMY = "django_tasks.backends.dummy.DummyBackend"


@pytest.fixture
def staff():
    user = UserFactory(roles=[MODERATORS], email="mod@example.org")
    client = Client()
    client.force_login(user)
    return client


def _count(client, mailing) -> int:
    page = client.get(f"/admin/newsletter/mailings/{mailing.pk}/").content.decode()
    found = re.search(r"It would reach (\d+) subscribers?", page)
    assert found, page
    return int(found.group(1))


def _set(mailing, **fields):
    Mailing.objects.filter(pk=mailing.pk).update(**fields)
    mailing.refresh_from_db()


def test_the_audience_count_narrows_and_never_includes_suppressed_addresses(
    staff, newsletter, home
):
    news = newsletter["news"]
    subscriber("on@example.org", news, province="ON", postal_code="M5V 2T6")
    subscriber("qc@example.org", news, language="fr", province="QC")
    subscriber("bc@example.org", news, language="zh-hant", province="BC")
    subscriber("other@example.org", newsletter["alerts"])  # another list
    left = subscriber("left@example.org", news)
    left.state = "withdrawn"
    left.save()
    for email, reason in [
        ("stop@example.org", "unsubscribed"),
        ("bounced@example.org", "hard_bounce"),
        ("complained@example.org", "complaint"),
    ]:
        subscriber(email, news)
        suppress(email, reason)
    erased = subscriber("erased@example.org", news).person
    person_erase(person=erased, actor=None)
    mailing = make_mailing(news)
    assert _count(staff, mailing) == 3
    _set(mailing, province="ON")
    assert _count(staff, mailing) == 1
    _set(mailing, province="", language="fr")
    assert _count(staff, mailing) == 1
    # A district: by the postal code's area, or by a letter written from it.
    district = ElectoralDistrict.objects.create(
        code="99001", name_en="Spadina", name_fr="Spadina", province="ON"
    )
    PostalArea.objects.create(fsa="M5V", district=district)
    campaign = make_campaign(home)
    Letter.objects.create(
        campaign=campaign, person=Subscription.objects.get(person__email="bc@example.org").person,
        state="confirmed", district=district, supporter_name="B", subject="s", body="b",
        newsletter=True,
    )  # fmt: skip
    _set(mailing, language="", district=f"district:{district.pk}")
    assert _count(staff, mailing) == 2  # on@ by postal code, bc@ by the letter
    # Signed statement X and ticked its newsletter box.
    statement = make_statement(home)
    for email, ticked in [("on@example.org", True), ("qc@example.org", False)]:
        Signature.objects.create(
            page=statement, person=Subscription.objects.get(person__email=email).person,
            kind="individual", name="S", state="confirmed", newsletter=ticked,
        )  # fmt: skip
    _set(mailing, district="", action=f"signed:{statement.pk}")
    assert _count(staff, mailing) == 1
    _set(mailing, action=f"wrote:{campaign.pk}")
    assert _count(staff, mailing) == 1
    edit = staff.get(f"/admin/snippets/newsletter/mailing/edit/{mailing.pk}/").content.decode()
    assert f"Signed: {statement.title}" in edit and "Spadina (ON)" in edit


def _send(client, mailing, **data):
    return client.post(f"/admin/newsletter/mailings/{mailing.pk}/", {"action": "send", **data})


def test_a_mailing_reaches_each_subscriber_once_in_their_language_with_one_click_unsubscribe(
    staff, newsletter, news
):
    make_article(news, title="Vigil in Ottawa", summary="We stood together.")
    list_ = newsletter["news"]
    subscriber("en@example.org", list_)
    subscriber("fr@example.org", list_, language="fr")
    subscriber("zh@example.org", list_, language="zh-hant")  # no Chinese version: English
    mailing = make_mailing(list_)
    mail.outbox.clear()
    assert _send(staff, mailing).status_code == 302
    mailing.refresh_from_db()
    assert mailing.state == "sent"
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["en@example.org", "fr@example.org", "zh@example.org"]
    english, french = by_address["en@example.org"], by_address["fr@example.org"]
    assert english.subject == "News of the alliance"
    assert french.subject == "Nouvelles de l'alliance"
    assert by_address["zh@example.org"].subject == "News of the alliance"
    html = english.alternatives[0][0]
    assert "<style" not in html and 'style="' in html  # CSS inlined
    assert "Vigil in Ottawa" in html and "Sign the statement" in html
    assert "Read the report (https://example.org/report)" in english.body  # the text part
    assert "Vigil in Ottawa" in english.body and "https://example.org/sign" in english.body
    assert "Se désabonner de cette liste" in french.body  # the footer in French too
    # RFC 8058, read from the message as sent.
    message = english.message()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert https.startswith("http://127.0.0.1:8000/unsubscribe/") and mailto.startswith("mailto:")
    assert https in english.body  # the same personal link in the footer
    recipient = MailingRecipient.objects.get(person__email="en@example.org")
    assert message["Message-ID"] == f"<{recipient.message_id}>"
    assert recipient.state == "sent" and recipient.sent_at is not None
    mail_client = Client(enforce_csrf_checks=True)  # a mail program: no token, no login
    answer = mail_client.post(
        https.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200
    left = Subscription.objects.get(person__email="en@example.org")
    assert left.state == "withdrawn" and left.consent.withdrawn_at is not None
    # The next mailing does not reach them.
    mail.outbox.clear()
    _send(staff, make_mailing(list_, title="December"))
    assert sorted(m.to[0] for m in mail.outbox) == ["fr@example.org", "zh@example.org"]
    results = staff.get(f"/admin/newsletter/mailings/{mailing.pk}/").content.decode()
    assert re.search(r"<th>Sent</th><td>3</td>", results)


def test_a_test_send_goes_to_the_organiser_only_and_changes_nothing(staff, newsletter):
    from wagtail.models import Site

    from harbour.core.branding import brand_forget
    from harbour.core.models import Branding

    subscriber("someone@example.org", newsletter["news"])
    mailing = make_mailing(newsletter["news"])
    url = f"/admin/newsletter/mailings/{mailing.pk}/"
    assert 'id="no-postal-address"' in staff.get(url).content.decode()  # CASL asks for it
    branding = Branding.for_site(Site.objects.get(is_default_site=True))
    branding.postal_address = "PO Box 1997, Toronto ON"
    branding.save()
    brand_forget()
    assert 'id="no-postal-address"' not in staff.get(url).content.decode()
    mail.outbox.clear()
    answer = staff.post(
        f"/admin/newsletter/mailings/{mailing.pk}/", {"action": "test", "language": "fr"}
    )
    assert answer.status_code == 302
    [test] = mail.outbox
    assert test.to == ["mod@example.org"] and test.subject == "[TEST] Nouvelles de l'alliance"
    assert "PO Box 1997, Toronto ON" in test.body
    mailing.refresh_from_db()
    assert mailing.state == "draft" and not mailing.recipients.exists()
    preview = staff.get(f"/admin/newsletter/mailings/{mailing.pk}/preview/en/")
    assert preview.status_code == 200 and b"Sign the statement" in preview.content
    assert staff.get(f"/admin/newsletter/mailings/{mailing.pk}/preview/de/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_schedule_pause_resume_and_cancel_at_a_rate_per_hour(staff, newsletter, settings):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.HARBOUR_MAILING_BATCH = 2
    settings.HARBOUR_MAILING_RATE_PER_HOUR = 4  # a batch of two every half hour
    list_ = newsletter["news"]
    for n in range(5):
        subscriber(f"s{n}@example.org", list_)
    mailing = make_mailing(list_)
    mail.outbox.clear()
    url = f"/admin/newsletter/mailings/{mailing.pk}/"

    def work(*, later: bool = False) -> None:
        if later:  # as if the time of every queued task had come
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)

    def sent() -> list[str]:
        return sorted(m.to[0] for m in mail.outbox)

    with override_settings(TASKS=settings.DATABASE_TASKS):
        at = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        assert staff.post(url, {"action": "schedule", "at": at}).status_code == 302
        mailing.refresh_from_db()
        assert mailing.state == "scheduled" and mailing.scheduled_at > timezone.now()
        assert "to be sent at" in staff.get(url).content.decode()
        work()
        assert sent() == []  # not before its time
        work(later=True)  # its time came: the recipients written, the first batch sent
        mailing.refresh_from_db()
        assert mailing.state == "sending" and mailing.recipients.count() == 5
        assert sent() == ["s0@example.org", "s1@example.org"]  # the next batch waits
        assert "<progress" in staff.get(url).content.decode()
        assert staff.post(url, {"action": "pause"}).status_code == 302
        work(later=True)
        assert len(sent()) == 2  # paused: the batches stop before sending
        assert "Resume" in staff.get(url).content.decode()
        assert staff.post(url, {"action": "resume"}).status_code == 302
        work()
        assert len(sent()) == 4  # one batch now, the next in half an hour
        work(later=True)
        assert sent() == [f"s{n}@example.org" for n in range(5)]  # each once
        mailing.refresh_from_db()
        assert mailing.state == "sent"
        # Cancel: a second mailing, started, cancelled before its batches run.
        second = make_mailing(list_, title="Second")
        mail.outbox.clear()
        staff.post(f"/admin/newsletter/mailings/{second.pk}/", {"action": "send"})
        work()  # the start and its first batch
        staff.post(f"/admin/newsletter/mailings/{second.pk}/", {"action": "cancel"})
        work(later=True)
        second.refresh_from_db()
        assert second.state == "cancelled" and len(sent()) == 2
        again = staff.post(f"/admin/newsletter/mailings/{second.pk}/", {"action": "resume"})
        assert again.status_code == 400 and b"Only a paused mailing" in again.content


def test_bad_input_on_the_mailing_page_gets_a_clear_400(staff, newsletter):
    mailing = make_mailing(newsletter["news"])
    url = f"/admin/newsletter/mailings/{mailing.pk}/"
    for data, message in [
        ({"action": "explode"}, b"Choose what to do."),
        ({"action": "schedule", "at": "not a date"}, b"Give the date and time"),
        ({"action": "schedule", "at": "2001-01-01T10:00"}, b"Choose a time in the future"),
        ({"action": "schedule", "at": "9999-12-31T23:59"}, b"Give the date and time"),
        ({"action": "test", "language": "xx"}, b"There is no version in that language."),
        ({"action": "test", "language": "en\x00"}, b"There is no version in that language."),
        ({"action": "pause"}, b"Only a mailing being sent can be paused."),
        ({"action": "unschedule"}, b"Only a scheduled mailing can be taken back."),
    ]:
        answer = staff.post(url, data)
        assert answer.status_code == 400 and message in answer.content, data
    assert staff.get(f"{url}preview/en%00/").status_code == 404
    mailing.refresh_from_db()
    assert mailing.state == "draft"
    # A narrowing no installed app gives any more (an app removed): said, and not sent.
    Mailing.objects.filter(pk=mailing.pk).update(action="gone:12")
    page = staff.get(url)
    assert page.status_code == 200 and b"no longer exists here" in page.content
    refused = staff.post(url, {"action": "send"})
    assert refused.status_code == 400 and b"no longer exists here" in refused.content
    mailing.refresh_from_db()
    assert mailing.state == "draft"


def test_a_body_stored_by_other_means_than_the_editor_is_cleaned(staff, newsletter):
    from .factories import body

    mailing = make_mailing(newsletter["news"])
    version = mailing.versions.get(language="en")
    version.body = body(
        (
            "text",
            '<h2>Our week</h2><p onclick="steal()">Hello<script>alert(1)</script>'
            '<img src="x" onerror="steal()"> <a href="javascript:steal()">here</a></p>',
        ),
    )
    version.save()
    html = staff.get(f"/admin/newsletter/mailings/{mailing.pk}/preview/en/").content.decode()
    assert "<h2" in html and "Our week" in html and "Hello" in html
    for unsafe in ("<script", "alert(1)", "onclick", "onerror", "javascript:", "steal()"):
        assert unsafe not in html, unsafe


def test_an_image_deleted_from_the_library_is_left_out_not_fatal(staff, newsletter):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    from .factories import body

    buffer = io.BytesIO()
    PILImage.new("RGB", (800, 400), (10, 92, 54)).save(buffer, format="PNG")
    picture = Image.objects.create(title="March", file=ImageFile(buffer, name="march.png"))
    subscriber("a@example.org", newsletter["news"])
    mailing = make_mailing(newsletter["news"])
    version = mailing.versions.get(language="en")
    version.body = body(
        ("image", {"image": picture.pk, "description": "The march on the Hill"}),
        ("text", "<p>We marched.</p>"),
    )
    version.save()
    preview = staff.get(f"/admin/newsletter/mailings/{mailing.pk}/preview/en/").content.decode()
    assert 'alt="The march on the Hill"' in preview and 'width="600"' in preview
    picture.delete()
    preview = staff.get(f"/admin/newsletter/mailings/{mailing.pk}/preview/en/")
    assert preview.status_code == 200 and "We marched." in preview.content.decode()
    assert "The march on the Hill" not in preview.content.decode()
    mail.outbox.clear()
    _send(staff, mailing)
    [sent] = mail.outbox
    assert "We marched." in sent.body


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_mailing_taken_back_is_a_draft_and_its_time_sends_nothing(
    staff, newsletter, settings
):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    subscriber("s@example.org", newsletter["news"])
    mailing = make_mailing(newsletter["news"])
    url = f"/admin/newsletter/mailings/{mailing.pk}/"
    with override_settings(TASKS=settings.DATABASE_TASKS):
        at = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        assert staff.post(url, {"action": "schedule", "at": at}).status_code == 302
        assert staff.post(url, {"action": "unschedule"}).status_code == 302
        mailing.refresh_from_db()
        assert (mailing.state, mailing.scheduled_at) == ("draft", None)
        assert "Send now" in staff.get(url).content.decode()
        mail.outbox.clear()
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
        mailing.refresh_from_db()
        assert mailing.state == "draft" and not mail.outbox and not mailing.recipients.exists()
        # Scheduled, then its narrowing went away before its time: back to draft, unsent.
        assert staff.post(url, {"action": "schedule", "at": at}).status_code == 302
        Mailing.objects.filter(pk=mailing.pk).update(action="gone:12")
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    mailing.refresh_from_db()
    assert mailing.state == "draft" and not mail.outbox and not mailing.recipients.exists()


def test_an_organiser_mails_their_own_groups_list_only(newsletter, home):
    directory = make_directory(home)
    toronto = make_group(directory, "Canada-Hong Kong Link", province="ON")
    montreal = make_group(directory, "Action Free Hong Kong Montreal", province="QC")
    ours = MailingList.objects.create(name="Toronto news", slug="toronto", group=toronto)
    theirs = MailingList.objects.create(name="Montreal news", slug="montreal", group=montreal)
    subscriber("t@example.org", ours)
    organiser = UserFactory(email="ada@example.org", username="ada@example.org")
    organiser_add(group=toronto, user=organiser, actor=UserFactory(roles=[ADMINISTRATORS]))
    client = Client()
    client.force_login(organiser)
    form = client.get("/admin/snippets/newsletter/mailing/add/").content.decode()
    assert "Toronto news" in form and "Montreal news" not in form and "Alliance news" not in form
    mine, other = make_mailing(ours), make_mailing(theirs, title="Theirs")
    listing = client.get("/admin/snippets/newsletter/mailing/").content.decode()
    assert "November news" in listing and "Theirs" not in listing
    assert client.get(f"/admin/newsletter/mailings/{other.pk}/").status_code == 404
    assert (
        client.post(f"/admin/newsletter/mailings/{other.pk}/", {"action": "send"}).status_code
        == 404
    )
    assert client.get(f"/admin/snippets/newsletter/mailing/edit/{other.pk}/").status_code == 404
    assert _count(client, mine) == 1
    page = client.get(f"/admin/newsletter/mailings/{mine.pk}/").content.decode()
    assert "t@example.org" not in page  # counts, never addresses
    mail.outbox.clear()
    assert (
        client.post(f"/admin/newsletter/mailings/{mine.pk}/", {"action": "send"}).status_code == 302
    )
    [sent] = mail.outbox
    assert sent.from_email.startswith('"Canada-Hong Kong Link (')  # the group, with the alliance
    assert "Canada-Hong Kong Link" in sent.body  # named among the senders


def test_clicks_are_counted_in_total_only_when_an_administrator_asks(staff, newsletter):
    list_ = newsletter["news"]
    subscriber("a@example.org", list_)
    subscriber("b@example.org", list_)
    plain = make_mailing(list_)
    mail.outbox.clear()
    _send(staff, plain)
    assert "https://example.org/report" in mail.outbox[0].alternatives[0][0]
    assert "newsletter-link" not in mail.outbox[0].alternatives[0][0]
    counted = make_mailing(list_, title="Counted", count_clicks=True)
    mail.outbox.clear()
    _send(staff, counted)
    first, second = (m.alternatives[0][0] for m in mail.outbox)
    links = re.findall(r'href="http://127.0.0.1:8000(/newsletter-link/[^"]+)"', first)
    assert links and links == re.findall(
        r'href="http://127.0.0.1:8000(/newsletter-link/[^"]+)"', second
    )  # the same address for everyone: nothing tells who clicked
    report = next(
        link for link in links if Client().get(link)["Location"] == "https://example.org/report"
    )
    Client().get(report)
    link = MailingLink.objects.get(mailing=counted, url="https://example.org/report")
    assert link.clicks == 2
    assert Client().head(report).status_code == 302  # a link checker is no click
    Client().get(report)
    followed = Client().get(report)  # a network counts a link 3 times an hour at most
    assert followed["Location"] == "https://example.org/report"
    link.refresh_from_db()
    assert link.clicks == 3
    assert Client().get("/newsletter-link/not-a-token/").status_code == 404


def test_a_moderator_cannot_turn_click_counting_on(newsletter):
    user = UserFactory(roles=[MODERATORS])
    client = Client()
    client.force_login(user)
    form = client.get("/admin/snippets/newsletter/mailing/add/").content.decode()
    assert re.search(r'name="count_clicks"[^>]*disabled', form)


def test_an_address_suppressed_after_the_mailing_started_is_skipped(staff, newsletter):
    list_ = newsletter["news"]
    subscriber("a@example.org", list_)
    subscriber("b@example.org", list_)
    mailing = make_mailing(list_)
    from harbour.newsletter.sending import mailing_batch_send, mailing_start

    with override_settings(TASKS={"default": {"BACKEND": DUMMY}}):
        _send(staff, mailing)
        mailing_start(mailing_id=mailing.pk)  # the rows written; the batch not yet run
    suppress("b@example.org", "complaint")
    mail.outbox.clear()
    rows = MailingRecipient.objects.filter(mailing=mailing).order_by("pk")
    sent = mailing_batch_send(
        mailing_id=mailing.pk, first=rows[0].pk, last=rows.last().pk, claimed_by="t"
    )
    assert sent == 1 and [m.to for m in mail.outbox] == [["a@example.org"]]
    assert MailingRecipient.objects.get(person__email="b@example.org").state == "skipped"
    assert Suppression.objects.filter(address_hash=address_hash("b@example.org")).exists()


def test_the_mailto_unsubscribe_of_the_header_leaves_the_list(staff, newsletter, tmp_path):
    import mailbox
    from email.message import EmailMessage
    from io import StringIO
    from urllib.parse import parse_qs, unquote, urlsplit

    from django.core.management import call_command

    subscriber("mimi@example.org", newsletter["news"])
    mail.outbox.clear()
    _send(staff, make_mailing(newsletter["news"]))
    header = mail.outbox[0].message()["List-Unsubscribe"]
    mailto = urlsplit(re.findall(r"<(mailto:[^>]+)>", header)[0])
    request = EmailMessage()
    request["From"] = "mimi@example.org"
    request["To"] = unquote(mailto.path)
    request["Subject"] = parse_qs(mailto.query)["subject"][0]
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    box.add(request)
    forged = EmailMessage()
    forged["Subject"] = "unsubscribe not-a-token"
    box.add(forged)
    out = StringIO()
    call_command("newsletter_bounces", "--maildir", str(tmp_path / "inbox"), stdout=out)
    assert "1 unsubscribes, 1 ignored" in out.getvalue()
    assert Subscription.objects.get(person__email="mimi@example.org").state == "withdrawn"


def test_a_lists_export_is_for_moderators_only_and_audited(staff, newsletter):
    import csv
    import io

    from harbour.core.models import AuditEntry
    from tests.admin_helpers import assert_denied

    subscriber("=cmd@example.org", newsletter["news"])
    left = subscriber("left@example.org", newsletter["news"])
    left.state = "withdrawn"
    left.save()
    url = f"/admin/newsletter/lists/{newsletter['news'].pk}/subscribers.csv"
    listing = staff.get("/admin/snippets/newsletter/mailinglist/").content.decode()
    assert url in listing
    answer = staff.get(url)
    rows = list(csv.DictReader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert [row["email"] for row in rows] == ["'=cmd@example.org"]  # formulas neutralised
    assert rows[0]["consent_wording"] == "I agree." and rows[0]["consent_source"] == "test"
    assert rows[0]["consent_language"] == "en"
    entry = AuditEntry.objects.get(action="newsletter.export")
    assert entry.details == {"count": 1} and entry.actor_label
    organiser = UserFactory(roles=[ORGANISERS])
    client = Client()
    client.force_login(organiser)
    assert_denied(client.get(url))
    assert AuditEntry.objects.filter(action="newsletter.export").count() == 1


def _form(list_id, subject="News of the alliance", **fields):
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    return nested_form_data(
        {
            "title": "Written in the admin",
            "mailing_list": str(list_id),
            "province": "",
            "district": "",
            "language": "",
            "action": "",
            "versions": inline_formset(
                [
                    {
                        "language": "en",
                        "subject": subject,
                        "preheader": "",
                        "body": streamfield([("text", rich_text("<p>Hello</p>"))]),
                    }
                ]
            ),
            **fields,
        }
    )


def test_an_organiser_writes_a_mailing_in_the_admin_and_bad_input_is_refused(newsletter, home):
    directory = make_directory(home)
    toronto = make_group(directory, "Canada-Hong Kong Link", province="ON")
    ours = MailingList.objects.create(name="Toronto news", slug="toronto", group=toronto)
    organiser = UserFactory(email="ada@example.org", username="ada@example.org")
    organiser_add(group=toronto, user=organiser, actor=UserFactory(roles=[ADMINISTRATORS]))
    client = Client()
    client.force_login(organiser)
    add = "/admin/snippets/newsletter/mailing/add/"
    refused = client.post(add, _form(newsletter["news"].pk))  # the alliance's list
    assert refused.status_code == 200 and not Mailing.objects.exists()
    assert "Select a valid choice" in refused.content.decode()
    empty = client.post(add, _form(ours.pk, subject=""))
    assert empty.status_code == 200 and not Mailing.objects.exists()
    assert "This field is required" in empty.content.decode()
    clicks = client.post(add, _form(ours.pk, count_clicks="on"))
    assert clicks.status_code == 302
    mailing = Mailing.objects.get()
    assert mailing.mailing_list == ours and not mailing.count_clicks  # administrators only
    assert mailing.versions.get().subject == "News of the alliance"
    assert (
        client.post(f"/admin/newsletter/mailings/{mailing.pk}/", {"action": "send"}).status_code
        == 302
    )
    edit = client.post(
        f"/admin/snippets/newsletter/mailing/edit/{mailing.pk}/", _form(ours.pk, subject="Changed")
    )
    assert "can no longer be changed" in edit.content.decode()
    assert mailing.versions.get().subject == "News of the alliance"


def test_over_smtp_each_message_is_whole_and_personal(staff, newsletter, sink, settings):
    """Over plain SMTP a mailing's messages are serialised once per language and each
    recipient's values put in (rendering.recipient_bytes): what arrives must read as the
    ordinary message does, with nobody's link in another's message."""
    handler, port = sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    list_ = newsletter["news"]
    for address, language in [
        ("a@example.org", "en"),
        ("b@example.org", "en"),
        ("c@example.org", "fr"),
    ]:
        subscriber(address, list_, language=language)
    _send(staff, make_mailing(list_))
    received = {rcpt[0]: message for _session, rcpt, message in handler.received}
    assert sorted(received) == ["a@example.org", "b@example.org", "c@example.org"]
    assert len(handler.sessions()) == 1  # one kept connection
    links = set()
    for address, message in received.items():
        row = MailingRecipient.objects.get(person__email=address)
        assert message["To"] == address and message["Message-ID"] == f"<{row.message_id}>"
        assert message["Date"] and "placeholder" not in message.as_string()
        https = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])[0]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert https in text and https in html and 'style="' in html
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        links.add(https)
        assert (
            Client(enforce_csrf_checks=True)
            .get(https.removeprefix("http://127.0.0.1:8000"))
            .status_code
            == 200
        )
    assert len(links) == 3  # each their own
    assert received["c@example.org"]["Subject"] == "Nouvelles de l'alliance"
    assert (
        "Se désabonner de cette liste"
        in received["c@example.org"].get_body(("plain",)).get_content()
    )
    assert MailingRecipient.objects.filter(state="sent").count() == 3
    # ... and they went the fast way, not built one by one.
    from harbour.newsletter.rendering import MailingRenderer

    row = MailingRecipient.objects.select_related("person", "subscription").first()
    renderer = MailingRenderer(row.mailing)
    data = renderer.recipient_bytes(renderer.personal(row, row.subscription))
    assert data is not None and row.person.email.encode() in data


def test_a_batch_run_again_after_a_kill_releases_its_claim_even_when_paused(staff, newsletter):
    from harbour.newsletter.mailing_states import recipient_claim
    from harbour.newsletter.sending import mailing_batch_send, mailing_start

    list_ = newsletter["news"]
    subscriber("a@example.org", list_)
    mailing = make_mailing(list_)
    with override_settings(TASKS={"default": {"BACKEND": DUMMY}}):
        _send(staff, mailing)
        mailing_start(mailing_id=mailing.pk)
    row = MailingRecipient.objects.get(mailing=mailing)
    assert recipient_claim(row_id=row.pk, claimed_by="run-1", message_id="m@x")  # then killed
    staff.post(f"/admin/newsletter/mailings/{mailing.pk}/", {"action": "pause"})
    mailing_batch_send(mailing_id=mailing.pk, first=row.pk, last=row.pk, claimed_by="run-1")
    row.refresh_from_db()
    assert row.state == "uncertain"  # not left claimed for ever
    mail.outbox.clear()
    staff.post(f"/admin/newsletter/mailings/{mailing.pk}/", {"action": "resume"})
    mailing.refresh_from_db()
    assert mailing.state == "sent" and mail.outbox == []  # never sent again


def test_over_smtp_an_address_refused_for_good_fails_and_the_rest_go(
    staff, newsletter, sink, settings
):
    handler, port = sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    handler.refuse_for_good = {"gone@example.org"}
    for address in ("a@example.org", "gone@example.org", "z@example.org"):
        subscriber(address, newsletter["news"])
    mailing = make_mailing(newsletter["news"])
    _send(staff, mailing)
    assert sorted(r[0] for _s, r, _m in handler.received) == ["a@example.org", "z@example.org"]
    states = dict(MailingRecipient.objects.values_list("person__email", "state"))
    assert states == {
        "a@example.org": "sent",
        "gone@example.org": "failed",
        "z@example.org": "sent",
    }
    mailing.refresh_from_db()
    assert mailing.state == "sent"
