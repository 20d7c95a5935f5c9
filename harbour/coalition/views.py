"""The public "Join the alliance" page: the principles, the form, the thanks and the
confirmation link (core.confirmed_action)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from harbour.core.confirmed_action import ConfirmedAction, confirm_view
from harbour.core.privacy import ip_hash
from harbour.core.ratelimit import hit
from harbour.core.validation import InvalidInput
from harbour.core.views import too_many_requests
from harbour.people.services import normalise_email

from . import applications, invitations, signin
from . import contact as contact_services
from .forms import ApplicationForm, ContactForm, InvitationForm, SigninLinkForm
from .models import ApplicationState, ContactState, InvitationRole, JoinPage, MemberGroupPage

# The one answer to every application, whatever the address has done before.
APPLICATION_RECEIVED = gettext_lazy(
    "Thank you. Check your e-mail: open the link and press the button to send your "
    "group's application."
)


def _page(
    request: HttpRequest, page: JoinPage, form: ApplicationForm, status: int = 200
) -> HttpResponse:
    context = {"page": page, "self": page, "form": form}
    return TemplateResponse(request, "coalition/join_page.html", context, status=status)


def join(request: HttpRequest, page: JoinPage) -> HttpResponse:
    if request.method != "POST":
        return _page(request, page, ApplicationForm())
    form = ApplicationForm(request.POST)
    if form.is_bot():
        messages.success(request, APPLICATION_RECEIVED)
        return HttpResponseRedirect(page.url + "thanks/")
    if not form.is_valid():
        return _page(request, page, form, status=400)
    data = form.cleaned_data
    visitor = ip_hash(request)
    verdict = hit("join-ip", visitor, "10/h")
    if not verdict:
        message = _("Too many applications from your network. Try again later.")
        return too_many_requests(request, message, verdict.retry_after)
    # Past the per-address limit nothing is stored or sent, and the answer is the same as
    # for any other application: the form never tells whether an address has applied.
    if not hit("join-email", normalise_email(data["email"]), "3/h"):
        messages.success(request, APPLICATION_RECEIVED)
        return HttpResponseRedirect(page.url + "thanks/")
    try:
        applications.application_create(
            page=page,
            email=data["email"],
            group_name=data["group_name"],
            city=data["city"],
            province=data["province"],
            website=data["website"],
            contact_name=data["contact_name"],
            activities=data["activities"],
            principles_agreed=data["principles_agreed"],
            ip_hash=visitor,
            language=get_language() or "",
        )
    except InvalidInput as invalid:
        form.refusal_show(invalid)
        return _page(request, page, form, status=400)
    messages.success(request, APPLICATION_RECEIVED)
    return HttpResponseRedirect(page.url + "thanks/")


def join_thanks(request: HttpRequest, page: JoinPage) -> HttpResponse:
    return TemplateResponse(request, "coalition/join_thanks.html", {"page": page, "self": page})


CONFIRMATION = ConfirmedAction(
    read=lambda token: applications.application_for_confirmation(token=token),
    confirm=lambda token: applications.application_confirm(token=token),
    page_id=lambda application: application.page_id,
    waiting=lambda application: application.state == ApplicationState.PENDING,
    templates="coalition/apply/",
    asking=lambda application: {"application": application},
    done=lambda application: {"application": application},
)


def join_confirm(request: HttpRequest, page: JoinPage, token: str) -> HttpResponse:
    base: dict[str, Any] = {"page": page, "self": page}
    return confirm_view(request, page, token, CONFIRMATION, base)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation to organise a group: choose a password, then enrol the second factor."""
    try:
        invited = invitations.invitation_open(token)
    except invitations.InvitationRefused as refusal:
        return TemplateResponse(
            request, "coalition/invitation_failed.html", {"reason": str(refusal)}, status=400
        )
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        verdict = hit("invitation", ip_hash(request), "20/h")
        if not verdict:
            message = _("Too many attempts from your network. Try again later.")
            return too_many_requests(request, message, verdict.retry_after)
        status = 400
        if form.is_valid():
            try:
                user = invitations.invitation_accept(
                    token=token,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password"],
                )
            except invitations.InvitationRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                if invited.role == InvitationRole.MEMBER:
                    messages.success(
                        request,
                        _("Welcome: you are a member of %(group)s.") % {"group": invited.group},
                    )
                    return HttpResponseRedirect(invited.group.url or "/")
                return HttpResponseRedirect(
                    reverse("core:two_factor") + "?next=/admin/coalition/groups/"
                )
    context = {"form": form, "invitation": invited}
    # The site's Referrer-Policy (same-origin) keeps the token in this address from other
    # sites; "no-referrer" would make browsers send "Origin: null" and fail the CSRF check.
    return TemplateResponse(request, "coalition/invitation.html", context, status=status)


# The one answer to every message, whatever the address has done before.
MESSAGE_RECEIVED = gettext_lazy(
    "Thank you. Check your e-mail: open the link and press the button to send your message."
)


def contact(request: HttpRequest, page: MemberGroupPage) -> HttpResponse:
    """The group page's contact form (a POST); GET goes back to the page."""
    if request.method != "POST":
        return HttpResponseRedirect(page.url)
    form = ContactForm(request.POST)
    visitor = ip_hash(request)
    verdict = hit("contact-ip", visitor, "10/h")
    if not verdict:
        message = _("Too many messages from your network. Try again later.")
        return too_many_requests(request, message, verdict.retry_after)
    if form.is_bot():
        messages.success(request, MESSAGE_RECEIVED)
        return HttpResponseRedirect(page.url + "contact/thanks/")
    if not form.is_valid():
        context = {**page.get_context(request), "contact_form": form}
        return TemplateResponse(request, page.get_template(request), context, status=400)
    data = form.cleaned_data
    if hit("contact-email", normalise_email(data["email"]), "3/h"):
        try:
            contact_services.contact_create(
                group=page,
                email=data["email"],
                name=data["name"],
                message=data["message"],
                wants_membership=data["wants_membership"],
                ip_hash=visitor,
                language=get_language() or "",
            )
        except InvalidInput as invalid:
            form.refusal_show(invalid)
            context = {**page.get_context(request), "contact_form": form}
            return TemplateResponse(request, page.get_template(request), context, status=400)
    messages.success(request, MESSAGE_RECEIVED)
    return HttpResponseRedirect(page.url + "contact/thanks/")


CONTACT_CONFIRMATION = ConfirmedAction(
    read=lambda token: contact_services.contact_for_confirmation(token=token),
    confirm=lambda token: contact_services.contact_confirm(token=token),
    page_id=lambda contact: contact.group_id,
    waiting=lambda contact: contact.state == ContactState.PENDING,
    templates="coalition/contact/",
    asking=lambda contact: {"contact": contact},
    done=lambda contact: {"contact": contact},
)


def contact_confirm(request: HttpRequest, page: MemberGroupPage, token: str) -> HttpResponse:
    base: dict[str, Any] = {"page": page, "self": page}
    return confirm_view(request, page, token, CONTACT_CONFIRMATION, base)


SIGNIN_LINK_SENT = gettext_lazy(
    "If this address belongs to a member's account, a sign-in link is on its way to it."
)


@require_http_methods(["GET", "POST"])
def signin_link(request: HttpRequest) -> HttpResponse:
    """A member asks for a one-time sign-in link by e-mail; the answer is the same for any
    address."""
    form = SigninLinkForm(request.POST or None)
    if request.method == "POST":
        verdict = hit("signin-ip", ip_hash(request), "10/h")
        if not verdict:
            message = _("Too many requests from your network. Try again later.")
            return too_many_requests(request, message, verdict.retry_after)
        if not form.is_valid():
            return TemplateResponse(
                request, "coalition/signin_link.html", {"form": form}, status=400
            )
        email = normalise_email(form.cleaned_data["email"])
        if hit("signin-email", email, "3/h"):
            signin.signin_link_request(email=email)
        return TemplateResponse(request, "coalition/signin_link.html", {"sent": SIGNIN_LINK_SENT})
    return TemplateResponse(request, "coalition/signin_link.html", {"form": form})


@require_http_methods(["GET", "POST"])
def signin_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link's page has a button; only its POST signs in (mail scanners open links)."""
    try:
        user = signin.signin_user(token=token)
    except signin.SigninRefused as refusal:
        context = {"reason": str(refusal)}
        return TemplateResponse(request, "coalition/signin_failed.html", context, status=400)
    if request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("You are signed in."))
        return HttpResponseRedirect("/")
    return TemplateResponse(request, "coalition/signin_confirm.html", {"member": user})
