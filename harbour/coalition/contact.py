"""Writing to a member group from its page: a message to its organisers, perhaps asking to
become a member. One more confirmed action (core.confirmed_action): stored pending, the
sender confirms by e-mail (so nobody writes in someone else's name), then the message goes
to each organiser by e-mail with the sender's address to reply to. The organisers'
addresses are never shown to the sender. A request to be a member waits in the organisers'
admin page, where they accept it (an invitation, coalition.members) or decline it."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harbour.core.audit import audit_record
from harbour.core.confirmed_action import InvalidLink
from harbour.core.mailsend import action_mail_send, confirmation_url, owner_mail_send
from harbour.core.tokens import confirmation_token_read, content_digest, token_make
from harbour.core.validation import Checks
from harbour.people.services import person_get_or_create

from .models import ContactState, GroupContact, MemberGroupPage, MembershipDecision
from .organisers import OrganiserRefused, may_manage_group, organisers_of

SALT = "harbour.coalition.contact"


class InvalidContactLink(InvalidLink):
    pass


def contact_create(
    *,
    group: MemberGroupPage,
    email: str,
    name: str,
    message: str,
    wants_membership: bool = False,
    ip_hash: str = "",
    language: str = "",
) -> GroupContact:
    """Store a pending message and queue its confirmation e-mail to the sender."""
    check = Checks({"email": email, "name": name, "message": message})
    email = check.email()
    name = check.text("name", max_length=200)
    message = check.text("message", max_length=3000, multiline=True)
    check.done()
    from .tasks import send_contact_confirmation

    with transaction.atomic():
        person, _created = person_get_or_create(email=email, language=language)
        contact = GroupContact.objects.create(
            group=group,
            person=person,
            name=name,
            message=message,
            membership=MembershipDecision.WAITING if wants_membership else "",
            language=language,
            ip_hash=ip_hash,
        )
        send_contact_confirmation.enqueue(contact.pk)
    return contact


def _digest(contact: GroupContact) -> bytes:
    return content_digest(
        contact.group_id, contact.person_id, contact.name, contact.message, contact.membership
    )


def confirmation_token(contact: GroupContact) -> str:
    return token_make(contact.pk, salt=SALT, digest=_digest(contact))


def contact_confirmation_send(*, contact_id: int, claim: str) -> bool:
    contact = GroupContact.objects.select_related("person", "group").filter(pk=contact_id).first()
    if contact is None or contact.state != ContactState.PENDING:
        return False
    url = confirmation_url(contact.group, confirmation_token(contact))
    return action_mail_send(
        contact.person,
        page=contact.group,
        template="coalition/email/contact_confirm",
        context={"contact": contact, "group": contact.group, "url": url},
        claim=claim,
    )


def _read(token: str) -> tuple[int, bytes]:
    return confirmation_token_read(token, salt=SALT, error=InvalidContactLink)


def contact_for_confirmation(*, token: str) -> GroupContact:
    contact_id, digest = _read(token)
    contact = GroupContact.objects.filter(pk=contact_id).first()
    if contact is None or _digest(contact) != digest:
        raise InvalidContactLink("invalid")
    return contact


def contact_confirm(*, token: str) -> GroupContact:
    """The sender pressed the button: the message goes to the organisers (once)."""
    from .tasks import send_contact_to_organisers

    contact_id, digest = _read(token)
    with transaction.atomic():
        contact = GroupContact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None or _digest(contact) != digest:
            raise InvalidContactLink("invalid")
        if contact.state == ContactState.PENDING:
            contact.state, contact.confirmed_at = ContactState.SENT, timezone.now()
            contact.save(update_fields=["state", "confirmed_at"])
            send_contact_to_organisers.enqueue(contact.pk)
    return contact


def contact_deliver(*, contact_id: int, claim: str) -> int:
    """E-mail a confirmed message to each organiser of its group, each once; answers how
    many went now."""
    contact = GroupContact.objects.select_related("person", "group").filter(pk=contact_id).first()
    if contact is None or contact.state != ContactState.SENT or contact.person is None:
        return 0
    sent = 0
    for row in organisers_of(contact.group):
        user = row.user
        if not user.is_active or not user.email:
            continue
        if owner_mail_send(
            to=user.email,
            language=contact.group.locale.language_code,
            template="coalition/email/contact_message",
            context={"contact": contact, "group": contact.group},
            claim=f"{claim}:{user.pk}",
            reply_to=contact.person.email or "",
        ):
            sent += 1
    return sent


def membership_decide(*, contact_id: int, accept: bool, actor: Any) -> GroupContact:
    """An organiser accepts a request to be a member (the sender is invited, or made a
    member at once when they have an account) or declines it; audited."""
    from .members import member_invite

    with transaction.atomic():
        contact = (
            GroupContact.objects.select_for_update(of=("self",))
            .select_related("group", "person")
            .filter(pk=contact_id)
            .first()
        )
        if contact is None or not may_manage_group(actor, contact.group):
            raise OrganiserRefused(_("You may answer requests to your own group only."))
        if contact.membership != MembershipDecision.WAITING or contact.state != ContactState.SENT:
            raise OrganiserRefused(_("This request has been answered already."))
        contact.membership = MembershipDecision.ACCEPTED if accept else MembershipDecision.DECLINED
        contact.decided_at, contact.decided_by = timezone.now(), actor
        contact.save(update_fields=["membership", "decided_at", "decided_by"])
        if accept and contact.person is not None and contact.person.email:
            member_invite(group=contact.group, email=contact.person.email, actor=actor)
        audit_record(
            actor=actor,
            action=f"membership.{'accept' if accept else 'decline'}",
            target=contact,
        )
    return contact


def membership_requests(group: MemberGroupPage) -> Any:
    """Requests to be a member of `group` waiting for its organisers, oldest first."""
    return (
        GroupContact.objects.filter(
            group__translation_key=group.translation_key,
            state=ContactState.SENT,
            membership=MembershipDecision.WAITING,
        )
        .select_related("person")
        .order_by("created_at")
    )
