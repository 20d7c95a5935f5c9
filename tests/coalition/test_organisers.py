"""Organisers: each edits their own member group's page (in every language) and its
co-organisers, and is refused everything else, each refusal tested."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from harbour.coalition.models import GroupOrganiser
from harbour.coalition.organisers import organiser_add
from harbour.core.demo_translation import translation_publish
from harbour.core.models import AuditEntry
from harbour.core.roles import ADMINISTRATORS
from tests.admin_helpers import assert_denied
from tests.content.factories import UserFactory

from .factories import make_directory, make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def coalition(home):
    directory = make_directory(home)
    toronto = make_group(directory, "Canada-Hong Kong Link", city="Toronto", province="ON")
    montreal = make_group(directory, "Action Free Hong Kong Montreal", province="QC")
    admin = UserFactory(roles=[ADMINISTRATORS])
    organiser = UserFactory(email="ada@example.org", username="ada@example.org")
    organiser_add(group=toronto, user=organiser, actor=admin)
    client = Client()
    client.force_login(organiser)
    return {
        "home": home, "directory": directory, "toronto": toronto, "montreal": montreal,
        "admin": admin, "organiser": organiser, "client": client,
    }  # fmt: skip


def _edit(client, page):
    return client.get(f"/admin/pages/{page.pk}/edit/")


def test_an_organiser_edits_their_own_groups_page_and_is_refused_everything_else(coalition):
    client = coalition["client"]
    own = _edit(client, coalition["toronto"])
    assert own.status_code == 200
    assert 'name="action-publish"' not in own.content.decode()  # moderators publish
    assert_denied(_edit(client, coalition["montreal"]))  # another group
    assert_denied(_edit(client, coalition["home"]))  # the site's pages
    assert_denied(_edit(client, coalition["directory"]))
    assert_denied(client.get(f"/admin/pages/{coalition['directory'].pk}/add_subpage/"))
    assert_denied(client.get("/admin/signons/moderation/"))  # sign-on moderation
    assert_denied(client.get("/admin/supporters/"))  # supporter records
    assert_denied(client.get("/admin/tasks/"))
    assert_denied(client.get("/admin/users/"))
    groups = client.get("/admin/coalition/groups/").content.decode()
    assert "Canada-Hong Kong Link" in groups and "Action Free Hong Kong Montreal" not in groups


def test_the_groups_page_in_another_language_is_theirs_too(coalition):
    french = translation_publish(coalition["toronto"], "fr", {"summary": "Un groupe à Toronto."})
    assert _edit(coalition["client"], french).status_code == 200
    other = translation_publish(coalition["montreal"], "fr", {"summary": "Un groupe."})
    assert_denied(_edit(coalition["client"], other))


def test_an_organiser_adds_and_removes_co_organisers_of_their_own_group_only(coalition):
    client, toronto = coalition["client"], coalition["toronto"]
    co = UserFactory(email="ben@example.org", username="ben@example.org")
    url = f"/admin/coalition/groups/{toronto.pk}/organisers/"
    assert client.post(url, {"email": "BEN@example.org"}).status_code == 302
    assert AuditEntry.objects.filter(action="organiser.add", actor=coalition["organiser"]).exists()
    co_client = Client()
    co_client.force_login(co)
    assert _edit(co_client, toronto).status_code == 200

    refused = client.post(
        f"/admin/coalition/groups/{coalition['montreal'].pk}/organisers/",
        {"email": "ben@example.org"},
    )
    assert refused.status_code == 403
    assert "your own group only" in refused.content.decode()
    assert not GroupOrganiser.objects.filter(group=coalition["montreal"]).exists()
    assert_denied(_edit(co_client, coalition["montreal"]))

    for bad in ("abc", "", "99999999"):
        nobody = client.post(url, {"action": "remove", "user": bad})
        assert nobody.status_code == 400
        assert "does not organise this group" in nobody.content.decode()
    invalid = client.post(url, {"email": "not an address"})
    assert invalid.status_code == 400
    assert "Enter a valid e-mail address." in invalid.content.decode()

    assert client.post(url, {"action": "remove", "user": co.pk}).status_code == 302
    assert AuditEntry.objects.filter(action="organiser.remove").exists()
    gone = _edit(co_client, toronto)  # organising nothing now, no admin access at all
    assert gone.status_code == 302 and gone["Location"].startswith("/admin/login/")
    assert not co.groups.filter(name="Organisers").exists()

    last = client.post(url, {"action": "remove", "user": coalition["organiser"].pk})
    assert last.status_code == 400
    assert "at least one organiser" in last.content.decode()
    assert GroupOrganiser.objects.filter(user=coalition["organiser"]).exists()


def test_administrators_manage_every_group_and_an_outsider_none(coalition):
    admin = Client()
    admin.force_login(coalition["admin"])
    page = admin.get("/admin/coalition/groups/").content.decode()
    assert "Canada-Hong Kong Link" in page and "Action Free Hong Kong Montreal" in page
    outsider = Client()
    outsider.force_login(UserFactory(roles=["Organisers"]))  # the role, but no group
    assert (
        "You organise no member group." in outsider.get("/admin/coalition/groups/").content.decode()
    )
    assert_denied(_edit(outsider, coalition["toronto"]))
    refused = outsider.post(
        f"/admin/coalition/groups/{coalition['toronto'].pk}/organisers/",
        {"email": "ada@example.org", "action": "remove"},
    )
    assert refused.status_code == 403
    assert Group.objects.filter(name="Organisers").exists()


def test_organisers_need_their_second_factor_like_all_staff(coalition, settings):
    settings.HARBOUR_REQUIRE_2FA = True
    response = coalition["client"].get("/admin/coalition/groups/")
    assert response.status_code == 302 and "two-factor" in response["Location"]
    assert "two-factor" in _edit(coalition["client"], coalition["toronto"])["Location"]
