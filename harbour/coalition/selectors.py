"""Reads of member groups."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from wagtail.models import Page

from harbour.core.postal import PROVINCE_NAMES

from .models import MemberGroupPage, ResourcePage


def member_groups(directory: Page, *, province: str = "") -> QuerySet[MemberGroupPage]:
    """The live groups of a directory page (in its language), by name; of one province if
    `province` is given."""
    groups = (
        MemberGroupPage.objects.child_of(directory)  # type: ignore[attr-defined]
        .live()
        .public()
        .select_related("logo")
        .order_by("title")
    )
    return groups.filter(province=province) if province else groups


def provinces_with_groups(directory: Page) -> list[tuple[str, str]]:
    """(code, name) of the provinces and territories that have at least one group."""
    codes = set(member_groups(directory).exclude(province="").values_list("province", flat=True))
    return sorted(
        ((code, str(PROVINCE_NAMES[code])) for code in codes if code in PROVINCE_NAMES),
        key=lambda pair: pair[1],
    )


def resources_for(
    request: HttpRequest,
    library: Page,
    *,
    kind: str = "",
    tag: str = "",
    query: str = "",
) -> list[ResourcePage]:
    """The library's live resources, by title, that this visitor may open (a members-only
    one only for a member), of one kind or tag, matching `query` in the title, summary or
    text."""
    resources = (
        ResourcePage.objects.child_of(library)  # type: ignore[attr-defined]
        .live()
        .order_by("title")
        .prefetch_related("tags")
    )
    if kind:
        resources = resources.filter(kind=kind)
    if tag:
        resources = resources.filter(tags__name=tag)
    if query:
        resources = resources.filter(
            Q(title__icontains=query) | Q(summary__icontains=query) | Q(body__icontains=query)
        )
    return [
        resource
        for resource in resources.distinct()
        if all(r.accept_request(request) for r in resource.get_view_restrictions())
    ]
