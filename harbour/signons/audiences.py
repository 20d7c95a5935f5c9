"""What sign-ons give the newsletter's mailings: "signed statement or petition X and ticked
its newsletter box", to narrow a mailing's audience (newsletter.registry)."""

from typing import Any

from django.conf import settings
from wagtail.models import Page

from harbour.newsletter.registry import ACTION, AudienceFilter

from .models import PetitionPage, Signature, SignatureState, StatementPage


def _pages() -> Any:
    return Page.objects.type(StatementPage, PetitionPage)


def _choices() -> list[tuple[str, str]]:
    pages = _pages().filter(locale__language_code=settings.LANGUAGE_CODE).order_by("title")
    return [(str(page.pk), f"Signed: {page.title}") for page in pages]


def _people(value: str) -> Any:
    page = _pages().filter(pk=int(value) if value.isdigit() else 0).first()
    if page is None:
        return Signature.objects.none().values_list("person_id", flat=True)
    pages = Page.objects.filter(translation_key=page.translation_key).values("pk")
    return Signature.objects.filter(
        page_id__in=pages, state=SignatureState.CONFIRMED, newsletter=True
    ).values_list("person_id", flat=True)


signed = AudienceFilter(kind=ACTION, prefix="signed", choices=_choices, person_ids=_people)
