"""`make run`'s demo-data and admin steps: real content, safe to run twice."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings
from wagtail.images.models import Image
from wagtail.models import Page, Site

from harbour.content.models import ArticlePage, Author, HomePage
from harbour.events.models import Registration
from harbour.letters.models import Delivery, Letter
from harbour.people.models import Person
from harbour.representatives.models import ElectoralDistrict
from harbour.signons.models import Signature

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "pages": sorted(Page.objects.values_list("url_path", flat=True)),
        "authors": Author.objects.count(),
        "images": Image.objects.count(),
        "principles": HomePage.objects.get(locale__language_code="en").principles.count(),
        "campaigns": HomePage.objects.get(locale__language_code="en").campaigns.count(),
        "sites": Site.objects.count(),
        "authorship": list(ArticlePage.objects.values_list("slug", "authors__slug")),
        "signatures": Signature.objects.count(),
        "people": Person.objects.count(),
        "letters": Letter.objects.count(),
        "deliveries": Delivery.objects.count(),
        "districts": ElectoralDistrict.objects.count(),
        "registrations": Registration.objects.count(),
    }


def test_demo_data_is_idempotent_and_shows_the_seed_content(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_demo")
    first = _snapshot()
    call_command("load_demo")
    assert _snapshot() == first

    client = Client()
    home = client.get("/").content.decode()
    assert "Alliance Canada Hong Kong" in home
    assert "Community first" in home
    assert "Our work over the past few weeks" in home
    about = client.get("/about/").content.decode()
    assert "non-partisan national campaign" in about
    opinion = client.get("/news/hongkong-action-group-2020/").content.decode()
    assert "Mimi Lee" in opinion
    assert "Markham, Ontario" in opinion
    assert "About the author" in opinion
    assert "five demands" in client.get("/news/five-demands/").content.decode().lower()
    assert client.get("/news/authors/mimi-lee/").status_code == 200
    statement = client.get("/jan-6-mass-arrests/").content.decode()
    assert "Canada-Hong Kong Link" in statement
    assert "Hon. Linda Frum, Senator" in statement
    assert "28 signers" in statement
    members = client.get("/members/").content.decode()
    assert members.count('<li id="group-') == 11  # the statement's eleven organisations
    assert "Vancouver, British Columbia" in members
    group = client.get("/members/canada-hong-kong-link/").content.decode()
    assert "Statements signed" in group and 'href="/jan-6-mass-arrests/"' in group
    assert 'href="/join/"' in members
    join = client.get("/join/").content.decode()
    assert join.count("<li><strong>") == 4 and "Multi-partisan" in join  # in full
    french = client.get("/fr/members/canada-hong-kong-link/").content.decode()
    assert "alliance à Toronto" in french  # the French placeholder description
    assert "Déclarations signées" in french
    from harbour.coalition.models import GroupOrganiser

    [organiser] = GroupOrganiser.objects.select_related("user", "group")
    assert (organiser.user.email, organiser.group.title) == (
        "organiser@harbour.invalid",
        "Canada-Hong Kong Link",
    )
    library = client.get("/resources/").content.decode()
    assert "Open letter to your MP: a template" in library and "Advocacy toolkit" not in library
    for members_only in ("/resources/advocacy-toolkit/", "/fr/resources/advocacy-toolkit/"):
        assert "/_util/login/" in client.get(members_only)["Location"]  # in every language
    events = client.get("/events/").content.decode()
    upcoming, past = events.split('id="past-heading"')
    assert "Writing to your MP: an online workshop" in upcoming
    assert "Toronto community town hall" in upcoming
    for webinar in ("advocacy", "Canada&#x27;s political parties", "community engagement"):
        assert f"Skills-sharing webinar: {webinar}" in past
    assert past.count("members only") == 3 and "2020" in past
    town_hall = client.get("/events/toronto-community-town-hall/").content.decode()
    assert "Full: you can join the wait-list." in town_hall and "55 John Street" in town_hall
    assert Registration.objects.filter(state="waitlisted").count() == 3
    assert "Writing to your MP: an online workshop" in home
    assert "Upcoming events" in group and "Toronto community town hall" in group
    assert "Écrire à votre député" in client.get("/fr/events/").content.decode()
    webinar = client.get("/events/skills-sharing-webinar-advocacy/").content.decode()
    assert "available to members" in webinar and "video.example.invalid" not in webinar
    petition = client.get("/stop-foreign-interference/").content.decode()
    assert 'data-testid="signature-count">320<' in petition
    assert "Signatures by federal electoral district" in petition
    sdir = client.get("/sdir-reconvene/").content.decode()
    assert 'data-testid="letter-count">240<' in sdir

    # The demo's actions, as a newcomer meets them.
    take_action = client.get("/take-action/").content.decode()
    for title in ("Protect people in Canada", "Urge the SDIR", "end the extradition treaty"):
        assert title in take_action
    assert take_action.index("Protect people in Canada") < take_action.index("Urge the SDIR")
    assert "/extradition-treaty/" in home  # the National Security Law theme leads there
    from harbour.letters.models import LetterCampaignPage
    from harbour.letters.services import campaign_targets
    from harbour.signons.demo import CITIES_BY_POSTAL_LETTER
    from harbour.signons.models import Signature

    treaty = LetterCampaignPage.objects.get(slug="extradition-treaty")
    ministers = campaign_targets(campaign=treaty, district=None)
    titles = {role.title_en for rep in ministers for role in rep.roles.all()}
    assert len(ministers) == 4 and titles >= {
        "Minister of Foreign Affairs",
        "Minister of Public Safety",
        "Minister of Justice",
        "Minister of Immigration, Refugees and Citizenship",
    }
    # The home page, About, the statement and the petition in French and Chinese.
    for prefix, words in (("/fr", "Inscrivez-vous"), ("/zh-hant", "訂閱我們的最新消息")):
        assert words in client.get(f"{prefix}/").content.decode()
        assert client.get(f"{prefix}/about/").status_code == 200
    french = client.get("/fr/stop-foreign-interference/").content.decode()
    assert "Protéger les gens au Canada" in french
    assert 'data-testid="signature-count">320<' in french  # the same count
    chinese = client.get("/zh-hant/jan-6-mass-arrests/").content.decode()
    assert "馬格尼茨基制裁" in chinese and "Canada-Hong Kong Link" in chinese
    signers = Signature.objects.filter(page__slug="stop-foreign-interference")
    for signer in signers.select_related("person"):
        assert signer.city in CITIES_BY_POSTAL_LETTER[signer.person.postal_code[0]]
        assert signer.created_at < signer.confirmed_at
    # The newsletter: one mailing sent, with its results, and one draft, each in three
    # languages, shown to an administrator.
    from harbour.newsletter.models import Mailing, MailingList, Subscription, Suppression

    assert set(MailingList.objects.values_list("name", flat=True)) == {
        "Alliance news",
        "Action alerts",
    }
    readers = Subscription.objects.values("person").distinct()
    assert readers.count() >= 200
    assert set(Subscription.objects.values_list("language", flat=True)) == {"en", "fr", "zh-hant"}
    assert Suppression.objects.filter(reason="hard_bounce").count() == 2  # the two bounces
    sent, draft = Mailing.objects.get(state="sent"), Mailing.objects.get(state="draft")
    assert sent.versions.count() == draft.versions.count() == 3
    staff = Client()
    staff.force_login(get_user_model().objects.filter(is_superuser=True).first() or _admin())
    results = staff.get(f"/admin/newsletter/mailings/{sent.pk}/").content.decode()
    assert "<th>Bounced</th><td>2</td>" in results
    assert "It would reach" in staff.get(f"/admin/newsletter/mailings/{draft.pk}/").content.decode()


def _admin():  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_superuser("demo-admin", "a@example.org", "x")


def test_demo_keeps_an_editors_changes(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_demo")
    page = ArticlePage.objects.get(slug="five-demands")
    page.title = "Edited by an editor"
    page.save_revision().publish()
    call_command("load_demo")
    assert ArticlePage.objects.get(slug="five-demands").title == "Edited by an editor"


@override_settings(HARBOUR_ADMIN_EMAIL="Organiser@Example.org", HARBOUR_ADMIN_PASSWORD="")
def test_create_admin_prints_a_working_login_and_keeps_it(tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    call_command("create_admin")
    first = capsys.readouterr().out
    password = first.split("password:")[1].split()[0]
    assert "organiser@example.org" in first
    call_command("create_admin")
    assert password in capsys.readouterr().out
    assert User.objects.filter(username="organiser@example.org").count() == 1
    assert oct((tmp_path / "admin-credentials").stat().st_mode)[-3:] == "600"
    client = Client()
    response = client.post(
        "/admin/login/", {"username": "organiser@example.org", "password": password}
    )
    assert response.status_code == 302


@override_settings(
    HARBOUR_ADMIN_EMAIL="admin@example.org", HARBOUR_ADMIN_PASSWORD="chosen-pass-1234"
)
def test_create_admin_takes_the_password_from_the_environment(tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    call_command("create_admin")
    assert "chosen-pass-1234" in capsys.readouterr().out
    assert User.objects.get(username="admin@example.org").check_password("chosen-pass-1234")
    assert User.objects.get(username="admin@example.org").is_superuser
