"""The sign-on service checks its own input, whoever calls it (a form, the bench, later an
importer or an API): one InvalidInput naming every wrong field, and nothing stored."""

import pytest

from harbour.core.validation import InvalidInput
from harbour.people.models import Person
from harbour.signons.models import Signature
from harbour.signons.services import signature_create

from .factories import make_petition, make_statement

pytestmark = pytest.mark.django_db

GOOD = {
    "given_name": "Mimi",
    "family_name": "Lee",
    "postal_code": "l3r0a1",
    "city": "Markham",
    "listing": "full",
}


def _create(page, kind="individual", email="mimi@example.org", **details):
    return signature_create(page=page, kind=kind, email=email, details=details)


@pytest.mark.parametrize(
    ("email", "details", "fields"),
    [
        ("not-an-address", GOOD, {"email"}),
        ("x" * 250 + "@example.org", GOOD, {"email"}),
        (
            "mimi@example.org",
            {**GOOD, "given_name": "", "postal_code": "12345"},
            {
                "given_name",
                "postal_code",
            },
        ),
        ("mimi@example.org", {**GOOD, "family_name": "L" * 101}, {"family_name"}),
        ("mimi@example.org", {**GOOD, "listing": "everyone"}, {"listing"}),
        ("mimi@example.org", {**GOOD, "listing": "initials_city", "city": ""}, {"city"}),
    ],
)
def test_an_individual_with_bad_details_is_refused_field_by_field(home, email, details, fields):
    petition = make_petition(home)
    with pytest.raises(InvalidInput) as refused:
        _create(petition, email=email, **details)
    assert set(refused.value.errors) == fields
    assert not Signature.objects.exists() and not Person.objects.exists()


def test_an_organisation_and_a_parliamentarian_need_their_own_fields(home):
    statement = make_statement(home)
    with pytest.raises(InvalidInput) as refused:
        _create(statement, kind="organisation", organisation="", website="javascript:alert(1)")
    assert {"organisation", "city", "region", "website", "contact_name"} <= set(
        refused.value.errors
    )
    with pytest.raises(InvalidInput) as refused:
        _create(statement, kind="parliamentarian", name="Jenny Kwan", office="king", region="BC")
    assert set(refused.value.errors) == {"office"}
    assert not Signature.objects.exists()


def test_good_details_are_stored_cleaned(home):
    petition = make_petition(home)
    outcome = _create(petition, **{**GOOD, "given_name": " Mimi\u202e "})
    signature = outcome.signature
    assert (signature.name, signature.province, signature.fsa) == ("Mimi Lee", "ON", "L3R")
    assert Person.objects.get().postal_code == "L3R 0A1"
