"""What events give the newsletter's mailings (newsletter.registry): "registered for event Z
and ticked its newsletter box"."""

from typing import Any

from django.conf import settings

from harbour.newsletter.registry import ACTION, AudienceFilter

from .models import EventPage, Registration, RegistrationState


def _choices() -> list[tuple[str, str]]:
    events = EventPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).order_by(
        "-starts_at"
    )
    return [(str(event.pk), f"Registered: {event.title}") for event in events[:200]]


def _people(value: str) -> Any:
    event = EventPage.objects.filter(pk=int(value) if value.isdigit() else 0).first()
    if event is None:
        return Registration.objects.none().values_list("person_id", flat=True)
    events = EventPage.objects.filter(translation_key=event.translation_key).values("pk")
    return Registration.objects.filter(
        event_id__in=events,
        state__in=[RegistrationState.CONFIRMED, RegistrationState.WAITLISTED],
        newsletter=True,
    ).values_list("person_id", flat=True)


registered = AudienceFilter(kind=ACTION, prefix="registered", choices=_choices, person_ids=_people)
