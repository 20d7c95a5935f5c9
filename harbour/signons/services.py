"""Sign-on rules, shared by the public views, the admin, the tasks and the commands."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from wagtail.models import Page

from harbour.coalition.sharing import group_contact_consent_record, group_contact_wording
from harbour.core.audit import audit_record
from harbour.core.confirmed_action import InvalidLink
from harbour.core.mailsend import action_mail_send
from harbour.core.mailsend import confirmation_url as action_confirmation_url
from harbour.core.models import ActionPage
from harbour.core.rows import row_insert
from harbour.core.tokens import confirmation_token_read, content_digest, token_make
from harbour.newsletter.services import action_box_record
from harbour.people.models import ConsentTopic, Person
from harbour.people.services import (
    consent_record,
    normalise_email,
    person_get_or_create,
    person_insert_new,
)
from harbour.representatives.services import (
    address_may_be_a_members,
    district_code_for_postal_code,
    in_legislature_domain,
)

from .inputs import signer_details
from .models import Signature, SignatureState, SignerKind
from .models.pages import SignOnPage
from .selectors import signature_on_page
from .states import TransitionRefused, signature_move

CONFIRM_SALT = "harbour.signons.confirm"


class SignOnError(Exception):
    """A rule said no; the message is for the person who tried."""


class SigningClosed(SignOnError):
    pass


class InvalidConfirmation(SignOnError, InvalidLink):
    """A link that confirms nothing (core.confirmed_action)."""


class StateError(SignOnError):
    pass


@dataclass(frozen=True)
class SignOutcome:
    """What a submission did. The signer sees the same page whatever it is; only the
    address's owner learns, by e-mail, which it was."""

    signature: Signature | None  # None: the address had signed this page; nothing stored
    created: bool
    resent: bool = False


LISTING_WORDING = (
    "How your name appears on the public list: full name, initials and city, or not at all. "
    "Your e-mail address and postal code are never shown."
)


def signature_create(
    *,
    page: SignOnPage,
    kind: str,
    email: str,
    details: dict[str, Any],
    ip_hash: str = "",
    language: str = "",
    held: bool = False,
) -> SignOutcome:
    """Record a pending signature and queue its confirmation e-mail, in one transaction.

    Signing again with the same e-mail creates and changes nothing: the address's owner is
    sent the first signature's confirmation link again while it is unconfirmed, or told
    that they have already signed. Every path queues one e-mail, so the caller can answer
    all of them alike. `held`: the signature waits for a moderator once confirmed (its
    network went past the per-network limit)."""
    if not page.is_open():
        raise SigningClosed("This page is not accepting signatures.")
    if kind not in page.accepted_kinds():
        raise SignOnError("This page does not accept that kind of signer.")
    email, details = signer_details(kind, email, details)  # InvalidInput if anything is wrong
    person_details = {
        "email": email,
        "given_name": details.get("given_name", ""),
        "family_name": details.get("family_name", ""),
        "postal_code": details.get("postal_code", ""),
        "city": details.get("city", ""),
        "province": details.get("province", ""),
        "language": language,
    }
    fields = _signature_fields(kind, details)
    with transaction.atomic():
        person = person_insert_new(**person_details)
        if person is not None:
            # A person inserted by this transaction cannot have signed yet, and no other
            # transaction can see it: no lookup and no savepoint on the hot path.
            signature = Signature(
                page=page, person=person, kind=kind, ip_hash=ip_hash, held=held, **fields
            )
            row_insert(signature)
            _enqueue_confirmation(signature.pk)
            return SignOutcome(signature=signature, created=True)
        # An address that signed this page already costs what a new one does (the INSERT
        # that found the address, one read, one task), so the answer's timing does not
        # tell them apart; its record is not changed by what a stranger typed.
        signed = signature_on_page(page_id=page.pk, email=normalise_email(email))
        if signed is None:  # on file (another page, a letter), not signed here yet
            person, _new = person_get_or_create(**person_details)
            try:
                with transaction.atomic():
                    signature = Signature.objects.create(
                        page=page,
                        person=person,
                        kind=kind,
                        ip_hash=ip_hash,
                        held=held,
                        **fields,
                    )
            except IntegrityError:  # the same person, at the same moment, in another request
                existing = Signature.objects.get(page=page, person=person)
                signed = (existing.pk, existing.state)
            else:
                _enqueue_confirmation(signature.pk)
                return SignOutcome(signature=signature, created=True)
        signature_id, state = signed
        if state == SignatureState.PENDING:
            _enqueue_confirmation(signature_id)
            return SignOutcome(signature=None, created=False, resent=True)
        from .tasks import send_signature_already_signed

        send_signature_already_signed.enqueue(signature_id)
        return SignOutcome(signature=None, created=False)


def _signature_fields(kind: str, details: dict[str, Any]) -> dict[str, Any]:
    postal_code = details.get("postal_code", "")
    common = {
        "district_code": district_code_for_postal_code(postal_code) if postal_code else "",
        "city": details.get("city", ""),
        "newsletter": bool(details.get("newsletter")),
        "group_contact": bool(details.get("group_contact")),
        "province": details.get("province", ""),
        "fsa": postal_code[:3],
    }
    if kind == SignerKind.ORGANISATION:
        return {
            **common,
            "name": details["organisation"],
            "region": details.get("region", ""),
            "website": details.get("website", ""),
            "contact_name": details.get("contact_name", ""),
        }
    if kind == SignerKind.PARLIAMENTARIAN:
        return {
            **common,
            "name": details["name"],
            "honorific": details.get("honorific", ""),
            "office": details["office"],
            "region": details.get("region", ""),
        }
    name = f"{details['given_name']} {details['family_name']}".strip()
    return {**common, "name": name, "listing": details["listing"]}


def _enqueue_confirmation(signature_id: int) -> None:
    from .tasks import send_signature_confirmation

    # Enqueued in the caller's transaction: the task row commits (or rolls back) with the
    # signature that caused it (database backend).
    send_signature_confirmation.enqueue(signature_id)


def _digest(signature: Signature) -> bytes:
    """What the signer submitted; a link confirms this and nothing else."""
    return content_digest(
        signature.page_id,
        signature.person_id,
        signature.kind,
        signature.name,
        signature.honorific,
        signature.office,
        signature.city,
        signature.region,
        signature.website,
        signature.listing,
        signature.contact_name,
        signature.newsletter,
    )


def confirmation_token(signature: Signature) -> str:
    return token_make(signature.pk, salt=CONFIRM_SALT, digest=_digest(signature))


def confirmation_url(signature: Signature) -> str:
    """The link, on the page in the signer's language where it is translated."""
    page = signature.page.specific
    if signature.person is not None and isinstance(page, ActionPage):
        page = page.in_language(signature.person.language)
    return action_confirmation_url(page, confirmation_token(signature))


def _send_to_signer(signature: Signature, template: str, claim: str, **extra: object) -> bool:
    """An e-mail to the signature's address, in the signer's language, from
    `signons/email/<template>`; False if the address is gone or the claim was taken."""
    page, context = signature.page.specific, {"signature": signature, **extra}
    template = f"signons/email/{template}"
    return action_mail_send(
        signature.person, page=page, template=template, context=context, claim=claim
    )


def signature_confirmation_send(*, signature_id: int, claim: str) -> bool:
    """Send (or resend) the confirmation e-mail, once per `claim`; False if there is
    nothing to confirm."""
    signature = Signature.objects.select_related("person", "page").filter(pk=signature_id).first()
    if signature is None or signature.state != SignatureState.PENDING:
        return False
    if not _send_to_signer(signature, "confirm", claim, url=confirmation_url(signature)):
        return False
    Signature.objects.filter(pk=signature.pk).update(confirmation_sent_at=timezone.now())
    return True


def signature_already_signed_notify(*, signature_id: int, claim: str) -> bool:
    """Tell the owner of an address that signed again where their signature stands (the
    form said only "check your e-mail", to them as to anyone)."""
    signature = Signature.objects.select_related("person", "page").filter(pk=signature_id).first()
    if signature is None or signature.state == SignatureState.PENDING:
        return False
    return _send_to_signer(signature, "already_signed", claim)


def _is_official_address(email: str) -> bool:
    """A legislature's domain (HARBOUR_PARLIAMENT_DOMAINS), and not an address there that
    belongs to someone other than a member (representatives.services)."""
    return in_legislature_domain(email) and address_may_be_a_members(email)


def _signature_id(token: str) -> tuple[int, bytes]:
    return confirmation_token_read(token, salt=CONFIRM_SALT, error=InvalidConfirmation)


def signature_for_confirmation(*, token: str) -> Signature:
    """The signature a confirmation link names, changing nothing: opening the link (as a
    mail scanner does) only shows the button that confirms."""
    signature_id, digest = _signature_id(token)
    signature = Signature.objects.filter(pk=signature_id).first()
    if signature is None or _digest(signature) != digest:
        raise InvalidConfirmation("invalid")
    return signature


def signature_confirm(*, token: str) -> Signature:
    """The e-mail owner confirmed (the button behind the link): count the signature, or
    send it to moderation.

    Individuals count at once. Organisations always wait for a moderator (nobody may add a
    group that did not agree); parliamentarians too unless they wrote from an official
    parliamentary address."""
    signature_id, digest = _signature_id(token)
    with transaction.atomic():
        signature = (
            # of=self: PostgreSQL cannot lock the nullable side of the person outer join.
            Signature.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(pk=signature_id)
            .first()
        )
        if signature is None or _digest(signature) != digest:
            raise InvalidConfirmation("invalid")
        if signature.state != SignatureState.PENDING:
            return signature
        needs_moderation = (
            signature.held
            or signature.kind == SignerKind.ORGANISATION
            or (
                signature.kind == SignerKind.PARLIAMENTARIAN
                and not _is_official_address(
                    signature.person.email or "" if signature.person else ""
                )
            )
        )
        signature_move(
            signature,
            SignatureState.AWAITING_MODERATION if needs_moderation else SignatureState.CONFIRMED,
            confirmed_at=timezone.now(),
        )
        if signature.person is not None:
            _record_consents(signature, signature.person)
    return signature


def _record_consents(signature: Signature, person: Person) -> None:
    source = f"sign-on form, page {signature.page_id}"
    if signature.kind == SignerKind.INDIVIDUAL:
        consent_record(
            person=person,
            topic=ConsentTopic.PUBLIC_LISTING,
            granted=signature.listing != "hidden",
            wording=LISTING_WORDING,
            language="en",  # a description kept in English, not a form's words
            source=source,
        )
    # A signature does not keep its form's language: the supporter's language on file
    # (their first form's) is the one the boxes are recorded in.
    language = person.language or settings.LANGUAGE_CODE
    action_box_record(person=person, granted=signature.newsletter, source=source, language=language)
    if signature.group_contact:
        page = Page.objects.get(pk=signature.page_id).specific
        groups = list(page.organising_groups.all())
        with translation.override(language):
            wording = group_contact_wording(groups)
        group_contact_consent_record(
            person=person,
            groups=groups,
            wording=wording,
            language=language,
            source=f"{source}: {page.title}",
        )


class ModerationAction:
    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    ALL = (APPROVE, REJECT, SPAM)


_TARGET_STATE = {
    ModerationAction.APPROVE: SignatureState.CONFIRMED,
    ModerationAction.REJECT: SignatureState.REJECTED,
    ModerationAction.SPAM: SignatureState.SPAM,
}


@dataclass(frozen=True)
class ModerationResult:
    changed: int
    refused: list[str]  # why each refused signature was left as it was


def signature_moderate(
    *, signature_ids: list[int], action: str, actor: Any, note: str = ""
) -> ModerationResult:
    """Approve, reject or mark as spam; each change recorded with who and when. A move the
    state table refuses (e.g. a signature still waiting for its e-mail confirmation) leaves
    that signature as it was and says why; a signature already in the target state is left
    alone."""
    if action not in ModerationAction.ALL:
        raise StateError(f"Unknown moderation action {action!r}.")
    target = _TARGET_STATE[action]
    changed, refused = 0, []
    with transaction.atomic():
        signatures = Signature.objects.select_for_update().filter(pk__in=signature_ids)
        for signature in signatures.order_by("pk"):
            if signature.state == target:
                continue
            try:
                signature_move(
                    signature,
                    target,
                    moderated_at=timezone.now(),
                    moderated_by=actor,
                    moderation_note=note[:300],
                )
            except TransitionRefused as refusal:
                refused.append(str(refusal))
                continue
            audit_record(actor=actor, action=f"signature.{action}", target=signature)
            changed += 1
    return ModerationResult(changed=changed, refused=refused)


def page_for_signature(signature: Signature) -> Page:
    return signature.page.specific
