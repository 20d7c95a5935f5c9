"""The consents a confirmed registration records: the newsletter box (its one wording) and
"let <the organising groups> contact me" (coalition.sharing), each in the words shown."""

from django.utils import translation

from harbour.coalition.sharing import (
    GROUP_CONTACT_WORDING,
    group_contact_consent_record,
    group_names,
)
from harbour.core.forms import NEWSLETTER_WORDING
from harbour.people.models import ConsentTopic
from harbour.people.services import consent_record

from .models import EventPage, Registration


def group_contact_wording(event: EventPage) -> str:
    """The box's words as the form shows them, in the active language."""
    groups = group_names(event.organising_groups.all())
    return translation.gettext(GROUP_CONTACT_WORDING) % {"groups": groups}


def registration_consents_record(registration: Registration, event: EventPage) -> None:
    person = registration.person
    if person is None:
        return
    source = f"event registration: {event.title} (page {event.pk})"
    consent_record(
        person=person,
        topic=ConsentTopic.NEWSLETTER,
        granted=registration.newsletter,
        wording=NEWSLETTER_WORDING,
        source=source,
    )
    if registration.group_contact:
        with translation.override(registration.language or None):
            wording = group_contact_wording(event)
        group_contact_consent_record(
            person=person,
            groups=list(event.organising_groups.all()),
            wording=wording,
            source=source,
        )
