""" "Take action" lists every open statement, petition and letter campaign, featured ones
first, with their counts; the home page shows them as cards that link to the actions."""

import datetime
import re

import pytest
from django.utils import timezone

from harbour.letters.models import LetterCampaignPage
from harbour.signons.counts import signature_counts_reconcile
from harbour.signons.models import Signature, SignatureState
from tests.letters.factories import make_campaign
from tests.signons.factories import make_petition, make_statement

pytestmark = pytest.mark.django_db


def _letters_campaign(home, **fields):
    values = {"title": "Write to your MP about the treaty", "slug": "treaty", **fields}
    return make_campaign(home, body_template="{greeting}\n\nPlease end it.", **values)


def _confirmed(page, count):
    Signature.objects.bulk_create(
        [
            Signature(page=page, kind="individual", name=f"S{n}", state=SignatureState.CONFIRMED)
            for n in range(count)
        ]
    )
    signature_counts_reconcile(page=page)


def test_take_action_lists_open_actions_with_counts_and_goals(client, home):
    petition = make_petition(home)
    _confirmed(petition, 3)
    statement = make_statement(home)
    campaign = _letters_campaign(home, featured=True, summary="One letter, five offices.")
    closed = _letters_campaign(home, slug="closed", title="A closed campaign")
    LetterCampaignPage.objects.filter(pk=closed.pk).update(
        closes_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page = client.get("/take-action/").content.decode()
    assert page.index(campaign.title) < page.index(petition.title)  # featured first
    assert "One letter, five offices." in page
    assert f'href="{petition.url}"' in page and f'href="{statement.url}"' in page
    assert f'<progress value="3" max="{petition.goal}"' in page
    assert f"<strong>3</strong> of {petition.goal:,} signatures" in page
    assert "A closed campaign" not in page
    assert page.count('<li class="action-card') == 3


def test_every_page_leads_to_take_action_and_the_home_page_shows_the_cards(client, home):
    petition = make_petition(home)
    assert '<a href="/take-action/">Take action</a>' in client.get("/news/").content.decode()
    text = client.get(home.url).content.decode()
    assert '<h2 id="actions-heading">Take action</h2>' in text
    assert f'<h3><a href="{petition.url}">{petition.title}</a></h3>' in text
    assert "Sign the petition" in text


def test_with_nothing_open_take_action_says_so(client, home):
    text = client.get("/take-action/").content.decode()
    assert "No action is open right now." in text


def test_a_home_theme_leading_to_an_action_shows_its_progress_and_a_featured_card_its_image(
    client, home
):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    from harbour.signons.models import PetitionPage

    petition = make_petition(home)
    _confirmed(petition, 3)
    buffer = io.BytesIO()
    PILImage.new("RGB", (800, 400), (200, 30, 40)).save(buffer, format="PNG")
    picture = Image.objects.create(title="March", file=ImageFile(buffer, name="march.png"))
    PetitionPage.objects.filter(pk=petition.pk).update(featured=True, feature_image=picture)
    home.campaigns.create(sort_order=0, title="Stop interference", summary="x", link_page=petition)
    home.campaigns.create(sort_order=1, title="A theme", summary="y")
    home.save_revision().publish()
    page = client.get(home.url).content.decode()
    theme = page.split(f'<h3><a href="{petition.url}">Stop interference</a></h3>')[1]
    theme = theme.split("</li>")[0]
    assert f'<progress value="3" max="{petition.goal}"' in theme
    assert "<strong>3</strong> of 100 signatures · Sign the petition" in theme
    other = page.split("<h3>A theme</h3>")[1].split("</li>")[0]
    assert "progress" not in other
    assert re.search(r'<img (?=[^>]*class="action-image")(?=[^>]*src="/media/images/march)', page)
