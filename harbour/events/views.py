"""An event's public page and its registrant's links; the iCalendar files."""

import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from harbour.coalition.roles import is_member
from harbour.core.confirmed_action import ConfirmedAction, InvalidLink, confirm_view
from harbour.core.privacy import ip_hash
from harbour.core.ratelimit import hits
from harbour.core.validation import InvalidInput
from harbour.core.views import too_many_requests
from harbour.people.services import normalise_email

from . import calendars, links, registrations
from .consents import event_group_contact_wording
from .forms import RegistrationForm
from .models import TIME_ZONES, EventIndexPage, EventPage, RegistrationState
from .selectors import public_events, sequences

# The one answer to every registration, whatever the address has done before.
REGISTRATION_RECEIVED = gettext_lazy(
    "Thank you. Check your e-mail: open the link and press the button to confirm your registration."
)


def _form(page: EventPage, data: Any = None) -> RegistrationForm:
    label = event_group_contact_wording(page) if page.organising_groups.exists() else ""
    return RegistrationForm(data, group_contact_label=label)


def _render(
    request: HttpRequest, page: EventPage, form: RegistrationForm | None = None, status: int = 200
) -> HttpResponse:
    original: EventPage = page.action_page()  # type: ignore[assignment]
    member = is_member(request.user)
    context = page.get_context(request)
    context.update(
        {
            "form": form or _form(page),
            "refusal": registrations.registration_refusal(original, member=member),
            "places_left": registrations.places_left(original),
            "waitlist_only": not registrations.has_room(original),
            "is_member": member,
            "groups": list(page.organising_groups.all()),
            "zone_times": [
                (label, timezone.localtime(page.starts_at, zoneinfo.ZoneInfo(zone)))
                for zone, label in TIME_ZONES
                if zone != page.time_zone
            ],
        }
    )
    return TemplateResponse(request, "events/event_page.html", context, status=status)


def event_page(request: HttpRequest, page: EventPage) -> HttpResponse:
    if request.method != "POST":
        return _render(request, page)
    original: EventPage = page.action_page()  # type: ignore[assignment]
    form = _form(page, request.POST)
    address = ip_hash(request)
    email = normalise_email(str(request.POST.get("email", "")))[:254]
    verdict = hits(
        ("event-ip", address, settings.HARBOUR_EVENT_RATE_IP),
        ("event-email", email, settings.HARBOUR_EVENT_RATE_EMAIL),
    )
    over_network, over_address = verdict.over
    if over_network:
        message = _("Too many registrations from your network. Try again later.")
        return too_many_requests(request, message, verdict.retry_after)
    if form.is_bot():
        messages.success(request, REGISTRATION_RECEIVED)
        return HttpResponseRedirect(page.url + "thanks/")
    refusal = registrations.registration_refusal(original, member=is_member(request.user))
    if refusal:
        messages.error(request, refusal)
        return _render(request, page, form, status=403 if original.members_only else 400)
    if not form.is_valid():
        return _render(request, page, form, status=400)
    # Past the per-address limit nothing is stored or sent, and the answer is the same.
    if not over_address:
        data = form.cleaned_data
        try:
            registrations.registration_create(
                event=original,
                email=data["email"],
                name=data["name"],
                postal_code=data.get("postal_code", ""),
                accessibility=data.get("accessibility", ""),
                newsletter=bool(data.get("newsletter")),
                group_contact=bool(data.get("group_contact")),
                member=is_member(request.user),
                ip_hash=address,
                language=get_language() or "",
            )
        except InvalidInput as invalid:
            form.refusal_show(invalid)
            return _render(request, page, form, status=400)
        except registrations.RegistrationRefused as refused:
            messages.error(request, str(refused))
            return _render(request, page, form, status=400)
    messages.success(request, REGISTRATION_RECEIVED)
    return HttpResponseRedirect(page.url + "thanks/")


def thanks(request: HttpRequest, page: EventPage) -> HttpResponse:
    return TemplateResponse(request, "events/thanks.html", {"page": page, "self": page})


CONFIRMATION = ConfirmedAction(
    read=lambda token: registrations.registration_for_confirmation(token=token),
    confirm=lambda token: registrations.registration_confirm(token=token),
    page_id=lambda registration: registration.event_id,
    waiting=lambda registration: registration.state == RegistrationState.PENDING,
    templates="events/confirm/",
    asking=lambda registration: {"registration": registration},
    done=lambda registration: {"registration": registration},
)


def confirm(request: HttpRequest, page: EventPage, token: str) -> HttpResponse:
    return confirm_view(request, page, token, CONFIRMATION, {"page": page, "self": page})


def _link_failed(request: HttpRequest, page: EventPage, reason: str) -> HttpResponse:
    context = {"page": page, "self": page, "reason": reason}
    return TemplateResponse(request, "events/link_failed.html", context, status=400)


def _personal_link(request: HttpRequest, page: EventPage, token: str, link: str) -> Any:
    registration = links.registration_for_link(token=token, link=link)
    if registration.event_id != page.action_page().pk:
        raise links.InvalidRegistrationLink("invalid")
    return registration


def attend(request: HttpRequest, page: EventPage, token: str) -> HttpResponse:
    """A registrant's personal link: the online meeting's address, for them only."""
    try:
        _personal_link(request, page, token, "attend")
        registration, meeting_url = links.meeting_for(token=token)
    except InvalidLink as error:
        return _link_failed(request, page, str(error))
    context = {"page": page, "self": page, "registration": registration, "meeting_url": meeting_url}
    response = TemplateResponse(request, "events/attend.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def withdraw(request: HttpRequest, page: EventPage, token: str) -> HttpResponse:
    """The cancel link of every e-mail: a page with a button; only its POST cancels."""
    try:
        registration = _personal_link(request, page, token, "withdraw")
        if request.method == "POST":
            registration = registrations.registration_withdraw(token=token)
    except InvalidLink as error:
        return _link_failed(request, page, str(error))
    context = {
        "page": page,
        "self": page,
        "registration": registration,
        "cancelled": registration.state == RegistrationState.CANCELLED,
        "deadline": registrations.cancel_deadline(registration.event),
    }
    return TemplateResponse(request, "events/withdraw.html", context)


def accept(request: HttpRequest, page: EventPage, token: str) -> HttpResponse:
    """An offered place: a page with a button; only its POST takes the place."""
    try:
        registration = _personal_link(request, page, token, "accept")
        if request.method == "POST":
            registration = registrations.offer_accept(token=token)
        elif registration.state not in (RegistrationState.OFFERED, RegistrationState.CONFIRMED):
            raise links.InvalidRegistrationLink("lapsed")
    except InvalidLink as error:
        return _link_failed(request, page, str(error))
    context = {"page": page, "self": page, "registration": registration}
    return TemplateResponse(request, "events/accept.html", context)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def event_calendar(request: HttpRequest, page: EventPage) -> HttpResponse:
    """One event's public file, to add it to a calendar (no meeting address in it)."""
    original: EventPage = page.action_page()  # type: ignore[assignment]
    body = calendars.published([original], name=original.title, sequences=sequences([original]))
    return _ics(body, "event.ics")


def calendar_feed(request: HttpRequest, index: EventIndexPage) -> HttpResponse:
    """The public events, for calendar programs to subscribe to; `?group=<id>` for one
    group's. Members' events are not in it."""
    from .selectors import listing_filters

    try:
        filters = listing_filters(request.GET)
    except ValueError as refused:
        return HttpResponse(str(refused), status=400, content_type="text/plain; charset=utf-8")
    events = public_events().filter(
        members_only=False, locale__language_code=settings.LANGUAGE_CODE
    )
    name = index.title
    if filters.group is not None:
        events = events.filter(organising_groups__translation_key=filters.group.translation_key)
        name = f"{index.title}: {filters.group.title}"
    listed = list(events.distinct().order_by("starts_at"))
    return _ics(calendars.published(listed, name=name, sequences=sequences(listed)), "events.ics")
