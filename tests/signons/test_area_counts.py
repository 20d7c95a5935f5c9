"""Counts by province and district are counters kept in the confirming transaction: the
petition page reads them (never grouping the signature table), shows the top districts
with a link to a full, searchable, sortable districts page, and a signer sees their own
district after confirming. The counters equal an exact recount after moderation and
erasure, and `signons_maintenance` mends any drift."""

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from harbour.people.models import Person
from harbour.people.services import person_erase
from harbour.signons.counts import area_counts, signature_counts_reconcile
from harbour.signons.models import Signature, SignatureAreaCount, SignatureState
from harbour.signons.services import ModerationAction, signature_moderate

from .factories import INDIVIDUAL, make_petition

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).parents[2] / "harbour/representatives/fixtures/canada"
# Two signers in Ajax (L1S, L1T), one in Oakville East (L6H), one in Avalon (A1H).
CODES = ["L1S 2A3", "L1T 0A1", "L6H 1A1", "A1H 1A1"]


def _confirm_link(message) -> str:
    return re.search(r"http://\S+/confirm/\S+/", message.body).group(0)[
        len("http://127.0.0.1:8000") :
    ]


@pytest.fixture
def signed(client, home):
    """A petition whose four signers signed and confirmed through the real e-mails; the
    page of the last Ajax signer's confirmation."""
    call_command("load_representatives", "--dir", str(FIXTURE), stdout=io.StringIO())
    petition = make_petition(home)
    pages = []
    for n, code in enumerate(CODES):
        client.post(
            petition.url + "sign/",
            {**INDIVIDUAL, "individual-email": f"d{n}@example.org", "individual-postal_code": code},
        )
        link = _confirm_link(mail.outbox[-1])
        pages.append(client.post(link).content.decode())
    return petition, pages


def _exact(petition, field: str) -> dict[str, int]:
    counted = Signature.objects.filter(page=petition, state=SignatureState.CONFIRMED)
    rows = counted.exclude(**{field: ""}).values_list(field).annotate(n=Count("pk")).order_by()
    return dict(rows)


def _assert_counters_exact(petition) -> None:
    assert area_counts(page=petition, kind=SignatureAreaCount.PROVINCE) == _exact(
        petition, "province"
    )
    assert area_counts(page=petition, kind=SignatureAreaCount.DISTRICT) == _exact(
        petition, "district_code"
    )


def test_a_signer_sees_their_own_district_counted_and_highlighted(client, signed):
    petition, pages = signed
    ajax = pages[1]
    assert "Your district, Ajax, now has 2 signatures." in ajax
    assert f'href="{petition.url}districts/#district-35001"' in ajax
    table = client.get(f"{petition.url}districts/").content.decode()
    assert '<tr id="district-35001"><td>Ajax</td><td>ON</td><td>2</td></tr>' in table
    css = (Path(__file__).parents[2] / "harbour/static/css/site.css").read_text()
    assert "table.districts tr:target" in css  # the row the link points at stands out


def test_the_petition_page_shows_the_top_districts_and_links_to_all(client, signed, monkeypatch):
    petition, _ = signed
    monkeypatch.setattr("harbour.signons.views.TOP_DISTRICTS", 2)
    page = client.get(petition.url).content.decode()
    assert "<td>Ajax</td><td>ON</td><td>2</td>" in page
    assert page.count("<td>ON</td>") + page.count("<td>NL</td>") == 2  # two rows only
    assert "See all 3 districts with signatures, find yours" in page
    assert "<td>Ontario</td><td>3</td>" in page  # provinces, all of them


def test_the_districts_page_searches_and_sorts_without_script(client, signed):
    petition, _ = signed
    url = f"{petition.url}districts/"

    def names(response) -> list[str]:
        return re.findall(r'<tr id="district-\d+"><td>([^<]+)</td>', response.content.decode())

    assert names(client.get(url)) == ["Ajax", "Avalon", "Oakville East"]  # most first
    assert names(client.get(url, {"order": "name"})) == ["Ajax", "Avalon", "Oakville East"]
    assert names(client.get(url, {"order": "province"})) == ["Avalon", "Ajax", "Oakville East"]
    assert names(client.get(url, {"q": "oakville"})) == ["Oakville East"]
    assert names(client.get(url, {"q": "OAKVILLE-EST"})) == ["Oakville East"]  # French name
    assert names(client.get(url, {"q": "on"})) == ["Ajax", "Oakville East"]  # a province
    nothing = client.get(url, {"q": "zzz"})
    assert nothing.status_code == 200 and "No district matches." in nothing.content.decode()
    odd = client.get(url, {"order": "<script>", "q": "x" * 5000})
    assert odd.status_code == 200 and "<script>" not in odd.content.decode()


def test_the_petition_page_never_groups_the_signature_table(client, signed):
    from django.core.cache import cache

    petition, _ = signed
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(petition.url).status_code == 200
        assert client.get(f"{petition.url}districts/").status_code == 200
    grouped = [
        q["sql"]
        for q in queries.captured_queries
        if '"signons_signature"' in q["sql"] and ("GROUP BY" in q["sql"] or "COUNT(" in q["sql"])
    ]
    assert grouped == []


def test_counters_stay_exact_through_moderation_erasure_and_drift(signed, django_user_model):
    petition, _ = signed
    _assert_counters_exact(petition)
    rejected = Signature.objects.filter(page=petition, district_code="35075").get()
    moderator = django_user_model.objects.create_user("mod")
    signature_moderate(signature_ids=[rejected.pk], action=ModerationAction.REJECT, actor=moderator)
    _assert_counters_exact(petition)
    assert "35075" not in area_counts(page=petition, kind=SignatureAreaCount.DISTRICT)
    # An erased supporter's signature stays counted, anonymously, in its district.
    person_erase(person=Person.objects.get(email="d0@example.org"), actor=moderator)
    _assert_counters_exact(petition)
    assert area_counts(page=petition, kind=SignatureAreaCount.DISTRICT)["35001"] == 2
    # Drift (a restored backup, a bug): the maintenance run rewrites the counters.
    SignatureAreaCount.objects.filter(page=petition).update(count=99)
    signature_counts_reconcile(page=petition)
    _assert_counters_exact(petition)
