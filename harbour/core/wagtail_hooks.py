"""Admin hooks shared by every app: see core.page_deletion and core.dashboard."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from wagtail import hooks
from wagtail.models import Page

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
