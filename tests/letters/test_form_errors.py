"""Every 400 from the letter forms says what was wrong, hidden fields included."""

import pytest

from harbour.letters.models import Letter

from .test_flow import LETTER, campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_a_riding_code_too_long_in_the_letter_form_is_named(client, campaign):  # noqa: F811
    response = client.post(campaign.url + "send/", {**LETTER, "district": "X" * 11})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Riding: Ensure this value has at most 10 characters" in page
    assert Letter.objects.count() == 0


def test_a_riding_code_too_long_in_the_postal_step_is_named(client, campaign):  # noqa: F811
    response = client.post(
        campaign.url + "write/", {"postal_code": "L1S 2A3", "district": "X" * 11}
    )
    assert response.status_code == 400
    assert "Riding: Ensure this value has at most 10 characters" in response.content.decode()


def test_a_riding_search_too_long_is_named(client, campaign):  # noqa: F811
    response = client.post(
        campaign.url + "write/", {"postal_code": "L1S 2A3", "district_query": "Ottawa " * 20}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not your riding? Search by district name or city: Ensure this value has at most" in (
        page
    )


def test_a_missing_postal_code_in_the_letter_form_is_named(client, campaign):  # noqa: F811
    response = client.post(campaign.url + "send/", {**LETTER, "postal_code": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_the_forms_post_to_the_campaigns_own_address_and_errors_show_there(client, campaign):  # noqa: F811
    page = client.get(campaign.url).content.decode()
    assert f'<form method="post" action="{campaign.url}" novalidate>' in page
    bad_postal = client.post(campaign.url, {"postal_code": "12345"})
    assert bad_postal.status_code == 400
    assert "Enter a Canadian postal code such as K1A 0A6." in bad_postal.content.decode()
    write = client.post(campaign.url, {"postal_code": "L1S 2A3"}).content.decode()
    assert '<input type="hidden" name="step" value="send">' in write
    assert f'action="{campaign.url}#letter-heading"' in write
    wrong = client.post(campaign.url, {**LETTER, "step": "send", "email": "nobody"})
    assert wrong.status_code == 400
    assert Letter.objects.count() == 0
    sent = client.post(campaign.url, {**LETTER, "step": "send"})
    assert sent.status_code == 302 and sent["Location"] == f"{campaign.url}thanks/"
    assert Letter.objects.count() == 1
