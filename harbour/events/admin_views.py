"""The organisers' corner for events: the events one manages, each one's registrants with
counts, decisions (approval mode), attendance, revoking a link, and the CSV
(events.organising decides who may)."""

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from harbour.core.exports import csv_response
from harbour.core.paging import CappedPaginator

from .models import EventPage, RegistrationState
from .organising import (
    attend_link_revoke,
    attendance_mark,
    events_managed_by,
    may_manage_event,
    registration_decide,
    registrations_exported,
)
from .registrations import RegistrationRefused, places_left
from .selectors import counts, registrations_of

ACTIONS = ("approve", "decline", "attended", "no_show", "unknown", "revoke")


def my_events(request: HttpRequest) -> HttpResponse:
    context = {"events": events_managed_by(request.user)[:200]}
    return TemplateResponse(request, "events/admin/my_events.html", context)


def _event(request: HttpRequest, event_id: int) -> EventPage:
    event = get_object_or_404(EventPage, pk=event_id)
    if not may_manage_event(request.user, event):
        raise Http404  # another group's event: not even its existence
    return event


def _page(
    request: HttpRequest, event: EventPage, error: str = "", status: int = 200
) -> HttpResponse:
    state = request.GET.get("state", "")
    rows = registrations_of(event)
    if state in RegistrationState.values:
        rows = rows.filter(state=state)
    page = CappedPaginator(rows, 100).get_page(request.GET.get("page"))
    context = {
        "event": event,
        "counts": counts(event),
        "places_left": places_left(event),
        "registrations": page,
        "states": RegistrationState.choices,
        "state": state,
        "error": error,
    }
    return TemplateResponse(request, "events/admin/registrations.html", context, status=status)


@require_http_methods(["GET", "POST"])
def event_registrations(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    if request.method == "GET":
        return _page(request, event)
    action = request.POST.get("action", "")
    raw = request.POST.get("registration", "")
    if action not in ACTIONS or not raw.isdigit():
        return _page(request, event, _("Choose a registrant and what to do."), 400)
    registration_id = int(raw)
    if not event.registrations.filter(pk=registration_id).exists():
        return _page(request, event, _("That registrant is not registered for this event."), 400)
    try:
        if action in ("approve", "decline"):
            registration_decide(
                registration_id=registration_id, approve=action == "approve", actor=request.user
            )
        elif action == "revoke":
            attend_link_revoke(registration_id=registration_id, actor=request.user)
        else:
            attended = {"attended": True, "no_show": False, "unknown": None}[action]
            attendance_mark(registration_id=registration_id, attended=attended, actor=request.user)
    except RegistrationRefused as refused:
        return _page(request, event, str(refused), 400)
    return HttpResponseRedirect(reverse("events_admin:registrations", args=[event.pk]))


def event_export(request: HttpRequest, event_id: int) -> StreamingHttpResponse:
    event = _event(request, event_id)
    rows = registrations_exported(event=event, actor=request.user)
    header = [
        "name", "email", "postal_code", "accessibility_needs", "state", "registered",
        "confirmed", "attended",
    ]  # fmt: skip

    def lines():  # type: ignore[no-untyped-def]
        for r in rows.iterator():
            yield [
                r.name,
                r.person.email if r.person else "",
                r.postal_code,
                r.accessibility,
                r.get_state_display(),
                r.created_at.isoformat(),
                r.confirmed_at.isoformat() if r.confirmed_at else "",
                {True: "yes", False: "no", None: ""}[r.attended],
            ]

    return csv_response(f"registrations-{event.slug}.csv", header, lines())
