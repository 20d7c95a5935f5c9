"""The coalition's member groups: a public directory filtered by province, a page per group
listing the statements a moderator linked to it, and that link in the moderation queue."""

import pytest
from django.test import Client

from harbour.core.models import AuditEntry
from harbour.core.roles import EDITORS, MODERATORS
from harbour.signons.models import Signature, SignatureState, SignerKind
from tests.admin_helpers import assert_denied
from tests.content.factories import UserFactory
from tests.signons.factories import make_statement

from .factories import make_directory, make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(home):
    directory = make_directory(home)
    return {
        "montreal": make_group(
            directory,
            "Action Free Hong Kong Montreal",
            city="Montréal",
            province="QC",
            summary="Hongkongers in Montréal.",
        ),
        "toronto": make_group(directory, "Canada-Hong Kong Link", city="Toronto", province="ON"),
        "hamilton": make_group(
            directory, "McMaster Stands With Hong Kong", city="Hamilton", province="ON"
        ),
        "nowhere": make_group(directory, "Mustard Seeds HK Concern Group"),
        "directory": directory,
    }


def test_the_directory_lists_every_group_and_filters_by_province(client, groups):
    page = client.get("/members/").content.decode()
    names = ["Action Free Hong Kong Montreal", "Canada-Hong Kong Link"]
    names += ["McMaster Stands With Hong Kong", "Mustard Seeds HK Concern Group"]
    positions = [page.index(name) for name in names]
    assert positions == sorted(positions)  # by name
    assert "Montréal, Quebec" in page and "Hongkongers in Montréal." in page
    assert '<option value="ON">Ontario</option>' in page
    assert 'value="AB"' not in page  # only provinces that have a group are offered

    ontario = client.get("/members/?province=ON").content.decode()
    assert "Canada-Hong Kong Link" in ontario and "McMaster Stands With Hong Kong" in ontario
    assert "Action Free Hong Kong Montreal" not in ontario
    assert "Mustard Seeds" not in ontario
    assert '<option value="ON" selected>' in ontario


def test_an_unknown_province_is_a_400_that_says_so(client, groups):
    response = client.get("/members/?province=XX")
    assert response.status_code == 400
    assert "There is no province or territory with that code." in response.content.decode()


def test_an_unpublished_group_is_not_listed_and_its_page_is_gone(client, groups):
    groups["hamilton"].unpublish()
    assert "McMaster" not in client.get("/members/").content.decode()
    assert client.get("/members/mcmaster-stands-with-hong-kong/").status_code == 404


def _organisation_signature(statement, name, state=SignatureState.CONFIRMED):
    return Signature.objects.create(
        page=statement, kind=SignerKind.ORGANISATION, state=state, name=name
    )


def test_a_group_page_lists_the_statements_a_moderator_linked_to_it(client, home, groups):
    statement = make_statement(home, title="Joint statement on the mass arrests")
    other = make_statement(home, slug="other", title="A statement signed by a namesake")
    linked = _organisation_signature(statement, "Canada-Hong Kong Link")
    _organisation_signature(other, "Canada-Hong Kong Link")  # same name, never linked
    url = "/members/canada-hong-kong-link/"
    page = client.get(url).content.decode()
    assert "Toronto, Ontario" in page
    assert "Statements signed" not in page  # nothing is guessed from the name

    moderator = Client()
    moderator.force_login(UserFactory(roles=[MODERATORS]))
    form = moderator.get(f"/admin/signons/signature/{linked.pk}/group/")
    assert "Canada-Hong Kong Link" in form.content.decode()
    saved = moderator.post(
        f"/admin/signons/signature/{linked.pk}/group/", {"member_group": groups["toronto"].pk}
    )
    assert saved.status_code == 302
    entry = AuditEntry.objects.get(action="signature.member_group")
    assert entry.target_id == str(linked.pk) and entry.actor.groups.filter(name=MODERATORS)

    page = client.get(url).content.decode()
    assert "Statements signed" in page
    assert f'href="{statement.url}"' in page and "Joint statement on the mass arrests" in page
    assert "namesake" not in page
    queue = moderator.get(f"/admin/signons/moderation/?state=confirmed&page={statement.pk}")
    assert "Member group: Canada-Hong Kong Link" in queue.content.decode()


def test_a_pending_or_rejected_signature_does_not_list_its_statement(client, home, groups):
    statement = make_statement(home)
    pending = _organisation_signature(
        statement, "Canada-Hong Kong Link", state=SignatureState.PENDING
    )
    Signature.objects.filter(pk=pending.pk).update(member_group=groups["toronto"])
    assert "Statements signed" not in client.get("/members/canada-hong-kong-link/").content.decode()


def test_linking_refuses_bad_input_and_people_without_the_permission(home, groups):
    statement = make_statement(home)
    organisation = _organisation_signature(statement, "Canada-Hong Kong Link")
    individual = Signature.objects.create(
        page=statement, kind=SignerKind.INDIVIDUAL, state=SignatureState.CONFIRMED, name="Ada"
    )
    moderator = Client()
    moderator.force_login(UserFactory(roles=[MODERATORS]))
    url = f"/admin/signons/signature/{organisation.pk}/group/"
    for bad in ("abc", "999999"):
        response = moderator.post(url, {"member_group": bad})
        assert response.status_code == 400
        assert "Choose a member group from the list." in response.content.decode()
    refused = moderator.post(
        f"/admin/signons/signature/{individual.pk}/group/", {"member_group": groups["toronto"].pk}
    )
    assert refused.status_code == 400
    assert "Only an organisation" in refused.content.decode()
    assert moderator.get("/admin/signons/signature/999999/group/").status_code == 404

    editor = Client()
    editor.force_login(UserFactory(roles=[EDITORS]))
    assert_denied(editor.post(url, {"member_group": groups["toronto"].pk}))
    organisation.refresh_from_db()
    individual.refresh_from_db()
    assert organisation.member_group is None and individual.member_group is None
    assert not AuditEntry.objects.filter(action="signature.member_group").exists()
