"""A mailing's own page in the admin: who it reaches (the count, never the addresses), a
preview and a test to oneself per language, send now or at a time, and while it goes its
progress with pause, resume and cancel; afterwards its results. Organisers reach their own
groups' mailings only (newsletter.mailings decides)."""

import datetime
import zoneinfo

from django.conf import settings
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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from harbour.core.branding import brand

from .audiences import audience_count
from .mailings import (
    MailingRefused,
    audience_unknown_message,
    mailing_cancel,
    mailing_pause,
    mailing_results,
    mailing_resume,
    mailing_send,
    mailing_test,
    mailing_unschedule,
    mailings_for,
)
from .models import Mailing, MailingState
from .registry import UnknownAudienceFilter
from .rendering import PREFERENCES, UNSUBSCRIBE, MailingRenderer

ACTIONS = ("send", "schedule", "unschedule", "pause", "resume", "cancel", "test")


def _mailing(request: HttpRequest, mailing_id: int) -> Mailing:
    found: Mailing = get_object_or_404(
        mailings_for(request.user).select_related("mailing_list__group"), pk=mailing_id
    )
    return found


def _page(
    request: HttpRequest, mailing: Mailing, error: str = "", status: int = 200
) -> HttpResponse:
    results = mailing_results(mailing)
    count = None
    if mailing.state == MailingState.DRAFT:
        try:
            count = audience_count(mailing)
        except UnknownAudienceFilter:
            error = error or audience_unknown_message()
    context = {
        "mailing": mailing,
        "versions": list(mailing.versions.all()),
        "count": count,
        "results": results,
        "links": list(mailing.links.order_by("-clicks")[:50]) if mailing.count_clicks else [],
        "error": error,
        "message": request.GET.get("done", ""),
        "refresh": mailing.state == MailingState.SENDING,
        "time_zone": settings.TIME_ZONE,
        "no_postal_address": not brand().postal_address,
    }
    return TemplateResponse(request, "newsletter/admin/mailing.html", context, status=status)


@require_http_methods(["GET", "POST"])
def mailing_page(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = _mailing(request, mailing_id)
    if request.method == "GET":
        return _page(request, mailing)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return _page(request, mailing, _("Choose what to do."), 400)
    try:
        if action == "send":
            mailing_send(mailing=mailing, user=request.user)
        elif action == "schedule":
            at = _when(request.POST.get("at", ""))
            if at is None:
                return _page(request, mailing, _("Give the date and time to send it."), 400)
            mailing_send(mailing=mailing, user=request.user, at=at)
        elif action == "unschedule":
            mailing_unschedule(mailing=mailing, user=request.user)
        elif action == "pause":
            mailing_pause(mailing=mailing, user=request.user)
        elif action == "resume":
            mailing_resume(mailing=mailing, user=request.user)
        elif action == "cancel":
            mailing_cancel(mailing=mailing, user=request.user)
        else:
            mailing_test(
                mailing=mailing, user=request.user, language=request.POST.get("language", "")
            )
    except MailingRefused as refused:
        return _page(request, mailing, str(refused), 400)
    url = reverse("newsletter_admin:mailing", args=[mailing.pk])
    return HttpResponseRedirect(f"{url}?done={action}")


def _when(raw: str) -> datetime.datetime | None:
    """The form's local date and time (the site's zone) as an aware datetime in UTC; None
    for what is not one (or lies beyond the calendar once in UTC)."""
    try:
        naive = datetime.datetime.fromisoformat(raw.strip())
        if timezone.is_naive(naive):
            naive = naive.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return naive.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        return None


@xframe_options_sameorigin
def mailing_preview(request: HttpRequest, mailing_id: int, language: str) -> HttpResponse:
    """The HTML e-mail as recipients in `language` get it, links to their own pages aside."""
    mailing = _mailing(request, mailing_id)
    known = language in dict(settings.LANGUAGES)
    if not known or not mailing.versions.filter(language=language).exists():
        raise Http404
    rendered = MailingRenderer(mailing).version(language)
    markup = rendered.html.replace(UNSUBSCRIBE, "#").replace(PREFERENCES, "#")
    response = HttpResponse(markup)
    response["Cache-Control"] = "no-store"
    return response


def list_export(request: HttpRequest, list_id: int) -> StreamingHttpResponse:
    """A list's active subscribers with the consent that allows each (CASL's record), for
    those who may export supporters' data (moderators, administrators); audited."""
    from django.core.exceptions import PermissionDenied

    from harbour.core.audit import audit_record
    from harbour.core.exports import csv_response

    from .models import MailingList, Subscription, SubscriptionState

    if not request.user.has_perm("people.export_person"):
        raise PermissionDenied
    mailing_list = get_object_or_404(MailingList, pk=list_id)
    audit_record(
        actor=request.user,
        action="newsletter.export",
        target=mailing_list,
        details={
            "count": mailing_list.subscriptions.filter(state=SubscriptionState.ACTIVE).count()
        },
    )
    rows = (
        Subscription.objects.filter(mailing_list=mailing_list, state=SubscriptionState.ACTIVE)
        .order_by("pk")
        .values_list(
            "person__email",
            "person__given_name",
            "person__family_name",
            "language",
            "person__province",
            "subscribed_at",
            "consent__wording",
            "consent__language",
            "consent__source",
            "consent__created_at",
        )
        .iterator(2000)
    )
    header = [
        "email",
        "given_name",
        "family_name",
        "language",
        "province",
        "subscribed_at",
        "consent_wording",
        "consent_language",
        "consent_source",
        "consent_date",
    ]
    return csv_response(f"{mailing_list.slug}-subscribers.csv", header, rows)
