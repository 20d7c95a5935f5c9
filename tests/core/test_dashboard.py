"""The Wagtail dashboard says what needs attention: signatures waiting for a moderator per
page, letters waiting or failed, today's counts; and it loads no Gravatar."""

import datetime

import pytest
from django.utils import timezone

from harbour.core.roles import ADMINISTRATORS, EDITORS, MODERATORS
from harbour.letters.models import Delivery, DeliveryState
from harbour.signons.models import Signature, SignatureState
from tests.content.factories import UserFactory
from tests.letters.test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)
from tests.signons.factories import make_petition, make_statement

pytestmark = pytest.mark.django_db


def _signatures(page, state, count, **fields):
    Signature.objects.bulk_create(
        [
            Signature(page=page, kind="organisation", name=f"G{n}", state=state, **fields)
            for n in range(count)
        ]
    )


def test_moderators_see_the_queue_per_page_and_todays_count(client, home):
    statement = make_statement(home)
    petition = make_petition(home)
    _signatures(statement, SignatureState.AWAITING_MODERATION, 3)
    _signatures(petition, SignatureState.CONFIRMED, 2, confirmed_at=timezone.now())
    yesterday = timezone.now() - datetime.timedelta(days=1, hours=1)
    _signatures(petition, SignatureState.CONFIRMED, 4, confirmed_at=yesterday)
    client.force_login(UserFactory(roles=[MODERATORS]))
    page = client.get("/admin/").content.decode()
    assert "Needs attention" in page
    assert f"3 signatures wait for a moderator on “{statement.title}”" in page
    assert f"?state=awaiting_moderation&amp;page={statement.pk}" in page
    assert "2 signatures confirmed today" in page
    assert "gravatar" not in page.lower()


def test_a_day_of_millions_reads_as_more_than_the_cap(client, home, monkeypatch):
    monkeypatch.setattr("harbour.signons.selectors.CONFIRMED_SINCE_CAP", 3)
    petition = make_petition(home)
    _signatures(petition, SignatureState.CONFIRMED, 3, confirmed_at=timezone.now())
    client.force_login(UserFactory(roles=[MODERATORS]))
    assert "3 signatures confirmed today" in client.get("/admin/").content.decode()
    _signatures(petition, SignatureState.CONFIRMED, 1, confirmed_at=timezone.now())
    assert "More than 3 signatures confirmed today" in client.get("/admin/").content.decode()


def test_letters_waiting_failed_and_sent_today(client, campaign):  # noqa: F811
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)  # the immediate backend sends it at once
    client.force_login(UserFactory(roles=[EDITORS]))
    page = client.get("/admin/").content.decode()
    assert "1 letter sent today" in page and "failed" not in page
    assert "signatures wait" not in page and "confirmed today" not in page  # not a moderator
    Delivery.objects.update(state=DeliveryState.FAILED)
    page = client.get("/admin/").content.decode()
    assert "1 letter to a representative failed" in page
    Delivery.objects.update(state=DeliveryState.QUEUED)
    assert "1 letter to a representative waiting to go" in client.get("/admin/").content.decode()


def test_an_administrator_sees_both(client, home):
    client.force_login(UserFactory(roles=[ADMINISTRATORS]))
    page = client.get("/admin/").content.decode()
    assert "0 signatures confirmed today" in page and "0 letters sent today" in page
