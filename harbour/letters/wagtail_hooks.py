from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from harbour.people.wagtail_hooks import PermissionMenuItem

from . import admin_views

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
