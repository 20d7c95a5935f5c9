"""Inviting an organiser or a member who has no account: an e-mail with a one-time link,
valid for HARBOUR_INVITE_DAYS, to choose a password; the account is made then, organiser
(sent on to enrol its second factor) or member of the group. Used when an application is
approved (its contact), by organisers adding a co-organiser or a member by address, and
when they accept a request to join from the group's page."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harbour.core.audit import audit_record
from harbour.core.mailsend import owner_mail_send
from harbour.core.tokens import TokenExpired, TokenInvalid, content_digest, token_make, token_open
from harbour.people.services import normalise_email

from .models import GroupInvitation, InvitationRole, MemberGroupPage
from .organisers import OrganiserRefused, may_manage_group, organiser_add

SALT = "harbour.coalition.invite"


class InvitationRefused(Exception):
    """The link or the password cannot be used; the message says why."""


def _digest(invitation: GroupInvitation) -> bytes:
    return content_digest(invitation.pk, invitation.email, invitation.group_id)


def invitation_url(invitation: GroupInvitation) -> str:
    token = token_make(invitation.pk, salt=SALT, digest=_digest(invitation))
    # Under /confirm/, so that the access logs (gunicorn, nginx) and the log filter redact it.
    return f"{settings.SITE_URL}/organisers/confirm/{token}/"


def organiser_invite(*, group: MemberGroupPage, email: str, actor: Any | None) -> Any:
    """Invite `email` to organise `group` (by one who may manage it, or the system when
    `actor` is None). An address that has an account is made organiser at once and
    answered with that account; otherwise an invitation is e-mailed."""
    if actor is not None and not may_manage_group(actor, group):
        raise OrganiserRefused(_("You may change the organisers of your own group only."))
    try:
        validate_email(email)
    except ValidationError:
        raise OrganiserRefused(_("Enter a valid e-mail address.")) from None
    email = normalise_email(email)
    existing = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if existing is not None:
        return organiser_add(group=group, user=existing, actor=actor)
    return invitation_create(group=group, email=email, actor=actor, role=InvitationRole.ORGANISER)


def invitation_create(
    *, group: MemberGroupPage, email: str, actor: Any | None, role: str
) -> GroupInvitation:
    """Store an invitation (to organise `group`, or to be its member) and queue its e-mail;
    the callers have checked who may invite and the address."""
    from .tasks import send_organiser_invitation

    with transaction.atomic():
        invitation = GroupInvitation.objects.create(
            group=group, email=email, invited_by=actor, role=role
        )
        audit_record(actor=actor, action=f"{role}.invite", target=invitation)
        send_organiser_invitation.enqueue(invitation.pk)
    return invitation


def invitation_send(*, invitation_id: int, claim: str) -> bool:
    invitation = GroupInvitation.objects.select_related("group").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at is not None:
        return False
    return owner_mail_send(
        to=invitation.email,
        language=invitation.group.locale.language_code,
        template=f"coalition/email/{invitation.role}_invitation",
        context={
            "group": invitation.group,
            "url": invitation_url(invitation),
            "days": settings.HARBOUR_INVITE_DAYS,
        },
        claim=claim,
    )


def invitation_open(token: str) -> GroupInvitation:
    """The invitation a link names, not yet used; InvitationRefused says why not."""
    try:
        pk, digest = token_open(
            token, salt=SALT, max_age=datetime.timedelta(days=settings.HARBOUR_INVITE_DAYS)
        )
    except TokenExpired:
        raise InvitationRefused(_("This invitation has expired: ask for a new one.")) from None
    except TokenInvalid:
        raise InvitationRefused(_("This invitation link is not valid.")) from None
    invitation = GroupInvitation.objects.select_related("group").filter(pk=pk).first()
    if invitation is None or _digest(invitation) != digest:
        raise InvitationRefused(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise InvitationRefused(_("This invitation has been used already."))
    return invitation


def invitation_accept(*, token: str, name: str, password: str) -> Any:
    """Make the invited person's account with `password` (Django's password rules), as an
    organiser of the group; the link works once."""
    User = get_user_model()
    with transaction.atomic():
        invitation = invitation_open(token)
        invitation = GroupInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationRefused(_("This invitation has been used already."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationRefused(_("An account with this address exists: sign in instead."))
        user = User(username=invitation.email, email=invitation.email, first_name=name[:150])
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise InvitationRefused(" ".join(error.messages)) from None
        user.set_password(password)
        user.save()
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        if invitation.role == InvitationRole.MEMBER:
            from .members import member_add

            member_add(group=invitation.group, user=user, actor=None)
        else:
            organiser_add(group=invitation.group, user=user, actor=None)
    return user
