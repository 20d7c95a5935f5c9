"""The organisers' corner of the Wagtail admin: the groups one manages, their page, and
their co-organisers (coalition.organisers decides who may do what)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from harbour.core.paging import CappedPaginator
from harbour.core.ratelimit import hit

from .applications import ApplicationRefused, application_decide
from .contact import membership_decide, membership_requests
from .invitations import organiser_invite
from .members import member_invite, member_remove, members_of
from .models import ApplicationState, GroupApplication, GroupInvitation, MemberGroupPage
from .organisers import (
    OrganiserRefused,
    groups_managed_by,
    may_manage_group,
    organiser_remove,
    organisers_of,
)
from .sharing import supporters_shared_with


def my_groups(request: HttpRequest) -> HttpResponse:
    return _groups_page(request)


def _groups_page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    """The groups the user manages with their organisers, members and requests to be a
    member, and what went wrong, if anything."""
    rows = [
        (group, organisers_of(group), members_of(group), membership_requests(group))
        for group in groups_managed_by(request.user)
    ]
    context = {"rows": rows, "error": error}
    return TemplateResponse(request, "coalition/admin/my_groups.html", context, status=status)


@require_http_methods(["POST"])
def group_organisers(request: HttpRequest, group_id: int) -> HttpResponse:
    """Add an organiser by the e-mail address of their account, or remove one."""
    group = get_object_or_404(MemberGroupPage, pk=group_id)
    if not may_manage_group(request.user, group):
        error = _("You may change the organisers of your own group only.")
        return _groups_page(request, error, 403)
    if not hit("organisers", str(request.user.pk), "60/h"):
        return _groups_page(request, _("Too many changes in an hour; try again later."), 429)
    User = get_user_model()
    try:
        if request.POST.get("action") == "remove":
            raw = request.POST.get("user", "")[:20]
            user = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
            if user is None:
                raise OrganiserRefused(_("That person does not organise this group."))
            organiser_remove(group=group, user=user, actor=request.user)
            messages.success(request, _("%(who)s no longer organises %(group)s.") % {
                "who": user.get_username(), "group": group.title,
            })  # fmt: skip
        else:
            email = request.POST.get("email", "").strip()[:254]
            added = organiser_invite(group=group, email=email, actor=request.user)
            done = (
                _("An invitation to organise %(group)s went to %(who)s.")
                if isinstance(added, GroupInvitation)
                else _("%(who)s now organises %(group)s.")
            )
            messages.success(request, done % {"who": email, "group": group.title})
    except OrganiserRefused as refusal:
        return _groups_page(request, str(refusal), 400)
    return HttpResponseRedirect(reverse("coalition_admin:my_groups"))


@permission_required("coalition.review_application", raise_exception=True)
def application_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", ApplicationState.SUBMITTED)
    if state not in ApplicationState.values:
        state = ApplicationState.SUBMITTED
    listing = CappedPaginator(
        GroupApplication.objects.filter(state=state).select_related("decided_by").order_by("pk"),
        50,
    ).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "coalition/admin/applications.html",
        {"applications": listing, "state": state, "states": ApplicationState.choices},
    )


@permission_required("coalition.review_application", raise_exception=True)
@require_http_methods(["GET", "POST"])
def application_decision(request: HttpRequest, application_id: int) -> HttpResponse:
    application = get_object_or_404(
        GroupApplication.objects.select_related("person", "decided_by", "group"),
        pk=application_id,
    )
    error, status = "", 200
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in ("approve", "decline"):
            error, status = _("Choose to approve or to decline."), 400
        else:
            try:
                application_decide(
                    application_id=application.pk,
                    approve=decision == "approve",
                    note=request.POST.get("note", ""),
                    actor=request.user,
                )
            except ApplicationRefused as refusal:
                error, status = str(refusal), 400
            else:
                messages.success(request, _("The decision is recorded."))
                return HttpResponseRedirect(reverse("coalition_admin:applications"))
    return TemplateResponse(
        request,
        "coalition/admin/application.html",
        {"application": application, "error": error},
        status=status,
    )


def group_supporters(request: HttpRequest, group_id: int) -> HttpResponse:
    """The supporters who agreed that this group may contact them (coalition.sharing),
    for its organisers: nobody else's, and nothing without that consent."""
    group = get_object_or_404(MemberGroupPage, pk=group_id)
    if not may_manage_group(request.user, group):
        return _groups_page(request, _("You may see your own group's supporters only."), 403)
    consents = CappedPaginator(supporters_shared_with(group), 100).get_page(request.GET.get("p"))
    context = {"group": group, "consents": consents}
    return TemplateResponse(request, "coalition/admin/supporters.html", context)


@require_http_methods(["POST"])
def group_members(request: HttpRequest, group_id: int) -> HttpResponse:
    """Invite a member by address, remove one, or answer a request to be a member."""
    group = get_object_or_404(MemberGroupPage, pk=group_id)
    if not may_manage_group(request.user, group):
        return _groups_page(request, _("You may change the members of your own group only."), 403)
    if not hit("organisers", str(request.user.pk), "60/h"):
        return _groups_page(request, _("Too many changes in an hour; try again later."), 429)
    action = request.POST.get("action", "")
    try:
        if action in ("accept", "decline"):
            raw = request.POST.get("request", "")[:20]
            if not raw.isdigit():
                raise OrganiserRefused(_("Choose a request to answer."))
            membership_decide(contact_id=int(raw), accept=action == "accept", actor=request.user)
            messages.success(request, _("The request is answered."))
        elif action == "remove":
            raw = request.POST.get("user", "")[:20]
            user = get_user_model().objects.filter(pk=int(raw)).first() if raw.isdigit() else None
            if user is None:
                raise OrganiserRefused(_("That person is not a member of this group."))
            member_remove(group=group, user=user, actor=request.user)
            messages.success(request, _("%(who)s is no longer a member.") % {"who": user.email})
        else:
            email = request.POST.get("email", "").strip()[:254]
            added = member_invite(group=group, email=email, actor=request.user)
            done = (
                _("An invitation to be a member went to %(who)s.")
                if isinstance(added, GroupInvitation)
                else _("%(who)s is now a member.")
            )
            messages.success(request, done % {"who": email})
    except OrganiserRefused as refusal:
        return _groups_page(request, str(refusal), 400)
    return HttpResponseRedirect(reverse("coalition_admin:my_groups"))
