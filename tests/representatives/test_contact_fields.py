"""A representative's contact details (where letters go) are changed by administrators only,
audited and announced to them; a letter goes only to a legislature's or an approved address."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from harbour.core.models import AuditEntry
from harbour.core.roles import ADMINISTRATORS, EDITORS, MODERATORS
from harbour.letters.models import Delivery, DeliveryState
from harbour.letters.sending import digests_send
from harbour.representatives.models import Representative
from tests.content.factories import UserFactory
from tests.letters.test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

OLD_EMAIL, NEW_EMAIL = "jennifer.mckelvie@parl.gc.ca", "mp@evil.example"
OLD_PHOTO, NEW_PHOTO = "https://www.ourcommons.ca/mckelvie.jpg", "https://evil.example/p.jpg"


@pytest.fixture
def mp(home) -> Representative:
    return Representative.objects.create(
        source_key="test:mckelvie",
        first_name="Jennifer",
        last_name="McKelvie",
        office="mp",
        party="Liberal",
        province="ON",
        email=OLD_EMAIL,
        photo_url=OLD_PHOTO,
    )


def _edit(client, rep: Representative, **changes: str):
    data = {
        "honorific": rep.honorific,
        "first_name": rep.first_name,
        "last_name": rep.last_name,
        "party": rep.party,
        "email": rep.email,
        "photo_url": rep.photo_url,
        "district": rep.district_id or "",
        "province": rep.province,
        "active_from": "",
        "active_to": "",
        "office": rep.office,
        **changes,
    }
    return client.post(reverse("representatives:edit", args=[rep.pk]), data)


def test_only_administrators_hold_the_contact_permission(home):
    holders = Group.objects.filter(
        permissions__content_type__app_label="representatives",
        permissions__codename="change_representative_contact",
    )
    assert set(holders.values_list("name", flat=True)) == {ADMINISTRATORS}


@pytest.mark.parametrize("role", [EDITORS, MODERATORS])
def test_staff_below_administrator_see_no_email_field(client, mp, role):
    client.force_login(UserFactory(roles=[role]))
    page = client.get(reverse("representatives:edit", args=[mp.pk]))
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()


@pytest.mark.parametrize("role", [EDITORS, MODERATORS])
def test_staff_below_administrator_edit_the_party_but_not_the_contact(client, mp, role):
    client.force_login(UserFactory(roles=[role]))
    response = _edit(client, mp, party="Independent", email=NEW_EMAIL, photo_url=NEW_PHOTO)
    assert response.status_code == 302
    mp.refresh_from_db()
    assert (mp.party, mp.email, mp.photo_url) == ("Independent", OLD_EMAIL, OLD_PHOTO)


@pytest.mark.parametrize(
    ("field", "before", "after"),
    [("email", OLD_EMAIL, NEW_EMAIL), ("photo_url", OLD_PHOTO, NEW_PHOTO)],
)
def test_an_administrators_contact_change_is_audited(client, mp, field, before, after):
    admin = UserFactory(roles=[ADMINISTRATORS])
    client.force_login(admin)
    assert _edit(client, mp, **{field: after}).status_code == 302
    assert getattr(Representative.objects.get(pk=mp.pk), field) == after
    entry = AuditEntry.objects.get(action="representative.contact_change")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        admin,
        "representatives.Representative",
        str(mp.pk),
    )
    assert entry.details[field] == {"before": before, "after": after}


def test_administrators_are_told_of_an_email_change(client, mp):
    admin, other_admin = UserFactory(roles=[ADMINISTRATORS]), UserFactory(roles=[ADMINISTRATORS])
    UserFactory(roles=[ADMINISTRATORS], is_active=False)
    UserFactory(roles=[EDITORS])
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    _edit(client, mp, email=NEW_EMAIL)
    notices = [m for m in mail.outbox if "contact details changed" in m.subject.lower()]
    recipients = {address for m in notices for address in m.recipients()}
    assert recipients == {admin.email, other_admin.email, superuser.email}
    assert all(
        "Jennifer McKelvie" in m.body and OLD_EMAIL in m.body and NEW_EMAIL in m.body
        for m in notices
    )


@pytest.mark.parametrize(("approve", "approved"), [({"approve_email": "on"}, NEW_EMAIL), ({}, "")])
def test_an_administrator_approves_an_address_with_the_checkbox(client, mp, approve, approved):
    client.force_login(UserFactory(roles=[ADMINISTRATORS]))
    assert _edit(client, mp, email=NEW_EMAIL, **approve).status_code == 302
    mp.refresh_from_db()
    assert (mp.email, mp.email_approved) == (NEW_EMAIL, approved)


def _write_to_mckelvie(client, campaign, **contact: str) -> Delivery:  # noqa: F811
    Representative.objects.filter(last_name="McKelvie").update(**contact)
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    return Delivery.objects.get()


@pytest.mark.parametrize("approved", [{}, {"email_approved": "other@evil.example"}])
def test_a_letter_is_not_sent_to_an_unapproved_address(client, campaign, approved):  # noqa: F811
    delivery = _write_to_mckelvie(client, campaign, email=NEW_EMAIL, **approved)
    assert not [m for m in mail.outbox if NEW_EMAIL in m.recipients()]
    assert delivery.state == DeliveryState.FAILED
    assert "approved" in delivery.error


def test_a_letter_is_sent_to_an_approved_address(client, campaign):  # noqa: F811
    delivery = _write_to_mckelvie(client, campaign, email=NEW_EMAIL, email_approved=NEW_EMAIL)
    assert len([m for m in mail.outbox if m.to == [NEW_EMAIL]]) == 1
    assert delivery.state == DeliveryState.SENT


def test_a_daily_digest_is_not_sent_to_an_unapproved_address(client, campaign):  # noqa: F811
    campaign.daily_digest = True
    campaign.save_revision().publish()
    delivery = _write_to_mckelvie(client, campaign, email=NEW_EMAIL)
    digests_send()
    assert not [m for m in mail.outbox if NEW_EMAIL in m.recipients()]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert "approved" in delivery.error


def test_a_mailto_link_leaves_out_an_unapproved_address(client, campaign):  # noqa: F811
    campaign.delivery = "mailto"
    campaign.save_revision().publish()
    Representative.objects.filter(last_name="McKelvie").update(email=NEW_EMAIL)
    response = client.post(
        campaign.url + "send/", {"mode": "mailto", "postal_code": "L1S 2A3", "district": ""}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("mailto:?subject=")
    assert "evil" not in response["Location"]
