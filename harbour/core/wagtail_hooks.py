"""Admin hooks shared by every app: see core.page_deletion and core.dashboard."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.models import Page

from . import admin_tasks
from .adminmenu import PermissionMenuItem
from .dashboard import AttentionPanel
from .page_deletion import deletion_refused


@hooks.register("construct_homepage_panels")
def add_attention_panel(request: HttpRequest, panels: list[Any]) -> None:
    panels.insert(0, AttentionPanel())


@hooks.register("before_delete_page")
def refuse_to_delete_pages_holding_actions(request: HttpRequest, page: Page) -> HttpResponse | None:
    return deletion_refused(request, [page])


@hooks.register("before_bulk_action")
def refuse_to_bulk_delete_pages_holding_actions(
    request: HttpRequest, action_type: str, objects: list[Any], action: Any
) -> HttpResponse | None:
    if action_type != "delete":
        return None
    return deletion_refused(request, [obj for obj in objects if isinstance(obj, Page)])


_task_urls = [
    path("", admin_tasks.task_index, name="index"),
    path("<uuid:task_id>/retry/", admin_tasks.task_retry_view, name="retry"),
]


@hooks.register("register_admin_urls")
def register_task_urls():  # type: ignore[no-untyped-def]
    return [path("tasks/", include((_task_urls, "core_tasks")))]


@hooks.register("register_reports_menu_item")
def register_tasks_report():  # type: ignore[no-untyped-def]
    return PermissionMenuItem(
        _("Background tasks"),
        reverse("core_tasks:index"),
        icon_name="cogs",
        order=900,
        permission="core.manage_tasks",
    )
