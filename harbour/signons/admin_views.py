"""The moderation queue and the signatory export, in the Wagtail admin."""

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail.models import Page

from harbour.coalition.models import MemberGroupPage
from harbour.core.audit import audit_record
from harbour.core.exports import csv_copy_response, csv_response
from harbour.core.paging import CappedPaginator

from . import selectors, services
from .member_groups import GroupLinkRefused, signature_member_group_set
from .models import Signature, SignatureState, SignerKind


@permission_required("signons.moderate_signature", raise_exception=True)
@require_http_methods(["GET", "POST"])
def moderation_queue(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", SignatureState.AWAITING_MODERATION)
    if state not in SignatureState.values:
        state = SignatureState.AWAITING_MODERATION
    if request.method == "POST":
        action = request.POST.get("action", "")
        ids = [int(i) for i in request.POST.getlist("signature") if i.isdigit()]
        if action not in services.ModerationAction.ALL or not ids:
            messages.error(request, _("Choose at least one signature and an action."))
        else:
            result = services.signature_moderate(
                signature_ids=ids,
                action=action,
                actor=request.user,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("%(n)d signature(s) updated.") % {"n": result.changed})
            for reason in sorted(set(result.refused)):
                count = result.refused.count(reason)
                messages.warning(
                    request, _("%(n)d left as they were: %(why)s") % {"n": count, "why": reason}
                )
        return HttpResponseRedirect(request.get_full_path())
    page_id = request.GET.get("page", "")
    signatures = selectors.signatures_for_moderation(
        state=state, page_id=int(page_id) if page_id.isdigit() else None
    )
    listing = CappedPaginator(signatures, 100).get_page(request.GET.get("p"))
    pages = selectors.pages_with_signatures()
    return TemplateResponse(
        request,
        "signons/admin/moderation.html",
        {
            "signatures": listing,
            "rows": _with_duplicates(listing),
            "state": state,
            "states": SignatureState.choices,
            "pages": pages,
            "page_id": page_id,
            "can_export": request.user.has_perm("signons.export_signature"),
        },
    )


@permission_required("signons.moderate_signature", raise_exception=True)
@require_http_methods(["GET", "POST"])
def signature_member_group(request: HttpRequest, signature_id: int) -> HttpResponse:
    """Link an organisation's signature to the member group it stands for."""
    signature = get_object_or_404(
        Signature.objects.select_related("page", "member_group"), pk=signature_id
    )
    error, status = "", 200
    if request.method == "POST":
        raw = request.POST.get("member_group", "")
        group_id = int(raw) if raw.isdigit() else None
        if raw and group_id is None:
            error, status = _("Choose a member group from the list."), 400
        else:
            try:
                signature_member_group_set(
                    signature_id=signature.pk, group_id=group_id, actor=request.user
                )
            except GroupLinkRefused as refusal:
                error, status = str(refusal), 400
            else:
                messages.success(request, _("The signature's member group is saved."))
                back = f"{reverse('signons_admin:moderation')}?state={signature.state}"
                return HttpResponseRedirect(f"{back}&page={signature.page_id}")
    groups = MemberGroupPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
    return TemplateResponse(
        request,
        "signons/admin/member_group.html",
        {"signature": signature, "groups": groups.order_by("title"), "error": error},
        status=status,
    )


def _with_duplicates(signatures: Iterable[Signature]) -> list[tuple[Signature, Signature | None]]:
    duplicates = selectors.possible_duplicates(signatures)
    return [(signature, duplicates.get(signature.pk)) for signature in signatures]


CSV_COLUMNS = [
    "signed_as",
    "state",
    "name",
    "honorific",
    "office",
    "city",
    "region",
    "website",
    "contact_name",
    "email",
    "postal_code",
    "listed_as",
    "signed",
    "confirmed",
]


@permission_required("signons.export_signature", raise_exception=True)
def export_signatories(request: HttpRequest, page_id: int) -> HttpResponseBase:
    """Confirmed signatories of one page as CSV (moderators and administrators only)."""
    page = get_object_or_404(Page, pk=page_id)
    rows = selectors.confirmed_signatories(page=page)

    def lines() -> Iterator[list[object]]:
        for s in rows.iterator():
            person = s.person
            yield [
                s.kind,
                s.state,
                s.name,
                s.honorific,
                s.get_office_display() if s.office else "",
                s.city,
                s.region,
                s.website,
                s.contact_name,
                person.email if person else "",
                person.postal_code if person and s.kind == SignerKind.INDIVIDUAL else "",
                s.listing,
                s.created_at.isoformat(),
                s.confirmed_at.isoformat() if s.confirmed_at else "",
            ]

    filename = f"signatories-{page.pk}.csv"
    if connection.vendor == "postgresql":  # PostgreSQL writes it: millions of rows in seconds
        sql = selectors.signatories_export_sql(page_id=page.pk)
        response = csv_copy_response(filename, CSV_COLUMNS, sql)
    else:
        response = csv_response(filename, CSV_COLUMNS, lines())
    audit_record(actor=request.user, action="signatures.export", target=page)
    return response
