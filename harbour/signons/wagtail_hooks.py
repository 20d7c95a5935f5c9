from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from harbour.people.wagtail_hooks import PermissionMenuItem

from . import admin_views

urlpatterns = [
    path("moderation/", admin_views.moderation_queue, name="moderation"),
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
