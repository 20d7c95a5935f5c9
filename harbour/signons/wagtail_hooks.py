from typing import Any

from django.urls import include, path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks

from harbour.core.adminmenu import PermissionMenuItem
from harbour.core.dashboard import AttentionLine, start_of_today

from . import admin_views, selectors

urlpatterns = [
    path("moderation/", admin_views.moderation_queue, name="moderation"),
    path(
        "signature/<int:signature_id>/group/",
        admin_views.signature_member_group,
        name="member_group",
    ),
    path("export/<int:page_id>/", admin_views.export_signatories, name="export"),
]


@hooks.register("register_admin_urls")
def register_signons_urls():  # type: ignore[no-untyped-def]
    return [path("signons/", include((urlpatterns, "signons_admin")))]


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():  # type: ignore[no-untyped-def]
    return PermissionMenuItem(
        _("Signatures"),
        reverse("signons_admin:moderation"),
        icon_name="tick-inverse",
        order=310,
        permission="signons.moderate_signature",
    )


def attention(user: Any) -> list[AttentionLine]:
    """Signatures waiting for a moderator, per page, and today's confirmed count."""
    if not user.has_perm("signons.moderate_signature"):
        return []
    queue = reverse("signons_admin:moderation")
    lines = [
        AttentionLine(
            ngettext(
                "%(n)d signature waits for a moderator on “%(title)s”",
                "%(n)d signatures wait for a moderator on “%(title)s”",
                row.waiting,
            )
            % {"n": row.waiting, "title": row.title},
            url=f"{queue}?state=awaiting_moderation&page={row.page_id}",
            urgent=True,
        )
        for row in selectors.moderation_backlog()
    ]
    today = selectors.confirmed_since(start_of_today())
    if today > selectors.CONFIRMED_SINCE_CAP:
        text = _("More than %(n)s signatures confirmed today") % {
            "n": number_format(selectors.CONFIRMED_SINCE_CAP, force_grouping=True)
        }
    else:
        text = ngettext(
            "%(n)d signature confirmed today", "%(n)d signatures confirmed today", today
        ) % {"n": today}
    lines.append(AttentionLine(text))
    return lines
