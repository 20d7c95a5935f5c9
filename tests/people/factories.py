"""Supporters, petitions and confirmed signatures, made the way a visitor makes them."""

import datetime
from typing import Any

import factory
import time_machine
from django.test import Client
from django.utils import timezone
from wagtail.models import Page

from harbour.people.models import Person
from harbour.signons.models import Signature
from harbour.signons.models.pages import PetitionPage
from harbour.signons.services import confirmation_token, signature_confirm, signature_create


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    email = factory.Sequence(lambda n: f"supporter{n}@example.org")
    given_name = "Ann"
    family_name = "Lee"
    postal_code = "K1A 0A6"
    city = "Ottawa"
    province = "ON"


def make_petition(
    home: Page, *, title: str = "Save the harbour", slug: str = "save-the-harbour"
) -> PetitionPage:
    page = PetitionPage(title=title, slug=slug, target="the House of Commons", goal=100)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def sign(
    page: PetitionPage,
    *,
    email: str,
    given_name: str = "Ann",
    family_name: str = "Lee",
    city: str = "Ottawa",
    listing: str = "full",
    newsletter: bool = True,
    confirm: bool = True,
) -> Signature:
    """An individual signs through the service the public form calls, then (by default)
    clicks the link in the confirmation e-mail."""
    details: dict[str, Any] = {
        "given_name": given_name,
        "family_name": family_name,
        "postal_code": "K1A 0A6",
        "city": city,
        "province": "ON",
        "listing": listing,
        "newsletter": newsletter,
    }
    outcome = signature_create(page=page, kind="individual", email=email, details=details)
    signature = outcome.signature
    if confirm:
        signature = signature_confirm(token=confirmation_token(signature))
    return signature


def visit_later(client: Client, page: PetitionPage, *, minutes: int = 10) -> str:
    """The public page as a visitor sees it a few minutes later, once any short-lived cached
    rendering of it has expired."""
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False):
        response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()
