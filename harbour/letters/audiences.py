"""What letter campaigns give the newsletter's mailings (newsletter.registry): "wrote in
campaign Y and ticked its newsletter box", and a federal district: the supporters whose
letters went to it, or whose postal code's area (FSA) lies in it (an approximation where an
area spans two districts)."""

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Substr, Upper

from harbour.newsletter.registry import ACTION, DISTRICT, AudienceFilter
from harbour.people.models import Person
from harbour.representatives.models import ElectoralDistrict, PostalArea

from .models import Letter, LetterCampaignPage, LetterState


def _campaigns() -> list[tuple[str, str]]:
    pages = LetterCampaignPage.objects.filter(
        locale__language_code=settings.LANGUAGE_CODE
    ).order_by("title")
    return [(str(page.pk), f"Wrote: {page.title}") for page in pages]


def _writers(value: str) -> Any:
    page = LetterCampaignPage.objects.filter(pk=int(value) if value.isdigit() else 0).first()
    if page is None:
        return Letter.objects.none().values_list("person_id", flat=True)
    pages = LetterCampaignPage.objects.filter(translation_key=page.translation_key).values("pk")
    return Letter.objects.filter(
        campaign_id__in=pages, state=LetterState.CONFIRMED, newsletter=True
    ).values_list("person_id", flat=True)


def _districts() -> list[tuple[str, str]]:
    return [
        (str(pk), f"{name} ({province})")
        for pk, name, province in ElectoralDistrict.objects.order_by("name_en").values_list(
            "pk", "name_en", "province"
        )
    ]


def _in_district(value: str) -> Any:
    district_id = int(value) if value.isdigit() else 0
    areas = PostalArea.objects.filter(district_id=district_id).values("fsa")
    by_letter = Letter.objects.filter(district_id=district_id, state=LetterState.CONFIRMED).values(
        "person_id"
    )
    return (
        Person.objects.annotate(area=Substr(Upper("postal_code"), 1, 3))
        .filter(Q(area__in=areas) | Q(pk__in=by_letter))
        .order_by()
        .values_list("pk", flat=True)
    )


wrote = AudienceFilter(kind=ACTION, prefix="wrote", choices=_campaigns, person_ids=_writers)
district = AudienceFilter(
    kind=DISTRICT, prefix="district", choices=_districts, person_ids=_in_district
)
