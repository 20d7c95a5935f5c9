"""Organisers see reach (counts only); moderators and administrators alone export writers."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from harbour.core.audit import audit_record
from harbour.core.exports import csv_response

from .models import LetterCampaignPage
from .selectors import campaign_reach, campaigns_newest_first, confirmed_writers


@permission_required("wagtailadmin.access_admin", raise_exception=True)
def reach_index(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_newest_first()
    rows = [(c, campaign_reach(page=c)) for c in campaigns]
    return TemplateResponse(request, "letters/admin/reach_index.html", {"rows": rows})


@permission_required("wagtailadmin.access_admin", raise_exception=True)
def reach_detail(request: HttpRequest, page_id: int) -> HttpResponse:
    campaign = get_object_or_404(LetterCampaignPage, pk=page_id)
    reach = campaign_reach(page=campaign)
    peak = max([n for _, n in reach.by_day] or [1])
    bars = [(day, n, round(100 * n / peak)) for day, n in reach.by_day]
    return TemplateResponse(
        request,
        "letters/admin/reach_detail.html",
        {
            "campaign": campaign,
            "reach": reach,
            "bars": bars,
            "can_export": request.user.has_perm("letters.export_letter"),
        },
    )


@permission_required("letters.export_letter", raise_exception=True)
def export_writers(request: HttpRequest, page_id: int) -> HttpResponse:
    campaign = get_object_or_404(LetterCampaignPage, pk=page_id)
    letters = confirmed_writers(campaign=campaign)
    rows = (
        [
            letter.supporter_name,
            letter.person.email if letter.person else "",
            letter.person.postal_code if letter.person else "",
            letter.supporter_city,
            letter.district.name_en if letter.district else "",
            letter.confirmed_at.isoformat() if letter.confirmed_at else "",
        ]
        for letter in letters.iterator()
    )
    response = csv_response(
        f"letter-writers-{campaign.pk}.csv",
        ["name", "email", "postal_code", "city", "district", "confirmed"],
        rows,
    )
    audit_record(actor=request.user, action="letters.export", target=campaign)
    return response
