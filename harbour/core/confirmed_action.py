"""What every public action confirmed by e-mail shares: the link's error, and the one view
behind `<page>/confirm/<token>/`.

An action (a signature, a letter; later a registration, a subscription, an application)
stores a pending row and e-mails its owner a link made by `core.tokens` (encrypted, expiring,
bound to what was submitted). Opening the link changes nothing: mail scanners and link
previews fetch links, so a GET that confirmed would let anyone act in a stranger's name by
typing their address. The page shows what will happen and a button; only its POST confirms.
A link for another page is a 400, as is a forged, altered or expired one.

A row never confirmed within the link's life (HARBOUR_CONFIRM_DAYS) is deleted with the
supporter record that existed only for it: each action registers its pending rows here
(`pending_actions_register`), and `manage.py actions_purge_expired` (people.services
`expired_actions_purge`) deletes every action's expired ones. The confirmation e-mail goes
through `core.mailsend.action_mail_send` with the task's claim, so a task run again sends
nothing twice.

To add an action: give `confirm_view` a `ConfirmedAction` naming how to read and confirm
the row a token names, the page the row belongs to, whether it still waits, and the
templates `<prefix>confirm.html`, `<prefix>confirmed.html` and `<prefix>confirm_failed.html`
(the last receives `reason`: "expired", "invalid" or the action's own); register its pending
rows in the app's `ready()`."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone


class InvalidLink(Exception):
    """A confirmation link that confirms nothing; the message is its reason ("expired",
    "invalid", or the action's own, e.g. "already sent")."""


@dataclass(frozen=True)
class ConfirmedAction:
    read: Callable[[str], Any]  # the row a token names, changing nothing
    confirm: Callable[[str], Any]  # confirm it (idempotent), returning the row
    page_id: Callable[[Any], int]  # the page the row belongs to
    waiting: Callable[[Any], bool]  # still to be confirmed
    templates: str  # e.g. "signons/": confirm.html, confirmed.html, confirm_failed.html
    asking: Callable[[Any], dict[str, Any]]  # what the page with the button shows
    done: Callable[[Any], dict[str, Any]]  # what the page shows once it is confirmed


def confirm_view(
    request: HttpRequest, page: Any, token: str, action: ConfirmedAction, base: dict[str, Any]
) -> HttpResponse:
    """GET shows the button (or, once confirmed, the outcome); POST confirms; any link that
    does not name a row of this page is a 400 that changes nothing."""
    failed = f"{action.templates}confirm_failed.html"
    # A row belongs to the original page; its link may open any translation of it.
    page_id = page.action_page().pk if hasattr(page, "action_page") else page.pk
    try:
        row = action.read(token)
        if action.page_id(row) == page_id and request.method == "POST":
            row = action.confirm(token)
    except InvalidLink as error:
        reason = str(error)
        context = {**base, "reason": reason, "expired": reason == "expired"}
        return TemplateResponse(request, failed, context, status=400)
    if action.page_id(row) != page_id:
        return TemplateResponse(request, failed, {**base, "reason": "invalid"}, status=400)
    if request.method != "POST" and action.waiting(row):
        context = {**base, **action.asking(row)}
        return TemplateResponse(request, f"{action.templates}confirm.html", context)
    context = {**base, **action.done(row)}
    return TemplateResponse(request, f"{action.templates}confirmed.html", context)


# Each action's unconfirmed rows (a QuerySet of a model with `created_at` and `person`),
# by the action's name.
_PENDING: dict[str, Callable[[], QuerySet[Any]]] = {}


def pending_actions_register(name: str, pending: Callable[[], QuerySet[Any]]) -> None:
    _PENDING[name] = pending


def confirmation_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Rows created before this have outlived their confirmation link."""
    return (now or timezone.now()) - datetime.timedelta(days=settings.HARBOUR_CONFIRM_DAYS)


def expired_pending_actions(now: datetime.datetime | None = None) -> dict[str, QuerySet[Any]]:
    """Every action's rows whose link has expired unconfirmed, by the action's name."""
    cutoff = confirmation_cutoff(now)
    return {name: pending().filter(created_at__lt=cutoff) for name, pending in _PENDING.items()}
