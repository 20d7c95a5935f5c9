"""Sharing a supporter with a member group, per action and by consent only.

An action's form (an event's registration, a statement's signature) may offer "let <group>
contact me"; ticking it records a consent (people.Consent, topic GROUP_CONTACT, in the
words shown, with the time and the form) linked to each group it named. A group's
organisers see the supporters whose consent names their group and is not withdrawn; nothing
flows between groups, and nothing is shared without the box."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_noop

from harbour.people.models import Consent, ConsentTopic, Person
from harbour.people.services import consent_record

from .models import GroupContactConsent, MemberGroupPage

# What the box says (in English here; the form shows its translation); `groups` is the
# groups' names joined with commas.
GROUP_CONTACT_WORDING = gettext_noop(
    "Let %(groups)s contact me about their work (only them: my address goes to no one else)."
)


def group_names(groups: Iterable[MemberGroupPage]) -> str:
    return ", ".join(group.title for group in groups)


def group_contact_wording(groups: Iterable[MemberGroupPage]) -> str:
    """The box's words as a form shows them, in the active language."""
    return gettext(GROUP_CONTACT_WORDING) % {"groups": group_names(groups)}


def group_contact_consent_record(
    *, person: Person, groups: list[MemberGroupPage], wording: str, language: str, source: str
) -> Consent | None:
    """Record that `person` agreed, in `wording` as shown in `language`, on `source`, that
    each of `groups` may contact them; None when there is no group to name."""
    if not groups:
        return None
    with transaction.atomic():
        consent = consent_record(
            person=person,
            topic=ConsentTopic.GROUP_CONTACT,
            granted=True,
            wording=wording,
            language=language,
            source=source,
        )
        GroupContactConsent.objects.bulk_create(
            [GroupContactConsent(group=group, consent=consent) for group in groups]
        )
    return consent


def supporters_shared_with(group: MemberGroupPage) -> QuerySet[Consent]:
    """The consents (with their supporters) that let `group`'s organisers see a supporter,
    newest first: granted, not withdrawn, naming this group in any language."""
    return (
        Consent.objects.filter(
            group_contacts__group__translation_key=group.translation_key,
            topic=ConsentTopic.GROUP_CONTACT,
            granted=True,
            withdrawn_at__isnull=True,
            person__erased_at__isnull=True,
        )
        .select_related("person")
        .order_by("-created_at")
        .distinct()
    )
