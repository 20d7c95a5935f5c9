"""A page that holds signatures or letters (or has a descendant that does) is never deleted,
by anyone: it is unpublished or closed instead. Pages without them are deleted as before."""

import datetime

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from harbour.core.roles import ADMINISTRATORS, EDITORS, MODERATORS
from harbour.letters.models import Letter, LetterCampaignPage
from harbour.signons.models import Signature
from tests.content.factories import UserFactory

from .factories import make_statement

pytestmark = pytest.mark.django_db


def _sign(page) -> Signature:
    return Signature.objects.create(
        page=page, kind="individual", name="Mimi Lee", state="confirmed", listing="full"
    )


def _campaign_with_a_letter(home) -> LetterCampaignPage:
    page = LetterCampaignPage(
        title="Write to your MP",
        slug="write",
        subject_template="Hong Kong",
        body_template="Dear {representative},\n\nPlease act.\n\n{supporter_name}",
        opens_at=timezone.now() - datetime.timedelta(days=1),
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    Letter.objects.create(campaign=page, supporter_name="Mimi Lee", subject="Hi", body="Act.")
    return page


def _delete_url(page) -> str:
    return reverse("wagtailadmin_pages:delete", args=[page.pk])


def _edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", [EDITORS, MODERATORS, ADMINISTRATORS])
def test_no_one_deletes_a_statement_with_signatures(client, home, role, method):
    statement = make_statement(home)
    signature = _sign(statement)
    client.force_login(UserFactory(roles=[role]))
    response = getattr(client, method)(_delete_url(statement))
    # Every role is sent back to the page's edit view (editors too: Wagtail lets a
    # publisher delete the pages it may change).
    assert (response.status_code, response["Location"]) == (302, _edit_url(statement))
    assert Page.objects.filter(pk=statement.pk).exists()
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_the_refusal_says_why(client, home):
    statement = make_statement(home)
    _sign(statement)
    client.force_login(UserFactory(roles=[ADMINISTRATORS]))
    response = client.get(_delete_url(statement), follow=True)
    assert response.redirect_chain
    assert "cannot be deleted" in response.content.decode()


def test_an_administrator_cannot_delete_the_home_page_above_signatures(client, home):
    statement = make_statement(home)
    signature = _sign(statement)
    client.force_login(UserFactory(roles=[ADMINISTRATORS]))
    response = client.post(_delete_url(home))
    assert (response.status_code, response["Location"]) == (302, _edit_url(home))
    assert Page.objects.filter(pk__in=[home.pk, statement.pk]).count() == 2
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_an_administrator_cannot_delete_a_campaign_with_letters(client, home):
    campaign = _campaign_with_a_letter(home)
    client.force_login(UserFactory(roles=[ADMINISTRATORS]))
    response = client.post(_delete_url(campaign))
    assert (response.status_code, response["Location"]) == (302, _edit_url(campaign))
    assert Page.objects.filter(pk=campaign.pk).exists()
    assert Letter.objects.filter(campaign=campaign).count() == 1


def test_bulk_delete_leaves_a_statement_with_signatures(client, home):
    statement = make_statement(home)
    signature = _sign(statement)
    client.force_login(UserFactory(roles=[ADMINISTRATORS]))
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    response = client.post(f"{url}?id={statement.pk}")
    assert response.status_code != 500
    assert Page.objects.filter(pk=statement.pk).exists()
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_an_administrator_still_deletes_a_statement_without_signatures(client, home):
    statement = make_statement(home)
    client.force_login(UserFactory(roles=[ADMINISTRATORS]))
    assert client.post(_delete_url(statement)).status_code == 302
    assert not Page.objects.filter(pk=statement.pk).exists()


def test_the_database_refuses_to_delete_a_signed_page(home):
    statement = make_statement(home)
    signature = _sign(statement)
    with pytest.raises(ProtectedError):
        Page.objects.get(pk=statement.pk).specific.delete()
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_the_database_refuses_to_delete_a_campaign_with_letters(home):
    campaign = _campaign_with_a_letter(home)
    with pytest.raises(ProtectedError):
        Page.objects.get(pk=campaign.pk).specific.delete()
    assert Letter.objects.filter(campaign=campaign).count() == 1
