from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

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


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_people_menu_item():  # type: ignore[no-untyped-def]
    return PermissionMenuItem(
        _("Supporters"),
        reverse("people_admin:index"),
        icon_name="group",
        order=300,
        permission="people.view_person",
    )
