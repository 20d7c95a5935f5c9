"""The consents a confirmed registration records: the newsletter box (its one wording) and
"let <the organising groups> contact me" (coalition.sharing), each in the words shown."""

from django.conf import settings
from django.utils import translation

from harbour.coalition.sharing import group_contact_consent_record, group_contact_wording
from harbour.newsletter.services import action_box_record

from .models import EventPage, Registration


def event_group_contact_wording(event: EventPage) -> str:
    """The box's words on an event's form, in the active language."""
    return group_contact_wording(event.organising_groups.all())


def registration_consents_record(registration: Registration, event: EventPage) -> None:
    person = registration.person
    if person is None:
        return
    source = f"event registration: {event.title} (page {event.pk})"
    language = registration.language or settings.LANGUAGE_CODE
    action_box_record(
        person=person, granted=registration.newsletter, source=source, language=language
    )
    if registration.group_contact:
        with translation.override(language):
            wording = event_group_contact_wording(event)
        group_contact_consent_record(
            person=person,
            groups=list(event.organising_groups.all()),
            wording=wording,
            language=language,
            source=source,
        )
