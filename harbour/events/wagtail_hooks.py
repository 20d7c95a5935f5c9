from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .organising import events_managed_by

urlpatterns = [
    path("", admin_views.my_events, name="my_events"),
    path("<int:event_id>/", admin_views.event_registrations, name="registrations"),
    path("<int:event_id>/registrations.csv", admin_views.event_export, name="export"),
]


@hooks.register("register_admin_urls")
def register_events_urls():  # type: ignore[no-untyped-def]
    return [path("events/", include((urlpatterns, "events_admin")))]


class MyEventsMenuItem(MenuItem):
    """Shown to those who manage an event: its groups' organisers, administrators."""

    def is_shown(self, request: Any) -> bool:
        return bool(events_managed_by(request.user).exists())


@hooks.register("register_admin_menu_item")
def register_my_events_menu_item():  # type: ignore[no-untyped-def]
    return MyEventsMenuItem(
        _("Event registrations"), reverse("events_admin:my_events"), icon_name="date", order=307
    )
