"""The "Supporters" admin: who may search, read, export and erase, and what they see."""

import datetime
import json
import re
from html import unescape as html_unescape

import pytest
from django.utils import timezone

from harbour.core.models import AuditEntry
from harbour.core.roles import ADMINISTRATORS, EDITORS, MEMBER_AUTHORS, MODERATORS
from harbour.people.models import NEWSLETTER_WORDING, ConsentTopic, Person
from harbour.people.services import consent_record, person_erase
from harbour.signons.counts import count_total
from harbour.signons.models import Signature
from tests.content.factories import UserFactory

from .factories import PersonFactory, sign, visit_later

pytestmark = pytest.mark.django_db

INDEX = "/admin/supporters/"
WITH_ACCESS = [MODERATORS, ADMINISTRATORS]
WITHOUT_ACCESS = [EDITORS, MEMBER_AUTHORS]


def detail_url(person: Person) -> str:
    return f"{INDEX}{person.pk}/"


def export_url(person: Person) -> str:
    return f"{INDEX}{person.pk}/export/"


def erase_url(person: Person) -> str:
    return f"{INDEX}{person.pk}/erase/"


@pytest.fixture
def ann(home) -> Person:
    return PersonFactory(
        email="ann@example.org",
        given_name="Annabel",
        family_name="Leclerc",
        postal_code="K1A 0A6",
        city="Ottawa",
    )


@pytest.fixture
def bob(home) -> Person:
    return PersonFactory(email="bob@example.org", given_name="Robert", family_name="Chan")


def _hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]*)"', html)


# --- Searching -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", WITH_ACCESS)
@pytest.mark.parametrize("typed", ["ann@example.org", "  ANN@Example.org "])
def test_staff_find_a_supporter_by_exact_email_without_it_reaching_a_url(
    client, ann, bob, role, typed
):
    client.force_login(UserFactory(roles=[role]))

    response = client.post(INDEX, {"q": typed}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == []
    html = response.content.decode()
    assert f'href="{detail_url(ann)}"' in html
    assert "Annabel Leclerc" in html
    assert "Robert Chan" not in html
    assert not any("example.org" in href for href in _hrefs(html))


@pytest.mark.parametrize("role", WITH_ACCESS)
@pytest.mark.parametrize("typed", ["nabe", "LECL", "annabel leclerc"])
def test_staff_find_a_supporter_by_part_of_a_name(client, ann, bob, role, typed):
    client.force_login(UserFactory(roles=[role]))

    response = client.post(INDEX, {"q": typed})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{detail_url(ann)}"' in html
    assert f'href="{detail_url(bob)}"' not in html


def test_part_of_an_address_finds_nobody(client, ann):
    client.force_login(UserFactory(roles=[MODERATORS]))

    response = client.post(INDEX, {"q": "ann@example"})

    assert response.status_code == 200
    assert "Annabel Leclerc" not in response.content.decode()
    assert "No supporters found." in response.content.decode()


def test_a_name_part_under_three_letters_asks_for_more(client, ann, bob):
    client.force_login(UserFactory(roles=[MODERATORS]))

    html = client.post(INDEX, {"q": "an"}).content.decode()

    assert "Type at least three letters of a name" in html
    assert "Annabel Leclerc" not in html and "Robert Chan" not in html
    # A short word beside a long one is left out, not refused.
    assert "Annabel Leclerc" in client.post(INDEX, {"q": "a leclerc"}).content.decode()


def test_the_list_without_a_query_shows_every_supporter(client, ann, bob):
    client.force_login(UserFactory(roles=[MODERATORS]))

    response = client.get(INDEX)

    assert response.status_code == 200
    assert "Annabel Leclerc" in response.content.decode()
    assert "Robert Chan" in response.content.decode()


@pytest.mark.parametrize("query", ["a" * 5000, "x" * 4990 + "@example.org", "ann " * 1250])
def test_a_very_long_search_is_answered_not_crashed(client, ann, query):
    client.force_login(UserFactory(roles=[MODERATORS]))

    response = client.post(INDEX, {"q": query})

    assert response.status_code == 200
    assert "Find by name, or by exact e-mail address" in response.content.decode()


def test_a_search_is_shown_back_escaped(client, ann):
    client.force_login(UserFactory(roles=[MODERATORS]))

    response = client.post(INDEX, {"q": '"><script>alert(1)</script>'})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


def test_the_next_page_of_a_name_search_still_holds_only_matches(client, home):
    PersonFactory.create_batch(5, given_name="Zed", family_name="Other")
    Person.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    PersonFactory.create_batch(51, given_name="Mei", family_name="Leung")
    client.force_login(UserFactory(roles=[MODERATORS]))

    first = client.post(INDEX, {"q": "Leung"}).content.decode()
    assert first.count("Mei Leung") == 50
    assert "Zed Other" not in first
    [next_href] = re.findall(r'<a href="([^"]*)">Next</a>', first)

    second = client.get(INDEX + html_unescape(next_href)).content.decode()

    assert second.count("Mei Leung") == 1
    assert "Zed Other" not in second


# --- Reading a supporter ---------------------------------------------------------------------


@pytest.mark.parametrize("role", WITH_ACCESS)
def test_staff_read_a_supporters_details_and_history(client, petition, role):
    sign(
        petition,
        email="ann@example.org",
        given_name="Annabel",
        family_name="Leclerc",
        confirm=False,
    )
    ann = Person.objects.get(email="ann@example.org")
    consent_record(
        person=ann,
        topic=ConsentTopic.NEWSLETTER,
        granted=True,
        wording=NEWSLETTER_WORDING,
        language="en",
        source="newsletter form",
    )
    client.force_login(UserFactory(roles=[role]))

    response = client.get(detail_url(ann))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Annabel Leclerc" in html
    assert "ann@example.org" in html
    assert "K1A 0A6" in html
    assert "Signed “Save the harbour” as individual" in html
    assert "Waiting for e-mail confirmation" in html
    assert "Newsletter and campaign updates: agreed (newsletter form)" in html
    assert f'action="{export_url(ann)}"' in html
    assert f'href="{erase_url(ann)}"' in html


def test_a_supporter_with_no_history_says_so(client, ann):
    client.force_login(UserFactory(roles=[MODERATORS]))

    response = client.get(detail_url(ann))

    assert response.status_code == 200
    assert "Nothing yet." in response.content.decode()


# --- Export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", WITH_ACCESS)
def test_staff_download_a_supporters_data_as_json(client, petition, role):
    sign(
        petition,
        email="ann@example.org",
        given_name="Annabel",
        family_name="Leclerc",
        confirm=False,
    )
    ann = Person.objects.get(email="ann@example.org")
    staff = UserFactory(roles=[role])
    client.force_login(staff)

    response = client.post(export_url(ann))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="supporter-{ann.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["person"]["email"] == "ann@example.org"
    assert data["person"]["given_name"] == "Annabel"
    assert [s["page"] for s in data["signatures"]] == ["Save the harbour"]
    entry = AuditEntry.objects.get(action="person.export")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        staff,
        "people.Person",
        str(ann.pk),
    )


def test_export_only_answers_a_post(client, ann):
    client.force_login(UserFactory(roles=[MODERATORS]))

    response = client.get(export_url(ann))

    assert response.status_code == 405
    assert not AuditEntry.objects.exists()


# --- Erasure ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", WITH_ACCESS)
def test_staff_are_asked_to_confirm_before_erasing(client, ann, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.get(erase_url(ann))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Type “erase” to confirm" in html
    assert 'name="confirm"' in html
    ann.refresh_from_db()
    assert ann.erased_at is None
    assert ann.email == "ann@example.org"


@pytest.mark.parametrize("role", WITH_ACCESS)
def test_staff_erase_a_supporter(client, petition, role):
    signature = sign(
        petition,
        email="ann@example.org",
        given_name="Annabel",
        family_name="Leclerc",
        confirm=False,
    )
    ann = Person.objects.get(email="ann@example.org")
    staff = UserFactory(roles=[role])
    client.force_login(staff)

    response = client.post(erase_url(ann), {"confirm": "erase"}, follow=True)

    assert response.redirect_chain == [(INDEX, 302)]
    html = response.content.decode()
    assert "The supporter&#x27;s personal details were erased." in html
    assert "Annabel" not in html
    ann.refresh_from_db()
    assert ann.email is None
    assert (ann.given_name, ann.family_name, ann.postal_code, ann.city) == ("", "", "", "")
    assert ann.erased_at is not None
    assert not Signature.objects.filter(pk=signature.pk).exists()  # never confirmed
    entry = AuditEntry.objects.get(action="person.erase")
    assert (entry.actor, entry.target_id) == (staff, str(ann.pk))


@pytest.mark.parametrize("typed", ["", "yes", "Erase", "delete"])
def test_erasure_without_the_word_erase_changes_nothing(client, petition, typed):
    signature = sign(petition, email="ann@example.org", given_name="Annabel", confirm=False)
    ann = Person.objects.get(email="ann@example.org")
    client.force_login(UserFactory(roles=[MODERATORS]))

    response = client.post(erase_url(ann), {"confirm": typed})

    assert response.status_code == 400
    assert "Type “erase” to confirm." in response.content.decode()
    ann.refresh_from_db()
    assert (ann.email, ann.given_name, ann.erased_at) == ("ann@example.org", "Annabel", None)
    signature.refresh_from_db()
    assert (signature.person, signature.name) == (ann, "Annabel Lee")
    assert not AuditEntry.objects.exists()


def test_an_erased_supporter_is_no_longer_found_exported_or_erased_again(client, ann):
    person_erase(person=ann, actor=UserFactory())
    client.force_login(UserFactory(roles=[MODERATORS]))

    found = client.post(INDEX, {"q": "Annabel"}).content.decode()
    assert f'href="{detail_url(ann)}"' not in found
    assert client.post(export_url(ann)).status_code == 404
    assert client.get(erase_url(ann)).status_code == 404
    detail = client.get(detail_url(ann))
    assert detail.status_code == 200
    assert f"Erased supporter #{ann.pk}" in detail.content.decode()
    assert "ann@example.org" not in detail.content.decode()


# --- Who may do it ---------------------------------------------------------------------------


def _requests(person: Person) -> list[tuple[str, str, dict]]:
    return [
        ("get", INDEX, {}),
        ("post", INDEX, {"q": "ann@example.org"}),
        ("get", detail_url(person), {}),
        ("post", export_url(person), {}),
        ("get", erase_url(person), {}),
        ("post", erase_url(person), {"confirm": "erase"}),
    ]


@pytest.mark.parametrize("role", WITHOUT_ACCESS)
def test_editors_and_member_authors_are_refused_everything(client, ann, role):
    """Wagtail turns the views' 403 into a redirect to the dashboard with its "no permission"
    message (and keeps the 403 for the admin's own XHR requests)."""
    client.force_login(UserFactory(roles=[role]))

    for method, url, data in _requests(ann):
        response = getattr(client, method)(url, data)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), (method, url)
        xhr = getattr(client, method)(url, data, headers={"x-requested-with": "XMLHttpRequest"})
        assert xhr.status_code == 403, (method, url)
        assert "ann@example.org" not in xhr.content.decode()

    dashboard = client.get("/admin/").content.decode()
    assert "Sorry, you do not have permission to access this area." in dashboard
    assert "ann@example.org" not in dashboard
    ann.refresh_from_db()
    assert (ann.email, ann.erased_at) == ("ann@example.org", None)
    assert not AuditEntry.objects.exists()


def test_anonymous_visitors_are_sent_to_login(client, ann):
    for method, url, data in _requests(ann):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/admin/login/"), (method, url)

    ann.refresh_from_db()
    assert ann.erased_at is None


@pytest.mark.parametrize("role", WITH_ACCESS)
def test_the_supporters_menu_is_shown_to_those_who_may_use_it(client, home, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert f'"url": "{INDEX}"' in response.content.decode()


@pytest.mark.parametrize("role", WITHOUT_ACCESS)
def test_the_supporters_menu_is_hidden_from_others(client, home, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert INDEX not in response.content.decode()


@pytest.mark.parametrize("path", ["999999/", "999999/erase/"])
def test_an_unknown_supporter_is_not_found(client, home, path):
    client.force_login(UserFactory(roles=[MODERATORS]))

    assert client.get(INDEX + path).status_code == 404


def test_exporting_an_unknown_supporter_is_not_found(client, home):
    client.force_login(UserFactory(roles=[MODERATORS]))

    assert client.post(f"{INDEX}999999/export/").status_code == 404
    assert not AuditEntry.objects.exists()


# --- A journey -------------------------------------------------------------------------------


def test_moderator_finds_annabel_sends_her_data_and_erases_her_on_request(client, petition):
    """Annabel signs the petition, later asks what the coalition holds about her, then asks
    to be forgotten. Her signature keeps counting; her name leaves the page."""
    sign(petition, email="Annabel@Example.org", given_name="Annabel", family_name="Leclerc")
    sign(petition, email="bob@example.org", given_name="Robert", family_name="Chan")
    assert "Annabel Leclerc" in client.get(petition.url).content.decode()
    moderator = UserFactory(roles=[MODERATORS])
    client.force_login(moderator)

    found = client.post(INDEX, {"q": "annabel@example.org"}).content.decode()
    [link] = re.findall(rf'href="({INDEX}\d+/)"', found)
    detail = client.get(link).content.decode()
    assert "Signed “Save the harbour” as individual" in detail
    assert "Confirmed" in detail
    assert "Being listed publicly as a signer: agreed" in detail
    assert "Newsletter and campaign updates: agreed" in detail

    exported = json.loads(client.post(link + "export/").content)
    assert exported["person"]["email"] == "annabel@example.org"
    assert {c["topic"] for c in exported["consents"]} == {"public_listing", "newsletter"}
    assert exported["signatures"][0]["state"] == "confirmed"

    assert client.post(link + "erase/", {"confirm": "erase"}).status_code == 302

    after = client.post(INDEX, {"q": "Annabel"}).content.decode()
    assert link not in after
    assert "No supporters found." in after
    client.logout()
    public = visit_later(client, petition)
    assert "Annabel" not in public
    assert "Robert Chan" in public
    assert '<strong data-testid="signature-count">2</strong>' in public
    assert count_total(page=petition) == 2
    assert list(
        AuditEntry.objects.order_by("created_at").values_list("action", "actor", "target_id")
    ) == [
        ("person.export", moderator.pk, link.rstrip("/").rsplit("/", 1)[-1]),
        ("person.erase", moderator.pk, link.rstrip("/").rsplit("/", 1)[-1]),
    ]
