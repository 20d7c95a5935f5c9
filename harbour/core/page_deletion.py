"""Pages that hold supporters' actions are never deleted, by anyone.

A statement's signatures, a campaign's letters (and, later, an event's registrations) are
records supporters made and the coalition answers for: deleting the page would delete them
or, with the PROTECT foreign keys, fail with a 500. An app that keeps such records registers
a check here; the Wagtail hooks in `core.wagtail_hooks` refuse the single and the bulk delete
of a page when the page or a page below it holds any, and say why. Unpublishing or closing the
page is the way to take it down.
"""

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from wagtail.models import Page

# (what the records are called, whether any page whose tree path starts with `path` holds one)
HoldsRecords = Callable[[str], bool]
RecordName = str | Promise
_checks: list[tuple[RecordName, HoldsRecords]] = []


def keep_pages_holding(what: RecordName, holds: HoldsRecords) -> None:
    """Register a kind of record that keeps its page (and the pages above it) from deletion."""
    if all(existing is not holds for _what, existing in _checks):
        _checks.append((what, holds))


def records_held_below(page: Page) -> list[str]:
    """What keeps `page` from deletion: the kinds of record it or a descendant holds."""
    return [str(what) for what, holds in _checks if holds(page.path)]


def deletion_refused(request: HttpRequest, pages: Iterable[Page]) -> HttpResponse | None:
    """None when every page may go; else a redirect with a message naming the first page
    kept and why."""
    for page in pages:
        held = records_held_below(page)
        if held:
            messages.error(
                request,
                _(
                    "“%(title)s” cannot be deleted: it or a page below it holds %(records)s "
                    "that supporters made. Unpublish it, or close it to new actions, instead."
                )
                % {"title": page.get_admin_display_title(), "records": _(" and ").join(held)},
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    return None
