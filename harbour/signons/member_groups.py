"""Organisation signatures and the coalition's member groups: a moderator links a signature
to the group it stands for (never guessed from the name), and the group's page lists the
statements it signed (a section contributed through coalition.registry)."""

from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.models import Page

from harbour.coalition.models import MemberGroupPage
from harbour.coalition.registry import GroupSection, SectionItem
from harbour.core.audit import audit_record
from harbour.core.pagecache import clear_page

from .models import Signature, SignatureState, SignerKind


class GroupLinkRefused(ValueError):
    """The link cannot be made; the message says why, for the moderator."""


def signature_member_group_set(*, signature_id: int, group_id: int | None, actor: Any) -> Signature:
    """Link an organisation's signature to a member group, or unlink it (`group_id` None);
    recorded in the audit log with who and when."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update().filter(pk=signature_id).first()
        if signature is None:
            raise GroupLinkRefused(_("That signature no longer exists."))
        if signature.kind != SignerKind.ORGANISATION:
            raise GroupLinkRefused(_("Only an organisation's signature can stand for a group."))
        group = None
        if group_id is not None:
            group = MemberGroupPage.objects.filter(pk=group_id).first()
            if group is None:
                raise GroupLinkRefused(_("Choose a member group from the list."))
        if signature.member_group_id == (group.pk if group else None):
            return signature
        before = signature.member_group_id
        signature.member_group = group
        signature.save(update_fields=["member_group"])
        audit_record(
            actor=actor,
            action="signature.member_group",
            target=signature,
            details={"member_group": group.pk if group else None},
        )
    for changed in (before, group.pk if group else None):  # both groups' pages show it now
        if changed is not None:
            clear_page(changed)
    return signature


def statements_signed_section(group: MemberGroupPage) -> GroupSection | None:
    """The live statements and petitions the group's confirmed signatures are on, in the
    group page's language where a translation exists, newest first."""
    signed = (
        Signature.objects.filter(
            member_group__translation_key=group.translation_key,
            kind=SignerKind.ORGANISATION,
            state=SignatureState.CONFIRMED,
        )
        .order_by("-confirmed_at")
        .values_list("page_id", "confirmed_at")
    )
    when: dict[int, Any] = {}
    for page_id, confirmed_at in signed:
        when.setdefault(page_id, confirmed_at)
    if not when:
        return None
    items = []
    for page in Page.objects.filter(pk__in=when).live().public():
        shown = page.get_translation_or_none(group.locale) or page
        if not shown.live:
            shown = page
        signed_on = when[page.pk]
        items.append(
            (signed_on, SectionItem(title=shown.title, url=shown.url or "", note=_date(signed_on)))
        )
    items.sort(key=lambda pair: pair[0], reverse=True)
    return GroupSection(title=_("Statements signed"), items=[pair[1] for pair in items])


def _date(moment: Any) -> str:
    return date_format(moment, "DATE_FORMAT") if moment else ""
