"""Supporter records: find or create by e-mail, consent, history, export, erasure."""

import datetime
from typing import Any, TypedDict, Unpack, cast

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from harbour.core.audit import audit_record
from harbour.core.confirmed_action import expired_pending_actions
from harbour.core.rows import row_insert

from .models import Consent, ConsentTopic, Person
from .registry import HistoryItem, providers


def normalise_email(email: str) -> str:
    """One address, one supporter: trimmed and lower-cased (providers treat the local part
    case-insensitively in practice)."""
    return email.strip().lower()


class SupporterDetails(TypedDict, total=False):
    """What a public form may tell about a supporter besides the address."""

    given_name: str
    family_name: str
    postal_code: str
    city: str
    province: str
    language: str


def person_insert_new(*, email: str, **details: Unpack[SupporterDetails]) -> Person | None:
    """A new supporter with this e-mail, or None when the address is already on file. One
    statement and no savepoint: the common case, and the whole of a petition spike."""
    person = Person(email=normalise_email(email), **details)
    return person if row_insert(person, unless_conflict_on="email") else None


def person_get_or_create(*, email: str, **details: Unpack[SupporterDetails]) -> tuple[Person, bool]:
    """The supporter with this e-mail, and whether it is new; new details fill blanks of an
    existing record but never overwrite. An existing one is read and locked."""
    created = person_insert_new(email=email, **details)
    if created is not None:
        return created, True
    email = normalise_email(email)
    with transaction.atomic():
        found = Person.objects.select_for_update().filter(email=email).first()
        if found is None:  # erased or purged since the INSERT found it: make it anew
            return person_get_or_create(email=email, **details)
        current = {field: getattr(found, field) for field in details}
        filled = person_fill_blanks(found.pk, current, cast(dict[str, str], details))
        for field, value in filled.items():
            setattr(found, field, value)
    return found, False


def person_fill_blanks(
    person_id: int, current: dict[str, str], details: dict[str, str]
) -> dict[str, str]:
    """Fill what the record lacks (`current` holds its values) from `details`, never
    overwriting; the caller holds the row's lock. Returns what it filled."""
    changed = {f: v for f, v in details.items() if v and not current.get(f)}
    if changed:
        Person.objects.filter(pk=person_id).update(**changed, updated_at=timezone.now())
    return changed


def consent_record(
    *,
    person: Person,
    topic: ConsentTopic | str,
    granted: bool,
    wording: str,
    language: str,
    source: str,
) -> Consent:
    """What `person` agreed to (or declined) on `source`, in `wording` as shown in
    `language` (CASL's record of consent)."""
    return Consent.objects.create(
        person=person,
        topic=topic,
        granted=granted,
        wording=wording,
        language=language,
        source=source,
    )


def person_history(*, person: Person) -> list[HistoryItem]:
    items = [
        HistoryItem(
            when=c.created_at,
            kind="consent",
            description=f"{c.get_topic_display()}: {'agreed' if c.granted else 'declined'} "
            f"({c.source})",
            state="withdrawn" if c.withdrawn_at else "",
        )
        for c in person.consents.all()
    ]
    for provider in providers():
        items.extend(provider.history(person))
    return sorted(items, key=lambda item: item.when, reverse=True)


def person_export(*, person: Person, actor: Any) -> dict[str, Any]:
    """Everything Harbour holds about one person, for an access request (PIPEDA)."""
    data: dict[str, Any] = {
        "person": {
            "email": person.email,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "postal_code": person.postal_code,
            "city": person.city,
            "province": person.province,
            "language": person.language,
            "first_seen": person.created_at.isoformat(),
        },
        "consents": [
            {
                "topic": c.topic,
                "granted": c.granted,
                "wording": c.wording,
                "language": c.language,
                "form": c.source,
                "when": c.created_at.isoformat(),
                "withdrawn": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in person.consents.all()
        ],
    }
    for provider in providers():
        data[provider.name] = provider.export(person)
    audit_record(actor=actor, action="person.export", target=person)
    return data


@transaction.atomic
def person_erase(*, person: Person, actor: Any) -> Person:
    """Wipe a person's details everywhere; their actions stay only as anonymous counts."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    for provider in providers():
        provider.erase(person)
    person.consents.all().delete()
    person.email = None
    person.given_name = person.family_name = ""
    person.postal_code = person.city = person.province = person.language = ""
    person.erased_at = timezone.now()
    person.save()
    audit_record(actor=actor, action="person.erase", target=person)
    return person


def persons_delete_unused(*, person_ids: set[int]) -> int:
    """Delete supporter records nothing points at any more (no consent, no action in any
    registered app): those created by a signature that was never confirmed."""
    deleted = 0
    for person in Person.objects.filter(pk__in=person_ids, consents=None):
        if not any(provider.in_use(person) for provider in providers()):
            person.delete()
            deleted += 1
    return deleted


def actions_delete_with_unused_supporters(actions: QuerySet[Any]) -> int:
    """Delete these actions (rows with a `person`: unconfirmed signatures, letters...), then
    the supporter records that nothing else points at any more; answers how many actions."""
    with transaction.atomic():
        # Locked first: a row confirmed at this moment either waits for the purge to end
        # (and then finds nothing to confirm) or is confirmed first and no longer matches.
        # Deleting the filter directly would read ids, then delete by id without a recheck.
        rows = list(actions.select_for_update().values_list("pk", "person_id"))
        person_ids = {person_id for _pk, person_id in rows if person_id is not None}
        _total, per_model = actions.model._default_manager.filter(
            pk__in=[pk for pk, _person_id in rows]
        ).delete()
        persons_delete_unused(person_ids=person_ids)
    return per_model.get(actions.model._meta.label, 0)


def expired_actions_purge(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete every action's rows never confirmed within their link's life (a name, an
    address, maybe a text nobody agreed to send) with the supporter records that existed
    only for them; answers how many of each action (core.confirmed_action's registry)."""
    return {
        name: actions_delete_with_unused_supporters(rows)
        for name, rows in expired_pending_actions(now).items()
    }
