"""What organisers see in the admin: reach for staff, writers' export for moderators only,
and representatives corrected by editors that a reload keeps."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from harbour.core.roles import EDITORS, MODERATORS
from harbour.representatives.models import Representative
from tests.admin_helpers import assert_denied
from tests.content.factories import UserFactory

from .test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)

FIXTURE = Path(__file__).parents[2] / "harbour" / "representatives" / "fixtures" / "canada"

pytestmark = pytest.mark.django_db


def _write_letters(campaign, n=2):  # noqa: F811
    for i in range(n):
        c = Client()
        c.post(campaign.url + "send/", {**LETTER, "email": f"a{i}@example.org"})
        _confirm(c, campaign)


def test_staff_see_reach_and_only_moderators_export_writers(campaign):  # noqa: F811
    _write_letters(campaign)
    editor, moderator = Client(), Client()
    editor.force_login(UserFactory(roles=[EDITORS]))
    moderator.force_login(UserFactory(roles=[MODERATORS]))

    page = editor.get(f"/admin/letters/{campaign.pk}/").content.decode()
    assert 'data-testid="reach-sent">2<' in page
    assert "Liberal" in page
    assert "a0@example.org" not in page
    assert "Export letter writers" not in page
    denied = editor.get(f"/admin/letters/{campaign.pk}/writers.csv")
    assert_denied(denied)
    assert b"a0@example.org" not in denied.content

    export = moderator.get(f"/admin/letters/{campaign.pk}/writers.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0] == ["name", "email", "postal_code", "city", "district", "confirmed"]
    assert sorted(r[1] for r in rows[1:]) == ["a0@example.org", "a1@example.org"]
    assert "Ajax" in rows[1]
    assert Client().get(f"/admin/letters/{campaign.pk}/").status_code == 302


def test_an_editors_correction_survives_a_reload(client, home):
    call_command("load_representatives", "--dir", str(FIXTURE))
    mp = Representative.objects.get(last_name="McKelvie")
    client.force_login(UserFactory(roles=[EDITORS]))
    form = client.get(f"/admin/representatives/edit/{mp.pk}/")
    assert form.status_code == 200
    response = client.post(
        f"/admin/representatives/edit/{mp.pk}/",
        {
            "honorific": "",
            "first_name": "Jennifer",
            "last_name": "McKelvie",
            "party": "Independent",
            "email": mp.email,
            "photo_url": mp.photo_url,
            "district": mp.district_id,
            "province": "ON",
            "active_from": "",
            "active_to": "",
            "office": "mp",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    mp.refresh_from_db()
    assert mp.party == "Independent" and mp.edited_fields == ["party"]
    call_command("load_representatives", "--dir", str(FIXTURE))
    assert Representative.objects.get(pk=mp.pk).party == "Independent"


def test_the_writers_export_neutralises_formulas_in_every_column(campaign):  # noqa: F811
    writer = Client()
    writer.post(
        campaign.url + "send/",
        {**LETTER, "email": "=2+3@example.org", "given_name": "=HYPERLINK", "city": "+Ajax"},
    )
    _confirm(writer, campaign)
    moderator = Client()
    moderator.force_login(UserFactory(roles=[MODERATORS]))
    export = moderator.get(f"/admin/letters/{campaign.pk}/writers.csv")
    assert "no-store" in export["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[1][:4] == ["'=HYPERLINK Lee", "'=2+3@example.org", "L1S 2A3", "'+Ajax"]


def test_the_reach_chart_has_dated_rows_a_scale_and_the_same_figures_as_its_table(campaign):  # noqa: F811
    from django.utils import timezone

    _write_letters(campaign, n=3)
    editor = Client()
    editor.force_login(UserFactory(roles=[EDITORS]))
    page = editor.get(f"/admin/letters/{campaign.pk}/").content.decode()
    chart = page.split('aria-labelledby="chart-title"')[1].split("</svg>")[0]
    today = timezone.localdate().isoformat()
    texts = re.findall(r"<text[^>]*>([^<]+)</text>", chart)
    assert texts[:2] == [today, "3"]  # the day on the axis, the count at the bar's end
    assert texts[2:] == ["0", "1", "3"]  # the scale: zero, half and the busiest day
    assert chart.count("<line") == 2 + 3  # two axes, three ticks
    assert f"<td>{today}</td><td>3</td>" in page
