from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from harbour.core.adminmenu import PermissionMenuItem

from . import admin_views
from .organisers import groups_managed_by

urlpatterns = [
    path("groups/", admin_views.my_groups, name="my_groups"),
    path("groups/<int:group_id>/organisers/", admin_views.group_organisers, name="organisers"),
    path("groups/<int:group_id>/supporters/", admin_views.group_supporters, name="supporters"),
    path("groups/<int:group_id>/members/", admin_views.group_members, name="members"),
    path("applications/", admin_views.application_list, name="applications"),
    path(
        "applications/<int:application_id>/",
        admin_views.application_decision,
        name="application",
    ),
]


@hooks.register("register_admin_urls")
def register_coalition_urls():  # type: ignore[no-untyped-def]
    return [path("coalition/", include((urlpatterns, "coalition_admin")))]


class MyGroupsMenuItem(MenuItem):
    """Shown to those who manage a member group: its organisers, administrators."""

    def is_shown(self, request: Any) -> bool:
        return bool(groups_managed_by(request.user).exists())


@hooks.register("register_admin_menu_item")
def register_my_groups_menu_item():  # type: ignore[no-untyped-def]
    return MyGroupsMenuItem(
        _("Member groups"), reverse("coalition_admin:my_groups"), icon_name="group", order=305
    )


@hooks.register("register_admin_menu_item")
def register_applications_menu_item():  # type: ignore[no-untyped-def]
    return PermissionMenuItem(
        _("Applications to join"),
        reverse("coalition_admin:applications"),
        icon_name="form",
        order=306,
        permission="coalition.review_application",
    )
