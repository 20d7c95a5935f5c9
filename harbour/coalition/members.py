"""Members of member groups: supporters' accounts linked to a group, which open the
alliance's members-only pages and files (Wagtail page and collection privacy, restricted to
coalition.roles.MEMBERS). A group's organisers add members, by invitation (an address with
no account chooses a password from a one-time link, coalition.invitations) or by accepting
a request sent from the group's page (coalition.contact); they remove them too. Members have
no staff rights. Every change is audited."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harbour.core.audit import audit_record
from harbour.people.services import normalise_email

from .models import GroupMember, MemberGroupPage
from .organisers import OrganiserRefused, may_manage_group
from .roles import members_group


def members_of(group: MemberGroupPage) -> QuerySet[GroupMember]:
    return (
        GroupMember.objects.filter(group__translation_key=group.translation_key)
        .select_related("user")
        .order_by("added_at")
    )


def member_add(*, group: MemberGroupPage, user: Any, actor: Any | None) -> GroupMember:
    """Make `user` a member of `group` (by one who manages it, or the system: an accepted
    invitation); audited."""
    if actor is not None and not may_manage_group(actor, group):
        raise OrganiserRefused(_("You may change the members of your own group only."))
    if not user.is_active:
        raise OrganiserRefused(_("That account is disabled."))
    with transaction.atomic():
        existing = members_of(group).filter(user=user).first()
        if existing is not None:
            return existing
        row = GroupMember.objects.create(group=group, user=user, added_by=actor)
        user.groups.add(members_group())
        audit_record(actor=actor, action="member.add", target=row, details={"user": user.pk})
    return row


def member_remove(*, group: MemberGroupPage, user: Any, actor: Any) -> None:
    """`user` is no longer a member of `group`; with no membership left, their account no
    longer opens members-only content."""
    if not may_manage_group(actor, group):
        raise OrganiserRefused(_("You may change the members of your own group only."))
    with transaction.atomic():
        mine = members_of(group).filter(user=user)
        if not mine.exists():
            raise OrganiserRefused(_("That person is not a member of this group."))
        for row in mine:
            audit_record(actor=actor, action="member.remove", target=row, details={"user": user.pk})
        mine.delete()
        if not GroupMember.objects.filter(user=user).exists():
            user.groups.remove(members_group())


def member_invite(*, group: MemberGroupPage, email: str, actor: Any | None) -> Any:
    """Invite `email` to be a member of `group`: an address that has an account becomes a
    member at once (answered with the membership); otherwise an invitation is e-mailed."""
    from .invitations import invitation_create

    if actor is not None and not may_manage_group(actor, group):
        raise OrganiserRefused(_("You may change the members of your own group only."))
    try:
        validate_email(email)
    except ValidationError:
        raise OrganiserRefused(_("Enter a valid e-mail address.")) from None
    email = normalise_email(email)
    existing = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if existing is not None:
        return member_add(group=group, user=existing, actor=actor)
    return invitation_create(group=group, email=email, actor=actor, role="member")
