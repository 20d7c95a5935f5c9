"""The sign-up form (its page and the home page's), the confirmation link, the
preferences page and the unsubscribe link (one-click, RFC 8058)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from harbour.core.confirmed_action import ConfirmedAction, InvalidLink, confirm_view
from harbour.core.privacy import ip_hash
from harbour.core.ratelimit import hit, hits
from harbour.core.validation import InvalidInput
from harbour.core.views import too_many_requests
from harbour.people.services import normalise_email

from . import services
from .forms import CONSENT_WORDING, PreferencesForm, SignupForm
from .models import NewsletterPage, SubscriptionState

# The one answer to every sign-up, whatever the address has done before.
SIGNUP_RECEIVED = gettext_lazy(
    "Thank you. Check your e-mail: open the link and press the button to confirm. Nothing is "
    "sent to you before that."
)


def signup_context(page: NewsletterPage, form: SignupForm | None = None) -> dict[str, Any]:
    lists = list(services.offered_lists())
    form = form or SignupForm(lists=lists, initial={"language": get_language()})
    return {"newsletter_form": form, "newsletter_url": page.url, "senders": services.senders(lists)}


def _page(
    request: HttpRequest, page: NewsletterPage, form: SignupForm | None = None, status: int = 200
) -> HttpResponse:
    context = {**page.get_context(request), **signup_context(page, form)}
    return TemplateResponse(request, "newsletter/newsletter_page.html", context, status=status)


def signup(request: HttpRequest, page: NewsletterPage) -> HttpResponse:
    if request.method != "POST":
        return _page(request, page)
    form = SignupForm(request.POST, lists=services.offered_lists())
    address = ip_hash(request)
    email = normalise_email(str(request.POST.get("email", "")))[:254]
    verdict = hits(
        ("newsletter-ip", address, settings.HARBOUR_NEWSLETTER_RATE_IP),
        ("newsletter-email", email, "5/h"),
    )
    over_network, over_address = verdict.over
    if over_network:
        message = _("Too many sign-ups from your network. Try again later.")
        return too_many_requests(request, message, verdict.retry_after)
    if form.is_bot():
        messages.success(request, SIGNUP_RECEIVED)
        return HttpResponseRedirect(page.url + "thanks/")
    if not form.is_valid():
        return _page(request, page, form, status=400)
    data = form.cleaned_data
    if not over_address:
        try:
            services.signup_create(
                page=page,
                email=data["email"],
                name=data["name"],
                province=data["province"],
                language=data["language"],
                list_ids=data["lists"],
                consent=data["consent"],
                wording=_(CONSENT_WORDING),  # as the form showed it, in its language
                wording_language=get_language(),
                source=f"newsletter form ({_form_place(request)})",
                ip_hash=address,
            )
        except InvalidInput as invalid:
            form.refusal_show(invalid)
            return _page(request, page, form, status=400)
    messages.success(request, SIGNUP_RECEIVED)
    return HttpResponseRedirect(page.url + "thanks/")


def _form_place(request: HttpRequest) -> str:
    """Which of the sign-up forms was used: the home page's, or the newsletter page's."""
    return "home" if request.POST.get("from") == "home" else "page"


def thanks(request: HttpRequest, page: NewsletterPage) -> HttpResponse:
    return TemplateResponse(request, "newsletter/thanks.html", {"page": page, "self": page})


CONFIRMATION = ConfirmedAction(
    read=lambda token: services.signup_for_confirmation(token=token),
    confirm=lambda token: services.signup_confirm(token=token),
    page_id=lambda signup: signup.page_id,
    waiting=lambda signup: signup.confirmed_at is None,
    templates="newsletter/confirm/",
    asking=lambda signup: {"signup": signup, "lists": list(signup.lists.all())},
    done=lambda signup: {"signup": signup, "lists": list(signup.lists.all())},
)


def confirm(request: HttpRequest, page: NewsletterPage, token: str) -> HttpResponse:
    return confirm_view(request, page, token, CONFIRMATION, {"page": page, "self": page})


def _failed(request: HttpRequest, reason: str) -> HttpResponse:
    return TemplateResponse(request, "newsletter/link_failed.html", {"reason": reason}, status=400)


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """A subscriber's lists and language, by the signed link in every e-mail; "stop all
    e-mail" is its own button."""
    try:
        person = services.person_for_preferences(token=token)
    except InvalidLink as error:
        return _failed(request, str(error))
    subscriptions = person.subscriptions.select_related("mailing_list")
    mine = {s.mailing_list_id for s in subscriptions if s.state == SubscriptionState.ACTIVE}
    lists = list(services.offered_lists()) + [
        s.mailing_list for s in subscriptions if not s.mailing_list.offered
    ]
    initial = {"lists": sorted(mine), "language": person.language or settings.LANGUAGE_CODE}
    posted = request.method == "POST"
    form = PreferencesForm(request.POST if posted else None, lists=lists, initial=initial)
    status = 200
    if posted:
        verdict = hit("newsletter-preferences", str(person.pk), "30/h")
        if not verdict:
            message = _("Too many changes to these choices. Try again later.")
            return too_many_requests(request, message, verdict.retry_after)
        if request.POST.get("action") == "stop-all":
            left = services.unsubscribe_all(person)
            done: dict[str, Any] = {"stopped": True, "left": left}
            return TemplateResponse(request, "newsletter/preferences.html", done)
        if form.is_valid():
            services.preferences_update(
                person=person,
                list_ids=form.cleaned_data["lists"],
                language=form.cleaned_data["language"],
                shown_language=get_language(),
            )
            messages.success(request, _("Your choices are saved."))
            return HttpResponseRedirect(request.path)
        status = 400
    context: dict[str, Any] = {"form": form, "email": person.email}
    response = TemplateResponse(request, "newsletter/preferences.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # RFC 8058: a mail client POSTs without a token or a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Leave one list. A POST (the mail client's one-click, or the page's button) takes
    effect at once; a GET (a link opened by a person or a scanner) shows the button."""
    try:
        subscription = services.subscription_for_unsubscribe(token=token)
    except InvalidLink as error:
        return _failed(request, str(error))
    if request.method == "POST":
        verdict = hit("newsletter-unsubscribe", str(subscription.pk), "30/h")
        if not verdict:
            message = _("Too many requests for this link. Try again later.")
            return too_many_requests(request, message, verdict.retry_after)
        services.subscription_leave(subscription)
        subscription.refresh_from_db()
    context = {
        "subscription": subscription,
        "left": subscription.state == SubscriptionState.WITHDRAWN,
        "preferences_url": reverse(
            "newsletter_preferences", args=[services.preferences_token(subscription.person)]
        ),
    }
    response = TemplateResponse(request, "newsletter/unsubscribe.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def link_follow(request: HttpRequest, token: str) -> HttpResponse:
    """A link of a mailing that counts clicks: counted (in total) and followed. A HEAD (a
    link checker) is not a click, and one network counts a link at most 3 times an hour."""
    from django.http import Http404

    from .mailings import mailing_link_follow

    count = request.method == "GET" and bool(
        hit("newsletter-click", f"{ip_hash(request)}:{token}", "3/h")
    )
    url = mailing_link_follow(token=token, count=count)
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)
