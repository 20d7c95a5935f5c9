from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks

from harbour.core.adminmenu import PermissionMenuItem
from harbour.core.dashboard import AttentionLine, start_of_today

from . import admin_views, selectors

urlpatterns = [
    path("", admin_views.reach_index, name="index"),
    path("<int:page_id>/", admin_views.reach_detail, name="detail"),
    path("<int:page_id>/writers.csv", admin_views.export_writers, name="export"),
]


@hooks.register("register_admin_urls")
def register_letters_urls():  # type: ignore[no-untyped-def]
    return [path("letters/", include((urlpatterns, "letters_admin")))]


@hooks.register("register_admin_menu_item")
def register_reach_menu_item():  # type: ignore[no-untyped-def]
    return PermissionMenuItem(
        _("Letter reach"),
        reverse("letters_admin:index"),
        icon_name="mail",
        order=320,
        permission="wagtailadmin.access_admin",
    )


def attention(user: Any) -> list[AttentionLine]:
    """Letters to representatives still to go or failed, and those sent today."""
    if not user.has_perm("wagtailadmin.access_admin"):
        return []
    backlog = selectors.delivery_backlog(since=start_of_today())
    reach = reverse("letters_admin:index")
    lines = []
    if backlog.failed:
        text = ngettext(
            "%(n)d letter to a representative failed",
            "%(n)d letters to representatives failed",
            backlog.failed,
        ) % {"n": backlog.failed}
        lines.append(AttentionLine(text, url=reach, urgent=True))
    if backlog.waiting:
        text = ngettext(
            "%(n)d letter to a representative waiting to go",
            "%(n)d letters to representatives waiting to go",
            backlog.waiting,
        ) % {"n": backlog.waiting}
        lines.append(AttentionLine(text, url=reach))
    sent = backlog.sent_since
    today = ngettext("%(n)d letter sent today", "%(n)d letters sent today", sent) % {"n": sent}
    lines.append(AttentionLine(today))
    return lines
