"""Letter campaign rules, shared by the views, tasks, admin and commands."""

import datetime
import smtplib
import string
from dataclasses import dataclass
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from harbour.core.tokens import TokenExpired, TokenInvalid, token_make, token_read
from harbour.people.models import ConsentTopic
from harbour.people.services import consent_record, person_get_or_create
from harbour.representatives.models import ElectoralDistrict, Office, Representative

from .models import Delivery, DeliveryState, Letter, LetterCampaignPage, LetterState
from .selectors import public_letter_count_forget

CONFIRM_SALT = "harbour.letters.confirm"


class LetterError(Exception):
    """A rule said no; the message is for the supporter."""


class InvalidConfirmation(LetterError):
    pass


def campaign_targets(
    *, campaign: LetterCampaignPage, district: ElectoralDistrict | None
) -> list[Representative]:
    """Whom a supporter in `district` writes to: their MP (if the campaign says so), the
    fixed targets and the members of the target groups, each once, active only."""
    chosen: dict[int, Representative] = {}
    if campaign.target_own_mp and district is not None:
        for rep in Representative.objects.filter(
            district=district, office=Office.MP, active_to=None
        ):
            chosen[rep.pk] = rep
    for rep in campaign.fixed_targets.filter(active_to=None):
        chosen.setdefault(rep.pk, rep)
    for group in campaign.target_groups.all():
        for rep in group.members():
            chosen.setdefault(rep.pk, rep)
    return list(chosen.values())


def representative_title(rep: Representative) -> str:
    roles = [r.title_en for r in rep.roles.all() if r.kind == "cabinet"]
    if roles:
        return roles[0]
    if rep.office == Office.MP and rep.district_id:
        return f"Member of Parliament for {rep.district.name_en}"  # type: ignore[union-attr]
    return rep.get_office_display()


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # an unknown placeholder is left as typed


def letter_render(
    text: str,
    *,
    rep: Representative | None,
    district: ElectoralDistrict | None,
    supporter_name: str,
    supporter_city: str,
) -> str:
    values = _Blank(
        representative=str(rep) if rep else "",
        representative_title=representative_title(rep) if rep else "",
        district=district.name_en if district else "",
        supporter_name=supporter_name,
        supporter_city=supporter_city,
    )
    try:
        return string.Formatter().vformat(text, (), values)
    except (ValueError, IndexError, KeyError, AttributeError):
        return text  # a stray brace: send the text as written


@dataclass(frozen=True)
class LetterOutcome:
    letter: Letter
    created: bool


def letter_create(
    *,
    campaign: LetterCampaignPage,
    email: str,
    given_name: str,
    family_name: str,
    postal_code: str,
    city: str,
    district: ElectoralDistrict | None,
    subject: str,
    body: str,
    newsletter: bool,
    ip_hash: str = "",
    language: str = "",
) -> LetterOutcome:
    """Store a pending letter and queue its confirmation e-mail (nobody writes in another
    person's name: nothing is sent until the address owner confirms)."""
    if not campaign.is_open():
        raise LetterError("This campaign is closed.")
    if campaign.delivery != "send":
        raise LetterError("This campaign's letters are sent from your own e-mail program.")
    with transaction.atomic():
        person, _ = person_get_or_create(
            email=email,
            given_name=given_name,
            family_name=family_name,
            postal_code=postal_code,
            city=city,
            province=district.province if district else "",
            language=language,
        )
        pending = Letter.objects.filter(
            campaign=campaign, person=person, state=LetterState.PENDING
        ).first()
        if pending is not None:  # an unconfirmed letter: replace its text, resend the link
            pending.subject, pending.body, pending.district = subject, body, district
            pending.save(update_fields=["subject", "body", "district"])
            _enqueue_confirmation(pending)
            return LetterOutcome(letter=pending, created=False)
        letter = Letter.objects.create(
            campaign=campaign,
            person=person,
            district=district,
            supporter_name=f"{given_name} {family_name}".strip(),
            supporter_city=city,
            subject=subject,
            body=body,
            ip_hash=ip_hash,
        )
        consent_record(
            person=person,
            topic=ConsentTopic.NEWSLETTER,
            granted=newsletter,
            wording="Send me the coalition's news and campaign updates.",
            source=f"letter form, page {campaign.pk}",
        )
        _enqueue_confirmation(letter)
    return LetterOutcome(letter=letter, created=True)


def _enqueue_confirmation(letter: Letter) -> None:
    from .tasks import send_letter_confirmation

    send_letter_confirmation.enqueue(letter.pk)


def confirmation_token(letter: Letter) -> str:
    return token_make(letter.pk, salt=CONFIRM_SALT)


def letter_confirmation_send(*, letter_id: int) -> bool:
    letter = Letter.objects.select_related("person", "campaign").filter(pk=letter_id).first()
    if letter is None or letter.state != LetterState.PENDING or not letter.person:
        return False
    if not letter.person.email:
        return False
    campaign = letter.campaign.specific
    with translation.override(letter.person.language or settings.LANGUAGE_CODE):
        url = f"{settings.SITE_URL}{campaign.url}confirm/{confirmation_token(letter)}/"
        context = {
            "letter": letter,
            "campaign": campaign,
            "url": url,
            "days": settings.HARBOUR_SIGNATURE_CONFIRM_DAYS,
        }
        message = EmailMultiAlternatives(
            subject=render_to_string("letters/email/confirm_subject.txt", context).strip(),
            body=render_to_string("letters/email/confirm.txt", context),
            to=[letter.person.email],
        )
        message.attach_alternative(
            render_to_string("letters/email/confirm.html", context), "text/html"
        )
    message.send()
    return True


def letter_confirm(*, token: str) -> Letter:
    """The supporter confirmed: create one delivery per recipient and queue them."""
    try:
        letter_id = token_read(
            token,
            salt=CONFIRM_SALT,
            max_age=datetime.timedelta(days=settings.HARBOUR_SIGNATURE_CONFIRM_DAYS),
        )
    except TokenExpired as exc:
        raise InvalidConfirmation("expired") from exc
    except TokenInvalid as exc:
        raise InvalidConfirmation("invalid") from exc
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None:
            raise InvalidConfirmation("invalid")
        if letter.state != LetterState.PENDING:
            return letter
        letter.state = LetterState.CONFIRMED
        letter.confirmed_at = timezone.now()
        letter.save(update_fields=["state", "confirmed_at"])
        campaign = letter.campaign.specific
        for rep in campaign_targets(campaign=campaign, district=letter.district):
            _delivery_create(letter, rep, campaign)
        from .tasks import send_supporter_copy

        send_supporter_copy.enqueue(letter.pk)
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
        _queue_or_defer(delivery, campaign)


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


def _queue_or_defer(delivery: Delivery, campaign: LetterCampaignPage) -> None:
    """Queue the send, unless the office already had its daily share from this campaign."""
    from .tasks import send_delivery

    today = timezone.localdate()
    cap = campaign.daily_cap_per_target
    if cap and _sent_today(delivery.representative_id, campaign.pk, today) > cap:
        delivery.state = DeliveryState.DEFERRED
        delivery.not_before = today + datetime.timedelta(days=1)
        delivery.save(update_fields=["state", "not_before"])
        return
    send_delivery.enqueue(delivery.pk)


MAX_ATTEMPTS = 5


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return getattr(error, "smtp_code", 0) >= 500


def deliveries_retry() -> int:
    """Queue again the deliveries a temporary failure put back (run every 15 minutes)."""
    from .tasks import send_delivery

    waiting = Delivery.objects.filter(state=DeliveryState.QUEUED, digest=False, attempts__gt=0)
    count = 0
    for delivery_id in waiting.values_list("pk", flat=True):
        send_delivery.enqueue(delivery_id)
        count += 1
    return count


def delivery_send(*, delivery_id: int) -> str:
    """Send one letter to one office, at most once.

    The message id is recorded (committed) before the SMTP call. A retry that finds a
    delivery already `sending` cannot know whether the message left before the worker
    died, so it does not send again: it marks the delivery sent-unconfirmed for review."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related(
                "letter",
                "letter__person",
                "letter__district",
                "representative",
                "representative__district",
            )
            .prefetch_related("representative__roles")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state in (DeliveryState.SENT, DeliveryState.FAILED):
            return delivery.state if delivery else "missing"
        if delivery.state == DeliveryState.SENDING:
            delivery.state = DeliveryState.SENT
            delivery.error = "Worker stopped during sending; not sent again."
            delivery.sent_at = delivery.sent_at or timezone.now()
            delivery.save(update_fields=["state", "error", "sent_at"])
            return "reconciled"
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">") or "harbour.invalid"
        delivery.message_id = make_msgid(domain=domain)
        delivery.state = DeliveryState.SENDING
        delivery.attempts += 1
        delivery.save(update_fields=["message_id", "state", "attempts"])
    message = _letter_message(delivery)
    try:
        message.send()
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        # A permanent refusal (5xx) or too many attempts fails the delivery; anything else
        # puts it back in the queue for `letters_retry` (the message did not leave).
        failed = _is_permanent(error) or delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED if failed else DeliveryState.QUEUED,
            error=type(error).__name__,
        )
        return "failed" if failed else "retry"
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENT, sent_at=timezone.now())
    public_letter_count_forget(page_id=delivery.letter.campaign_id)
    return "sent"


def _from_header(name: str) -> str:
    address = settings.DEFAULT_FROM_EMAIL
    plain = address.rsplit("<", 1)[-1].rstrip(">").strip()
    return formataddr((f"{name} (via Harbour)", plain))


def _letter_message(delivery: Delivery) -> EmailMessage:
    letter = delivery.letter
    rep = delivery.representative
    person = letter.person
    body = letter_render(
        letter.body,
        rep=rep,
        district=letter.district,
        supporter_name=letter.supporter_name,
        supporter_city=letter.supporter_city,
    )
    own_mp = letter.district_id is not None and rep.district_id == letter.district_id
    footer = [f"{letter.supporter_name}", letter.supporter_city]
    if own_mp and person and person.postal_code:
        footer.append(person.postal_code)  # a constituent's address goes to their own MP only
    text = body.rstrip() + "\n\n--\n" + "\n".join(f for f in footer if f) + "\n"
    return EmailMessage(
        subject=letter_render(
            letter.subject,
            rep=rep,
            district=letter.district,
            supporter_name=letter.supporter_name,
            supporter_city=letter.supporter_city,
        ),
        body=text,
        from_email=_from_header(letter.supporter_name),
        to=[rep.email],
        reply_to=[person.email] if person and person.email else [],
        headers={"Message-ID": delivery.message_id},
    )


def supporter_copy_send(*, letter_id: int) -> bool:
    letter = Letter.objects.select_related("person").filter(pk=letter_id).first()
    if letter is None or not letter.person or not letter.person.email:
        return False
    recipients = [str(d.representative) for d in letter.deliveries.select_related("representative")]
    body = render_to_string("letters/email/copy.txt", {"letter": letter, "recipients": recipients})
    EmailMessage(subject=f"Copy: {letter.subject}", body=body, to=[letter.person.email]).send()
    return True


def deliveries_release_deferred(*, today: datetime.date | None = None) -> int:
    """Queue deferred deliveries whose day has come (run daily)."""
    today = today or timezone.localdate()
    released = 0
    for delivery in Delivery.objects.filter(
        state=DeliveryState.DEFERRED, not_before__lte=today
    ).select_related("letter"):
        delivery.state = DeliveryState.QUEUED
        delivery.save(update_fields=["state"])
        _queue_or_defer(delivery, delivery.letter.campaign.specific)
        released += 1
    return released


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """One message per office per campaign carrying every letter waiting for it."""
    waiting: QuerySet[Delivery] = Delivery.objects.filter(
        digest=True, state=DeliveryState.QUEUED
    ).select_related("letter", "representative", "letter__person", "letter__district")
    groups: dict[tuple[int, int], list[Delivery]] = {}
    for delivery in waiting:
        groups.setdefault((delivery.representative_id, delivery.letter.campaign_id), []).append(
            delivery
        )
    sent = 0
    for (_rep_id, campaign_id), deliveries in groups.items():
        rep = deliveries[0].representative
        campaign = LetterCampaignPage.objects.get(pk=campaign_id)
        parts = [str(_letter_message(d).body) for d in deliveries]
        with transaction.atomic():
            ids = [d.pk for d in deliveries]
            locked = Delivery.objects.select_for_update().filter(
                pk__in=ids, state=DeliveryState.QUEUED
            )
            if locked.count() != len(ids):
                continue
            locked.update(state=DeliveryState.SENDING, message_id=make_msgid())
        EmailMessage(
            subject=f"{len(deliveries)} letters from constituents and supporters: {campaign.title}",
            body=("\n\n" + "=" * 60 + "\n\n").join(parts),
            to=[rep.email],
        ).send()
        Delivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.SENT, sent_at=now or timezone.now()
        )
        sent += 1
    return sent
