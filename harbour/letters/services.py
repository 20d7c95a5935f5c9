"""Letter campaign rules, shared by the views, tasks, admin and commands."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from harbour.core.confirmed_action import InvalidLink
from harbour.core.mailsend import action_mail_send, confirmation_url
from harbour.core.models import ActionPage
from harbour.core.rows import row_insert
from harbour.core.tokens import confirmation_token_read, content_digest, token_make
from harbour.core.validation import Checks
from harbour.newsletter.services import action_box_record
from harbour.people.models import Person
from harbour.people.services import (
    normalise_email,
    person_fill_blanks,
    person_get_or_create,
    person_insert_new,
)
from harbour.representatives.lookup import district_lookup
from harbour.representatives.models import ElectoralDistrict, Representative
from harbour.representatives.selectors import (
    district_by_code,
    sitting_mps,
)

from .models import Delivery, DeliveryState, Letter, LetterCampaignPage, LetterState
from .rendering import template_head
from .selectors import supporter_on_file
from .states import delivery_move, letter_move

CONFIRM_SALT = "harbour.letters.confirm"


class LetterError(Exception):
    """A rule said no; the message is for the supporter."""


class InvalidConfirmation(LetterError, InvalidLink):
    """A link that confirms nothing (core.confirmed_action)."""


def campaign_targets(
    *, campaign: LetterCampaignPage, district: ElectoralDistrict | None
) -> list[Representative]:
    """Whom a supporter in `district` writes to: their MP (if the campaign says so), the
    fixed targets and the members of the target groups, each once, active only."""
    chosen: dict[int, Representative] = {}
    querysets = [campaign.fixed_targets.filter(active_to=None)]  # a related manager
    querysets += [group.members() for group in campaign.target_groups.all()]
    if campaign.target_own_mp and district is not None:
        querysets.insert(0, sitting_mps(district=district))
    for queryset in querysets:
        # The page shows each recipient's district and title: fetched with them, not per row.
        for rep in queryset.select_related("district").prefetch_related("roles"):
            chosen.setdefault(rep.pk, rep)
    return list(chosen.values())


@dataclass(frozen=True)
class LetterOutcome:
    """What a submission did. The supporter sees the same page whatever it is; only the
    address's owner learns, by e-mail, which it was."""

    letter: Letter | None  # None: this address had already sent a letter; nothing stored
    created: bool


def letter_district(code: str, postal_code: str) -> tuple[ElectoralDistrict | None, bool]:
    """The riding a letter is written from: the one the supporter chose ("Not your riding?"),
    else the one their postal code points to; and whether that was approximate."""
    chosen = district_by_code(code)
    if chosen is not None:
        return chosen, False
    found = district_lookup(postal_code)
    return found.district, found.approximate


def letter_create(
    *,
    campaign: LetterCampaignPage,
    email: str,
    given_name: str,
    family_name: str,
    postal_code: str,
    city: str,
    district_code: str,
    subject: str,
    body: str,
    newsletter: bool,
    ip_hash: str = "",
    language: str = "",
) -> LetterOutcome:
    """Store a pending letter and queue its confirmation e-mail (nobody writes in another
    person's name: nothing is sent until the address owner confirms).

    The input is checked here, for every caller (InvalidInput names each wrong field); the
    riding is the chosen one or the postal code's. A submission never changes an earlier
    one: each pending letter has its own link, bound to its own words, so someone who knows
    a supporter's address cannot replace what the supporter's link sends. An address that
    already sent a letter in this campaign stores nothing; its owner is told by e-mail.
    Where the campaign does not let supporters edit, its own template is stored, whatever
    the form carried."""
    if not campaign.is_open():
        raise LetterError("This campaign is closed.")
    if campaign.delivery != "send":
        raise LetterError("This campaign's letters are sent from your own e-mail program.")
    templated = not campaign.allow_editing
    head = "" if templated else template_head(campaign.body_template)[0]
    if templated:
        subject, body = campaign.subject_template, campaign.body_template
    check = Checks(
        {
            "email": email,
            "given_name": given_name,
            "family_name": family_name,
            "postal_code": postal_code,
            "city": city,
            "district": district_code,
            "subject": subject,
            "body": body,
        }
    )
    email = check.email()
    given_name = check.text("given_name", max_length=100)
    family_name = check.text("family_name", max_length=100)
    postal_code = check.postal_code()
    city = check.text("city", max_length=100, required=False)
    district_code = check.text("district", max_length=10, required=False)
    if not templated:
        subject = check.text("subject", max_length=200)
        body = check.text("body", max_length=campaign.max_length, multiline=True)
        if body and len(body) < 20:
            check.fail("body", _("Your letter is too short."))
    check.done()
    district, _approximate = letter_district(district_code, postal_code)
    person_details = {
        "given_name": given_name,
        "family_name": family_name,
        "postal_code": postal_code,
        "city": city,
        "province": district.province if district else "",
        "language": language,
    }
    with transaction.atomic():
        person = person_insert_new(email=email, **person_details)
        person_id = person.pk if person is not None else None
        if person is None:
            # On file: one locked read tells whether it already wrote here. An address that
            # did costs what a new one does (an INSERT that found it, a read, a task), so
            # the answer's timing does not tell them apart.
            found = supporter_on_file(email=normalise_email(email), campaign_id=campaign.pk)
            if found is None:  # erased since the INSERT found it: make it anew
                person_id = person_get_or_create(email=email, **person_details)[0].pk
            elif found.sent_letter_id is not None:
                from .tasks import send_letter_already_sent

                send_letter_already_sent.enqueue(found.sent_letter_id)
                return LetterOutcome(letter=None, created=False)
            else:
                person_id = found.person_id
                person_fill_blanks(person_id, found.fields, person_details)
        letter = Letter(
            campaign=campaign,
            person_id=person_id,
            district=district,
            supporter_name=f"{given_name} {family_name}".strip(),
            supporter_city=city,
            subject=subject,
            body=body,
            templated=templated,
            head=head,
            ip_hash=ip_hash,
            newsletter=newsletter,
        )
        # One INSERT whose SQL is built once (core.rows): a new address's answer costs what
        # a repeat's does, and the hot path stays short.
        row_insert(letter)
        _enqueue_confirmation(letter)
    return LetterOutcome(letter=letter, created=True)


def _confirmed_letter(campaign_id: int, person_id: int) -> Letter | None:
    return Letter.objects.filter(
        campaign_id=campaign_id, person_id=person_id, state=LetterState.CONFIRMED
    ).first()


def _enqueue_confirmation(letter: Letter) -> None:
    from .tasks import send_letter_confirmation

    send_letter_confirmation.enqueue(letter.pk)


def _digest(letter: Letter) -> bytes:
    """What the supporter submitted; a link confirms these words and nothing else."""
    return content_digest(
        letter.campaign_id,
        letter.person_id,
        letter.district_id,
        letter.supporter_name,
        letter.supporter_city,
        letter.subject,
        letter.body,
        letter.templated,
        letter.newsletter,
        # Only when there is one, so links sent before letters had a head still work.
        *([letter.head] if letter.head else []),
    )


def confirmation_token(letter: Letter) -> str:
    return token_make(letter.pk, salt=CONFIRM_SALT, digest=_digest(letter))


def _send_to_owner(letter: Letter, template: str, claim: str, **extra: object) -> bool:
    """An e-mail to the letter's address, in the supporter's language, from
    `letters/email/<template>`; False if the address is gone or the claim was taken."""
    page = letter.campaign.specific
    context = {"letter": letter, "campaign": page, **extra}
    template = f"letters/email/{template}"
    return action_mail_send(
        letter.person, page=page, template=template, context=context, claim=claim
    )


def letter_confirmation_send(*, letter_id: int, claim: str) -> bool:
    """Send (or resend) the confirmation e-mail, once per `claim`; False if there is
    nothing to confirm."""
    letter = Letter.objects.select_related("person", "campaign").filter(pk=letter_id).first()
    if letter is None or letter.state != LetterState.PENDING:
        return False
    page = letter.campaign.specific
    if letter.person is not None and isinstance(page, ActionPage):
        page = page.in_language(letter.person.language)  # the supporter's language
    url = confirmation_url(page, confirmation_token(letter))
    return _send_to_owner(letter, "confirm", claim, url=url)


def letter_already_sent_notify(*, letter_id: int, claim: str) -> bool:
    """Tell the owner of an address that wrote again that their letter had already gone
    (the form said only "check your e-mail", to them as to anyone)."""
    letter = Letter.objects.select_related("person", "campaign").filter(pk=letter_id).first()
    if letter is None or letter.state != LetterState.CONFIRMED:
        return False
    return _send_to_owner(letter, "already_sent", claim)


def _letter_id(token: str) -> tuple[int, bytes]:
    return confirmation_token_read(token, salt=CONFIRM_SALT, error=InvalidConfirmation)


def letter_for_confirmation(*, token: str) -> Letter:
    """The letter a confirmation link names, changing nothing: opening the link (as a mail
    scanner does) only shows the button that sends."""
    letter_id, digest = _letter_id(token)
    letter = Letter.objects.select_related("district").filter(pk=letter_id).first()
    if letter is None or _digest(letter) != digest:
        raise InvalidConfirmation("invalid")
    return letter


def letter_confirm(*, token: str) -> Letter:
    """The supporter confirmed (the button behind the link): create one delivery per
    recipient and queue the letter. One letter per supporter and campaign: a second
    pending one cannot be sent once another has been."""
    letter_id, digest = _letter_id(token)
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None or _digest(letter) != digest:
            raise InvalidConfirmation("invalid")
        if letter.state != LetterState.PENDING:
            return letter
        if letter.person_id is not None:
            # Two of the supporter's links pressed at once: one waits for the other here.
            Person.objects.select_for_update().filter(pk=letter.person_id).first()
            if _confirmed_letter(letter.campaign_id, letter.person_id) is not None:
                raise InvalidConfirmation("already sent")
        letter_move(letter, LetterState.CONFIRMED, confirmed_at=timezone.now())
        if letter.person is not None:
            action_box_record(
                person=letter.person,
                granted=letter.newsletter,
                source=f"letter form, page {letter.campaign_id}",
                language=letter.person.language,  # a letter does not keep its form's
            )
        campaign = letter.campaign.specific
        for rep in campaign_targets(campaign=campaign, district=letter.district):
            _delivery_create(letter, rep, campaign)
        from .tasks import send_letter

        # One task sends the letter's deliveries that may go now and the supporter's copy.
        send_letter.enqueue(letter.pk)
    return letter


def _delivery_create(letter: Letter, rep: Representative, campaign: LetterCampaignPage) -> None:
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                letter=letter, representative=rep, digest=campaign.daily_digest
            )
    except IntegrityError:
        return
    if not campaign.daily_digest:
        delivery_queue_or_defer(delivery, campaign)  # send_letter sends it if it may go


def _sent_today(rep_id: int, campaign_id: int, today: datetime.date) -> int:
    """This campaign's letters to this office sent or on their way today (this one too)."""
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    return (
        Delivery.objects.filter(
            representative_id=rep_id,
            letter__campaign_id=campaign_id,
            digest=False,
            state__in=[DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.SENT],
        )
        .filter(Q(sent_at__gte=start) | Q(sent_at=None))
        .count()
    )


def delivery_queue_or_defer(delivery: Delivery, campaign: LetterCampaignPage) -> bool:
    """True if the delivery may go now; False if the office already had its daily share
    from this campaign, and the delivery is deferred to tomorrow. The caller queues it."""
    today = timezone.localdate()
    cap = campaign.daily_cap_per_target
    if cap and _sent_today(delivery.representative_id, campaign.pk, today) > cap:
        delivery.not_before = today + datetime.timedelta(days=1)
        delivery_move(
            Delivery.objects.filter(pk=delivery.pk),
            DeliveryState.QUEUED,
            DeliveryState.DEFERRED,
            not_before=delivery.not_before,
        )
        delivery.state = DeliveryState.DEFERRED
        return False
    return True
