from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from harbour.core.adminmenu import PermissionMenuItem

from . import admin_views

urlpatterns = [
    path("", admin_views.person_index, name="index"),
    path("<int:pk>/", admin_views.person_detail, name="detail"),
    path("<int:pk>/export/", admin_views.person_export_json, name="export"),
    path("<int:pk>/erase/", admin_views.person_erase_view, name="erase"),
]


@hooks.register("register_admin_urls")
def register_people_urls():  # type: ignore[no-untyped-def]
    return [path("supporters/", include((urlpatterns, "people_admin")))]


@hooks.register("register_admin_menu_item")
def register_people_menu_item():  # type: ignore[no-untyped-def]
    return PermissionMenuItem(
        _("Supporters"),
        reverse("people_admin:index"),
        icon_name="group",
        order=300,
        permission="people.view_person",
    )
