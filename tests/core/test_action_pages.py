"""Action pages look like campaigns: headline and figures first, then the form, then the
pitch (a phone's order; a desktop puts the form beside the pitch); the deadline shown."""

import datetime

import pytest
from django.utils import timezone

from harbour.signons.models import PetitionPage
from tests.letters.test_flow import campaign  # noqa: F401 (fixture)
from tests.signons.factories import make_petition, make_statement

pytestmark = pytest.mark.django_db


def _order(html: str, *markers: str) -> list[int]:
    return [html.index(marker) for marker in markers]


def test_petition_headline_figures_deadline_then_form_then_pitch(client, home):
    petition = make_petition(home)
    closes = timezone.now() + datetime.timedelta(days=10)
    PetitionPage.objects.filter(pk=petition.pk).update(closes_at=closes)
    html = client.get(petition.url).content.decode()
    positions = _order(
        html,
        "<h1>",
        'data-testid="signature-count"',
        'class="action-deadline">Open until',
        'class="action-form"',
        'class="action-pitch',
    )
    assert positions == sorted(positions)


def test_statement_and_letter_campaign_follow_the_same_order(client, home, campaign):  # noqa: F811
    statement = make_statement(home)
    html = client.get(statement.url).content.decode()
    positions = _order(html, "<h1>", "0</strong> signers", 'class="action-form"', "action-pitch")
    assert positions == sorted(positions)
    html = client.get(campaign.url).content.decode()
    positions = _order(html, "<h1>", 'data-testid="letter-count"', 'id="write"', "action-pitch")
    assert positions == sorted(positions)


def test_the_letter_box_is_as_wide_as_the_form_in_the_text_font():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/site.css")).read_text()
    rule = css.split(".field textarea {")[1].split("}")[0]
    assert "width: 100%" in rule and "font: inherit" in rule
