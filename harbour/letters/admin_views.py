"""Organisers see reach (counts only); moderators and administrators alone export writers."""

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
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
    chart = _day_chart(reach.by_day)
    return TemplateResponse(
        request,
        "letters/admin/reach_detail.html",
        {
            "campaign": campaign,
            "reach": reach,
            "chart": chart,
            "can_export": request.user.has_perm("letters.export_letter"),
        },
    )


CHART_LEFT, CHART_WIDTH, CHART_ROW = 100, 440, 22


def _day_chart(by_day: list[tuple[Any, int]]) -> dict[str, Any]:
    """A horizontal bar per day, in SVG user units: the dates down the left axis, a scale
    (0, half, the busiest day) along the bottom, each bar labelled with its count."""
    peak = max([n for _, n in by_day] or [1]) or 1
    rows = [
        {
            "day": day,
            "n": n,
            "y": CHART_ROW * i,
            "width": round(CHART_WIDTH * n / peak),
            "label_x": CHART_LEFT + round(CHART_WIDTH * n / peak) + 4,
        }
        for i, (day, n) in enumerate(by_day)
    ]
    axis_y = CHART_ROW * len(rows) + 2
    ticks = [
        {"x": CHART_LEFT + round(CHART_WIDTH * value / peak), "value": value}
        for value in sorted({0, peak // 2, peak})
    ]
    return {
        "rows": rows,
        "ticks": ticks,
        "left": CHART_LEFT,
        "right": CHART_LEFT + CHART_WIDTH,
        "axis_y": axis_y,
        "height": axis_y + 24,
    }


@permission_required("letters.export_letter", raise_exception=True)
def export_writers(request: HttpRequest, page_id: int) -> HttpResponseBase:
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
