"""The letter service checks its own input and picks the riding itself, whoever calls it."""

import pytest

from harbour.core.validation import InvalidInput
from harbour.letters.models import Letter
from harbour.letters.services import LetterError, letter_create

from .test_flow import campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "mimi@example.org",
    "given_name": "Mimi",
    "family_name": "Lee",
    "postal_code": "l1s2a3",
    "city": "Ajax",
    "district_code": "",
    "subject": "Please act on Hong Kong",
    "body": "Dear MP, please press for the subcommittee to meet again.",
    "newsletter": False,
}


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"email": "nope"}, {"email"}),
        ({"given_name": "", "postal_code": "00000"}, {"given_name", "postal_code"}),
        ({"body": "Too short."}, {"body"}),
        ({"subject": "S" * 201, "district_code": "X" * 11}, {"subject", "district"}),
    ],
)
def test_bad_input_is_refused_field_by_field(campaign, changes, fields):  # noqa: F811
    with pytest.raises(InvalidInput) as refused:
        letter_create(campaign=campaign, **{**GOOD, **changes})
    assert set(refused.value.errors) == fields
    assert not Letter.objects.exists()


def test_the_service_picks_the_riding_chosen_or_the_postal_codes(campaign):  # noqa: F811
    from_postal_code = letter_create(campaign=campaign, **GOOD).letter
    assert from_postal_code.district.name_en == "Ajax"
    chosen = letter_create(
        campaign=campaign, **{**GOOD, "email": "b@example.org", "district_code": "10001"}
    ).letter
    assert chosen.district.name_en == "Avalon"


def test_a_mailto_campaign_takes_no_letters_from_any_caller(campaign):  # noqa: F811
    campaign.delivery = "mailto"
    campaign.save_revision().publish()
    with pytest.raises(LetterError):
        letter_create(campaign=campaign, **GOOD)
    assert not Letter.objects.exists()
