"""An administrator imports a subscriber list kept elsewhere (a spreadsheet, Mailchimp): the
preview changes nothing and names refused rows by number, never by address; the import
subscribes only rows with a consent source and date (CASL), merges existing supporters and
repeated addresses, never subscribes a suppressed address or reactivates a withdrawn
subscription, keeps where and when the consent was given, and changes nothing the second
time."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from harbour.core.models import AuditEntry
from harbour.newsletter.importing import import_apply, import_file_read, import_plan
from harbour.newsletter.models import MailingList, Subscription, SuppressionReason
from harbour.newsletter.services import suppress
from harbour.people.models import Consent, Person

pytestmark = pytest.mark.django_db

IN_A_MONTH = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()

# Row 1 is the header; row 6 is blank (the spreadsheet's numbers still count it).
SPREADSHEET = f"""Email,First Name,Last Name,Province,Language,Consent Source,Consent Date
new@example.org,Mimi,,Ontario,French,Free Jimmy petition,2023-05-01
kai@example.org,Kaiser,Wong,QC,en,Spring rally sign-up sheet,2022-11-20 18:30:00
nodate@example.org,No,Date,,,Spring rally sign-up sheet,
nosource@example.org,No,Source,,,,2022-11-20

not-an-address,Bad,Address,,,Free Jimmy petition,2023-05-01
NEW@Example.org,,Chan,,,Free Jimmy petition,2023-05-02
gone@example.org,Gone,,,,Free Jimmy petition,2023-05-01
left@example.org,Left,,,,Free Jimmy petition,2023-05-01
later@example.org,Later,,,,Free Jimmy petition,{IN_A_MONTH}
old@example.org,Old,,,,Free Jimmy petition,2021-01-01
"""


@pytest.fixture
def lists():
    news = MailingList.objects.create(name="Alliance news", slug="news", default=True)
    alerts = MailingList.objects.create(name="Action alerts", slug="alerts", sort_order=1)
    return {"news": news, "alerts": alerts}


@pytest.fixture
def supporters(lists):
    """On file before the import: a supporter on another list, one who left the news, one
    already on it, and an address that asked for no more e-mail."""
    kai = Person.objects.create(email="kai@example.org", given_name="Kai")
    Subscription.objects.create(person=kai, mailing_list=lists["alerts"], language="en")
    left = Person.objects.create(email="left@example.org")
    Subscription.objects.create(person=left, mailing_list=lists["news"], state="withdrawn")
    old = Person.objects.create(email="old@example.org", language="zh-hant")
    Subscription.objects.create(person=old, mailing_list=lists["news"], language="zh-hant")
    suppress("gone@example.org", SuppressionReason.ERASED)
    return {"kai": kai, "left": left, "old": old}


def _csv(tmp_path, text, name="supporters.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _import(path, *args):
    out = io.StringIO()
    call_command("newsletter_import", str(path), "--list", "news", *args, stdout=out)
    return out.getvalue()


def _snapshot():
    return (
        sorted(Person.objects.values_list("email", "given_name", "family_name", "province")),
        sorted(Subscription.objects.values_list("person__email", "mailing_list__slug", "state")),
        sorted(Consent.objects.values_list("person__email", "wording")),
    )


def test_the_preview_counts_each_outcome_names_rows_by_number_and_changes_nothing(
    tmp_path, supporters
):
    before = _snapshot()
    output = _import(_csv(tmp_path, SPREADSHEET))
    assert _snapshot() == before and not AuditEntry.objects.exists()
    for line in [
        "new subscribers: 1",
        "existing supporters subscribed: 1",
        "already subscribed (unchanged): 1",
        "repeated addresses (merged into their first row): 1",
        "refused: 6",
        "row 4: no consent date",
        "row 5: no consent source",
        "row 7: not a valid e-mail address",
        "row 8: same address as row 2",
        "row 9: the address asked for no more e-mail",
        "row 10: unsubscribed from this list earlier",
        "row 11: consent date in the future",
        "Nothing changed",
    ]:
        assert line in output
    assert "row 12" not in output and "row 3:" not in output
    assert "@" not in output and "not-an-address" not in output  # never an address


def test_the_import_subscribes_with_the_consent_s_source_and_date_and_merges(
    tmp_path, supporters, lists
):
    output = _import(_csv(tmp_path, SPREADSHEET), "--apply", "--by", "Ada (administrator)")
    assert "@" not in output
    assert "Imported into" in output and "new subscribers: 1" in output

    new = Person.objects.get(email="new@example.org")  # row 8's family name fills a blank
    assert (new.given_name, new.family_name, new.province, new.language) == (
        "Mimi",
        "Chan",
        "ON",
        "fr",
    )
    subscription = Subscription.objects.get(person=new)
    assert (subscription.mailing_list, subscription.state) == (lists["news"], "active")
    assert subscription.language == "fr"
    consent = subscription.consent
    assert consent.granted and consent.topic == "newsletter"
    assert consent.wording == "Imported: consent given at Free Jimmy petition on 2023-05-01."
    assert consent.source == "Import by Ada (administrator): Alliance news"

    kai = Person.objects.get(email="kai@example.org")  # merged, not a second record
    assert kai.pk == supporters["kai"].pk
    assert (kai.given_name, kai.family_name, kai.province) == ("Kai", "Wong", "QC")
    assert sorted(kai.subscriptions.values_list("mailing_list__slug", flat=True)) == [
        "alerts",
        "news",
    ]
    assert "Spring rally sign-up sheet on 2022-11-20 18:30:00" in (
        kai.subscriptions.get(mailing_list=lists["news"]).consent.wording
    )

    # Refused rows: nobody created, nothing subscribed, nothing reactivated.
    assert set(Person.objects.values_list("email", flat=True)) == {
        "new@example.org",
        "kai@example.org",
        "left@example.org",
        "old@example.org",
    }
    assert supporters["left"].subscriptions.get().state == "withdrawn"
    old = supporters["old"].subscriptions.get()
    assert old.consent is None and old.language == "zh-hant"  # already on it: untouched
    assert Consent.objects.count() == 2

    entry = AuditEntry.objects.get(action="newsletter.import")
    assert entry.actor_label == "Ada (administrator)"
    assert entry.details == {
        "new": 1,
        "merged": 1,
        "unchanged": 1,
        "duplicate": 1,
        "refused": 6,
    }


def test_importing_the_same_file_again_changes_nothing(tmp_path, supporters, monkeypatch):
    monkeypatch.setattr("harbour.newsletter.importing.CHUNK_SIZE", 4)  # three chunks
    path = _csv(tmp_path, SPREADSHEET)
    _import(path, "--apply")
    after_first = _snapshot()
    output = _import(path, "--apply")
    assert _snapshot() == after_first
    assert "new subscribers: 0" in output and "existing supporters subscribed: 0" in output
    assert "already subscribed (unchanged): 3" in output and "refused: 6" in output


def test_a_plan_is_checked_again_when_applied(lists):
    """Between the preview and the import, one address is suppressed, one owner subscribes
    and another subscribes and leaves: none is overridden; the same plan applied twice
    changes nothing the second time."""
    rows = [
        {"email": f"p{i}@example.org", "source": "Rally", "opt-in date": "2024-02-03"}
        for i in range(4)
    ]
    plan = import_plan(rows, lists["news"])
    assert plan.counts()["new"] == 4
    suppress("p0@example.org", SuppressionReason.UNSUBSCRIBED)
    for email, state in [("p1@example.org", "active"), ("p2@example.org", "withdrawn")]:
        person = Person.objects.create(email=email)
        Subscription.objects.create(person=person, mailing_list=lists["news"], state=state)
    counts = import_apply(plan, actor_label="test")
    assert counts == {"new": 1, "merged": 0, "unchanged": 1, "duplicate": 0, "refused": 2}
    assert not Person.objects.filter(email="p0@example.org").exists()
    assert Subscription.objects.get(person__email="p2@example.org").state == "withdrawn"
    assert Consent.objects.get().person.email == "p3@example.org"
    again = import_apply(plan, actor_label="test")
    assert again == {"new": 0, "merged": 0, "unchanged": 2, "duplicate": 0, "refused": 2}
    assert Subscription.objects.count() == 3 and Consent.objects.count() == 1


def test_a_mailchimp_export_is_read_with_its_own_headers(tmp_path, lists):
    export = (
        '"Email Address","First Name","Last Name","REGION","OPTIN_TIME","CONFIRM_TIME",'
        '"Opt-in source","LEID"\r\n'
        "ada@example.org,Ada,Lam,Québec,,2020-02-03 04:05:06,Mailchimp sign-up form,123\r\n"
        "Bo@Example.org,Bo,,ON,2019-07-08 09:10:11,2019-07-08 09:12:00,Mailchimp sign-up "
        "form,124\r\n"
    )
    path = _csv(tmp_path, export, name="members_export.csv", encoding="utf-8-sig")
    preview = _import(path)
    assert "new subscribers: 2" in preview and "refused: 0" in preview
    assert "Columns not used: LEID." in preview
    _import(path, "--apply")
    ada = Person.objects.get(email="ada@example.org")
    assert (ada.given_name, ada.family_name, ada.province) == ("Ada", "Lam", "QC")
    assert ada.subscriptions.get().language == "en"  # no language: the site's
    assert ada.consents.get().wording == (
        "Imported: consent given at Mailchimp sign-up form on 2020-02-03 04:05:06."
    )
    bo = Person.objects.get(email="bo@example.org")  # the opt-in time comes first
    assert bo.province == "ON"
    assert bo.consents.get().wording.endswith("on 2019-07-08 09:10:11.")


def test_a_workbook_with_a_status_column_imports_only_its_subscribers(tmp_path, lists):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["E-mail", "Given name", "Opt-in date", "source", "Status", "langue"])
    sheet.append(["wu@example.org", "Wu", datetime.datetime(2021, 6, 7, 8, 9), "Vigil", "", "中文"])
    sheet.append(["ex@example.org", "Ex", datetime.date(2021, 6, 7), "Vigil", "unsubscribed"])
    path = tmp_path / "contacts.xlsx"
    book.save(path)
    plan = import_plan(import_file_read(path), lists["news"])
    assert [(row.number, row.outcome) for row in plan.rows] == [(2, "new"), (3, "refused")]
    assert plan.rows[1].reason == "not subscribed in the exported list (its status: unsubscribed)"
    import_apply(plan, actor_label="test")
    wu = Person.objects.get()
    assert wu.email == "wu@example.org" and wu.subscriptions.get().language == "zh-hant"
    assert wu.consents.get().wording == "Imported: consent given at Vigil on 2021-06-07 08:09:00."


@pytest.mark.parametrize(
    ("make", "slug", "message"),
    [
        (lambda p: _csv(p, "email,source,consent_date\n"), "nope", 'short name "nope"'),
        (lambda p: p / "missing.csv", "news", "Cannot read"),
        (lambda p: _csv(p, "Name,Phone\nMimi,555\n"), "news", "No e-mail column"),
        (lambda p: _csv(p, ""), "news", "The file is empty"),
    ],
)
def test_a_wrong_list_or_file_is_a_clear_error(tmp_path, lists, make, slug, message):
    path = make(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("newsletter_import", str(path), "--list", slug, "--apply")
    assert not Person.objects.exists() and not Subscription.objects.exists()


def test_an_erased_supporter_is_not_subscribed_again_by_an_import(tmp_path, lists, monkeypatch):
    from harbour.core.roles import ADMINISTRATORS
    from harbour.people.services import person_erase
    from tests.content.factories import UserFactory
    from tests.newsletter.factories import subscriber

    subscription = subscriber("mimi@example.org", lists["news"])
    person_erase(person=subscription.person, actor=UserFactory(roles=[ADMINISTRATORS]))
    assert not Person.objects.filter(email="mimi@example.org").exists()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:  # the progress bar shows on a terminal only
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    text = "Email,Consent Source,Consent Date\nMIMI@example.org,Spring rally,2023-05-01\n"
    output = _import(_csv(tmp_path, text), "--apply")
    assert "refused: 1" in output and "new subscribers: 0" in output
    assert not Person.objects.filter(email="mimi@example.org").exists()
    assert not Subscription.objects.exists()
    assert "Importing: 100%" in terminal.getvalue() and "1/1" in terminal.getvalue()
