"""Subscribing (double opt-in), preferences, unsubscribing, and suppression.

- `signup_create` stores what a form asked for and e-mails its owner a confirmation link;
  nothing else is ever sent to an address that has not pressed its button. The answer is
  the same whatever the address: one already on every list asked for gets, by e-mail, its
  link to its preferences instead.
- `signup_confirm` makes the subscriptions, each with a consent record in the words shown
  (people.Consent), and lifts a suppression the address's owner has just overridden.
- A subscriber's links (preferences, and one-click unsubscribe from one list) are signed
  and last HARBOUR_NEWSLETTER_LINK_DAYS (CASL asks for at least 60); leaving a list
  withdraws its consent (kept, marked withdrawn); "stop all e-mail" leaves every list and
  suppresses the address.
- Suppressed addresses are kept as keyed hashes only (core.privacy), so erasing a supporter
  suppresses their address without keeping it."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from harbour.core.confirmed_action import InvalidLink
from harbour.core.postal import PROVINCE_NAMES
from harbour.core.privacy import keyed_hash
from harbour.core.tokens import (
    TokenExpired,
    TokenInvalid,
    confirmation_token_read,
    content_digest,
    token_make,
    token_open,
)
from harbour.core.validation import Checks
from harbour.people.models import ConsentTopic, Person
from harbour.people.services import consent_record, normalise_email, person_get_or_create

from .models import (
    MailingList,
    NewsletterPage,
    SignupRequest,
    Subscription,
    SubscriptionState,
    Suppression,
    SuppressionReason,
)

CONFIRM_SALT = "harbour.newsletter.signup"
PREFERENCES_SALT = "harbour.newsletter.preferences"
UNSUBSCRIBE_SALT = "harbour.newsletter.unsubscribe"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


class InvalidNewsletterLink(InvalidLink):
    pass


def link_lifetime() -> datetime.timedelta:
    """How long a subscriber's links work (CASL: at least 60 days; checks.py)."""
    return datetime.timedelta(days=settings.HARBOUR_NEWSLETTER_LINK_DAYS)


def address_hash(email: str) -> str:
    return keyed_hash(normalise_email(email), purpose="newsletter-suppression")


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(address_hash=address_hash(email)).exists()


def suppress(email: str, reason: str) -> None:
    Suppression.objects.get_or_create(address_hash=address_hash(email), defaults={"reason": reason})


def suppression_lift(email: str, *, hard_bounce_too: bool) -> None:
    """The address's owner asked again (a confirmed sign-up, or an action's newsletter box):
    its suppression is lifted, and its soft-bounce count starts again from nothing. An
    action's box does not override a hard bounce (the address could not receive mail)."""
    from .models import DeliveryProblem

    hashed = address_hash(email)
    suppressions = Suppression.objects.filter(address_hash=hashed)
    if not hard_bounce_too:
        suppressions = suppressions.exclude(reason=SuppressionReason.HARD_BOUNCE)
    suppressions.delete()
    DeliveryProblem.objects.filter(address_hash=hashed).delete()


def offered_lists() -> Any:
    return MailingList.objects.filter(offered=True).select_related("group")


def senders(lists: Iterable[MailingList]) -> str:
    """Who sends these lists' mailings (CASL's identification): the alliance, and each
    member group whose list it is."""
    from harbour.core.branding import brand

    groups = {str(item.group.title) for item in lists if item.group is not None}
    names = [brand().name, *sorted(groups)]
    return ", ".join(names)


def signup_create(
    *,
    page: NewsletterPage,
    email: str,
    name: str = "",
    province: str = "",
    language: str = "",
    list_ids: Iterable[int] = (),
    consent: bool = False,
    wording: str,
    wording_language: str,
    source: str,
    ip_hash: str = "",
) -> SignupRequest | None:
    """Store a sign-up and queue the e-mail to its owner (the confirmation, or, for an
    address on every list asked already, its preferences link). `wording` is the consent
    box's words as the form showed them, in `wording_language`. InvalidInput names every
    wrong field."""
    check = Checks({"email": email, "name": name, "province": province, "language": language})
    email = check.email()
    name = check.text("name", max_length=200, required=False)
    if province:
        province = check.choice("province", PROVINCE_NAMES)
    language = check.choice("language", LANGUAGES) if language else settings.LANGUAGE_CODE
    if wording_language not in LANGUAGES:
        raise ValueError("The consent's wording needs the language it was shown in.")
    ids = {int(i) for i in list_ids}
    lists = list(offered_lists().filter(pk__in=ids))
    if not lists or len(lists) != len(ids):
        check.fail("lists", _("Choose at least one of the lists."))
    if not consent:
        check.fail("consent", _("Tick the box to agree to receive these e-mails."))
    check.done()
    from .tasks import send_signup_mail

    with transaction.atomic():
        person, _created = person_get_or_create(
            email=email, given_name=name, province=province, language=language
        )
        on_all = Subscription.objects.filter(
            person=person, mailing_list__in=lists, state=SubscriptionState.ACTIVE
        ).count() == len(lists)
        if on_all:
            send_signup_mail.enqueue(person.pk, "already", 0)
            return None
        signup = SignupRequest.objects.create(
            page=page,
            person=person,
            name=name,
            province=province,
            language=language,
            wording=f"{wording} ({senders(lists)})",
            wording_language=wording_language,
            source=source,
            ip_hash=ip_hash,
        )
        signup.lists.set(lists)
        send_signup_mail.enqueue(person.pk, "confirm", signup.pk)
    return signup


def _digest(signup: SignupRequest) -> bytes:
    lists = ",".join(str(pk) for pk in sorted(signup.lists.values_list("pk", flat=True)))
    return content_digest(signup.page_id, signup.person_id, lists, signup.wording)


def confirmation_token(signup: SignupRequest) -> str:
    return token_make(signup.pk, salt=CONFIRM_SALT, digest=_digest(signup))


def signup_for_confirmation(*, token: str) -> SignupRequest:
    signup_id, digest = confirmation_token_read(
        token, salt=CONFIRM_SALT, error=InvalidNewsletterLink
    )
    signup = SignupRequest.objects.filter(pk=signup_id).first()
    if signup is None or signup.person_id is None or _digest(signup) != digest:
        raise InvalidNewsletterLink("invalid")
    return signup


def signup_confirm(*, token: str) -> SignupRequest:
    """The owner pressed the button: a subscription per list, each with its consent."""
    signup = signup_for_confirmation(token=token)
    with transaction.atomic():
        signup = SignupRequest.objects.select_for_update().get(pk=signup.pk)
        if signup.confirmed_at is not None or signup.person is None:
            return signup
        person = signup.person
        for mailing_list in signup.lists.all():
            _subscribe(
                person,
                mailing_list,
                signup.language,
                (signup.wording, signup.wording_language),
                signup.source,
            )
        suppression_lift(person.email or "", hard_bounce_too=True)
        signup.confirmed_at = timezone.now()
        signup.save(update_fields=["confirmed_at"])
    return signup


def _subscribe(
    person: Person,
    mailing_list: MailingList,
    language: str,
    shown: tuple[str, str],
    source: str,
) -> Subscription:
    """`shown`: the consent's words and the language they were shown in."""
    wording, wording_language = shown
    consent = consent_record(
        person=person,
        topic=ConsentTopic.NEWSLETTER,
        granted=True,
        wording=wording,
        language=wording_language,
        source=f"{source}: {mailing_list.name}",
    )
    subscription, _created = Subscription.objects.update_or_create(
        person=person,
        mailing_list=mailing_list,
        defaults={
            "state": SubscriptionState.ACTIVE,
            "language": language,
            "consent": consent,
            "withdrawn_at": None,
        },
    )
    return subscription


def action_box_record(*, person: Person, granted: bool, source: str, language: str) -> None:
    """The newsletter box of an action's form (a signature, a letter, a registration), once
    the action is confirmed (which proves the address is its owner's): the consent in the
    box's words as shown in `language` (with the senders of the lists it subscribes to),
    and, ticked, a subscription to each of those lists."""
    from harbour.core.forms import NEWSLETTER_WORDING

    language = language if language in LANGUAGES else settings.LANGUAGE_CODE
    lists = list(MailingList.objects.filter(default=True).select_related("group"))
    with translation.override(language):
        wording = f"{_(NEWSLETTER_WORDING)} ({senders(lists)})"
    consent = consent_record(
        person=person,
        topic=ConsentTopic.NEWSLETTER,
        granted=granted,
        wording=wording,
        language=language,
        source=source,
    )
    if not granted:
        return
    for mailing_list in lists:
        Subscription.objects.update_or_create(
            person=person,
            mailing_list=mailing_list,
            defaults={
                "state": SubscriptionState.ACTIVE,
                "language": person.language or settings.LANGUAGE_CODE,
                "consent": consent,
                "withdrawn_at": None,
            },
        )
    suppression_lift(person.email or "", hard_bounce_too=False)


# A subscriber's own links: preferences (by person) and one-click unsubscribe (by list).


def preferences_token(person: Person) -> str:
    return token_make(
        person.pk, salt=PREFERENCES_SALT, digest=content_digest(person.pk, person.email)
    )


def unsubscribe_token(subscription: Subscription) -> str:
    digest = content_digest(subscription.pk, subscription.person_id, subscription.mailing_list_id)
    return token_make(subscription.pk, salt=UNSUBSCRIBE_SALT, digest=digest)


def _open(token: str, salt: str) -> tuple[int, bytes]:
    try:
        return token_open(token, salt=salt, max_age=link_lifetime())
    except TokenExpired as exc:
        raise InvalidNewsletterLink("expired") from exc
    except TokenInvalid as exc:
        raise InvalidNewsletterLink("invalid") from exc


def person_for_preferences(*, token: str) -> Person:
    person_id, digest = _open(token, PREFERENCES_SALT)
    person = Person.objects.filter(pk=person_id, erased_at__isnull=True).first()
    if person is None or content_digest(person.pk, person.email) != digest:
        raise InvalidNewsletterLink("invalid")
    return person


def subscription_for_unsubscribe(*, token: str) -> Subscription:
    subscription_id, digest = _open(token, UNSUBSCRIBE_SALT)
    subscription = (
        Subscription.objects.select_related("mailing_list", "person")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None or digest != content_digest(
        subscription.pk, subscription.person_id, subscription.mailing_list_id
    ):
        raise InvalidNewsletterLink("invalid")
    return subscription


def subscription_leave(subscription: Subscription) -> None:
    """Leave one list at once: the subscription and its consent are withdrawn (kept)."""
    now = timezone.now()
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk, state=SubscriptionState.ACTIVE).update(
            state=SubscriptionState.WITHDRAWN, withdrawn_at=now
        )
        if subscription.consent_id:
            from harbour.people.models import Consent

            Consent.objects.filter(pk=subscription.consent_id, withdrawn_at=None).update(
                withdrawn_at=now
            )


def unsubscribe_all(person: Person) -> int:
    """ "Stop all e-mail": every list left, and the address suppressed; answers how many
    lists were left."""
    active = list(person.subscriptions.filter(state=SubscriptionState.ACTIVE))
    for subscription in active:
        subscription_leave(subscription)
    suppress(person.email or "", SuppressionReason.UNSUBSCRIBED)
    return len(active)


def preferences_update(
    *, person: Person, list_ids: Iterable[int], language: str, shown_language: str
) -> None:
    """The preferences page (shown in `shown_language`): stay on the ticked lists, leave the
    others; a newly ticked offered list is joined (the link proves the address is theirs),
    with its consent."""
    if shown_language not in LANGUAGES:
        shown_language = settings.LANGUAGE_CODE
    if language not in LANGUAGES:
        language = person.language or settings.LANGUAGE_CODE
    wanted = {int(i) for i in list_ids}
    with transaction.atomic():
        for subscription in person.subscriptions.select_related("mailing_list"):
            if subscription.mailing_list_id not in wanted:
                if subscription.state == SubscriptionState.ACTIVE:
                    subscription_leave(subscription)
            else:
                Subscription.objects.filter(pk=subscription.pk).update(language=language)
        have = set(
            person.subscriptions.filter(state=SubscriptionState.ACTIVE).values_list(
                "mailing_list_id", flat=True
            )
        )
        for mailing_list in offered_lists().filter(pk__in=wanted - have):
            wording = _("Ticked on my newsletter preferences page: %(list)s (%(senders)s)") % {
                "list": mailing_list.name,
                "senders": senders([mailing_list]),
            }
            shown = (wording, shown_language)
            _subscribe(person, mailing_list, language, shown, "newsletter preferences")
        Person.objects.filter(pk=person.pk).update(language=language)
