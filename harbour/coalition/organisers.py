"""Organisers of member groups: who may do what with which group, in this one module.

The rules (issue 15's object-level permissions):
- an organiser manages the groups they organise, the same group in every language, and
  nothing else: its page (edited in the Wagtail admin, published after moderators approve,
  as every page of the site is) and its co-organisers;
- administrators manage every group.

Editing the page goes through Wagtail's own per-page permissions: each group has an auth
group of its organisers holding "change" on each of the group's pages (every translation,
including ones made later: `organiser_page_permissions_sync` runs whenever a group page is
saved). The Organisers role gives admin access and nothing on the site's root, so an
organiser finds no other page to edit, no supporter, no signature. Everything that is not
a page asks `may_manage_group`."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission, Page

from harbour.core.audit import audit_record
from harbour.core.roles import ADMINISTRATORS, ORGANISERS, ensure_roles

from .models import GroupOrganiser, MemberGroupPage


class OrganiserRefused(Exception):
    """The change is not allowed; the message says why, for the person who asked."""


def may_manage_group(user: Any, group: MemberGroupPage) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists():
        return True
    return GroupOrganiser.objects.filter(
        user=user, group__translation_key=group.translation_key
    ).exists()


def groups_managed_by(user: Any) -> QuerySet[MemberGroupPage]:
    """The groups `user` may manage, by their pages in the site's main language."""
    pages = MemberGroupPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
    if not (user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists()):
        keys = GroupOrganiser.objects.filter(user=user).values_list(
            "group__translation_key", flat=True
        )
        pages = pages.filter(translation_key__in=list(keys))
    return pages.order_by("title")


def organisers_of(group: MemberGroupPage) -> QuerySet[GroupOrganiser]:
    return (
        GroupOrganiser.objects.filter(group__translation_key=group.translation_key)
        .select_related("user")
        .order_by("added_at")
    )


_editors_name_prefix = "Organisers of member group "


def _editors_name(group: MemberGroupPage) -> str:
    return f"{_editors_name_prefix}{group.translation_key}"


def _editors(group: MemberGroupPage) -> Group:
    return Group.objects.get_or_create(name=_editors_name(group))[0]


def organiser_page_permissions_sync(group: MemberGroupPage) -> None:
    """Give the group's organisers "change" on each of its pages (every translation)."""
    editors = Group.objects.filter(name=_editors_name(group))
    if not editors.exists():
        return  # nobody organises it yet
    change = Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page")
    for page in MemberGroupPage.objects.filter(translation_key=group.translation_key):
        GroupPagePermission.objects.get_or_create(group=editors[0], page=page, permission=change)


def organised_page_permissions_set(page: Page, groups: Iterable[MemberGroupPage]) -> None:
    """The organisers of exactly `groups` may change `page` (a page an action app makes for
    groups, such as an event they organise): a group taken off it loses the right."""
    change = Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page")
    wanted = {_editors(group).pk for group in groups}
    GroupPagePermission.objects.filter(
        page=page, permission=change, group__name__startswith=_editors_name_prefix
    ).exclude(group_id__in=wanted).delete()
    for group_id in wanted:
        GroupPagePermission.objects.get_or_create(group_id=group_id, page=page, permission=change)


def on_group_page_saved(sender: type, instance: MemberGroupPage, **kwargs: Any) -> None:
    """post_save of a group page (a new translation too): its organisers may edit it."""
    organiser_page_permissions_sync(instance)


def organiser_add(*, group: MemberGroupPage, user: Any, actor: Any | None) -> GroupOrganiser:
    """Make `user` an organiser of `group` (by an administrator, by one of its organisers,
    or by the system when `actor` is None: the demo data, an approved application);
    audited."""
    if actor is not None and not may_manage_group(actor, group):
        raise OrganiserRefused(_("You may change the organisers of your own group only."))
    if not user.is_active:
        raise OrganiserRefused(_("That account is disabled."))
    with transaction.atomic():
        existing = organisers_of(group).filter(user=user).first()
        if existing is not None:
            return existing
        row = GroupOrganiser.objects.create(group=group, user=user, added_by=actor)
        user.groups.add(_editors(group), ensure_roles()[ORGANISERS])
        organiser_page_permissions_sync(group)
        audit_record(actor=actor, action="organiser.add", target=row, details={"user": user.pk})
    return row


def organiser_remove(*, group: MemberGroupPage, user: Any, actor: Any) -> None:
    """Remove `user` from the organisers of `group`; a group keeps at least one organiser
    unless an administrator removes the last. Audited."""
    if not may_manage_group(actor, group):
        raise OrganiserRefused(_("You may change the organisers of your own group only."))
    with transaction.atomic():
        rows = organisers_of(group)
        mine = rows.filter(user=user)
        if not mine.exists():
            raise OrganiserRefused(_("That person does not organise this group."))
        is_admin = actor.is_superuser or actor.groups.filter(name=ADMINISTRATORS).exists()
        if rows.count() == 1 and not is_admin:
            raise OrganiserRefused(_("A group keeps at least one organiser."))
        for row in mine:
            audit_record(
                actor=actor, action="organiser.remove", target=row, details={"user": user.pk}
            )
        mine.delete()
        user.groups.remove(_editors(group))
        if not GroupOrganiser.objects.filter(user=user).exists():
            user.groups.remove(*Group.objects.filter(name=ORGANISERS))
