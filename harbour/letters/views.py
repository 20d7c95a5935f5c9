"""The supporter's path: postal code → recipients → letter → e-mail confirmation."""

from typing import Any, cast
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from harbour.core.confirmed_action import ConfirmedAction, confirm_view
from harbour.core.privacy import ip_hash
from harbour.core.ratelimit import Verdict, hit
from harbour.core.validation import InvalidInput
from harbour.core.views import too_many_requests
from harbour.people.services import normalise_email
from harbour.representatives.lookup import district_search
from harbour.representatives.models import ElectoralDistrict
from harbour.representatives.selectors import representative_local_title
from harbour.representatives.services import letters_may_go_to

from . import selectors, services
from .forms import LetterForm, PostalCodeForm
from .models import Letter, LetterCampaignPage, LetterState, MailtoClick
from .rendering import greeting, letter_render, letter_text, template_head


def _base(page: LetterCampaignPage) -> dict[str, Any]:
    original = page.action_page()  # one count for every translation of the campaign
    return {"page": page, "self": page, "count": selectors.public_letter_count(page=original)}


def _original(page: LetterCampaignPage) -> LetterCampaignPage:
    """Letters are stored against the campaign's original page, whichever translation a
    supporter wrote from (core.models.ActionPage.action_page)."""
    return cast(LetterCampaignPage, page.action_page())


def campaign_page(request: HttpRequest, page: LetterCampaignPage) -> HttpResponse:
    return TemplateResponse(
        request, page.get_template(request), {**_base(page), "postal_form": PostalCodeForm()}
    )


def write(request: HttpRequest, page: LetterCampaignPage) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseRedirect(page.url)
    verdict = hit("letters-lookup", ip_hash(request), settings.HARBOUR_LETTER_RATE_IP)
    if not verdict:
        return _too_many(request, verdict)
    form = PostalCodeForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(
            request, page.get_template(request), {**_base(page), "postal_form": form}, status=400
        )
    postal_code = form.cleaned_data["postal_code"]
    district, approximate = services.letter_district(form.cleaned_data["district"], postal_code)
    return _write_page(
        request,
        page,
        postal_code,
        district,
        approximate,
        matches=district_search(form.cleaned_data["district_query"]),
        query=form.cleaned_data["district_query"],
    )


def _write_page(
    request: HttpRequest,
    page: LetterCampaignPage,
    postal_code: str,
    district: ElectoralDistrict | None,
    approximate: bool,
    *,
    letter_form: LetterForm | None = None,
    matches: list[ElectoralDistrict] | None = None,
    query: str = "",
    status: int = 200,
) -> HttpResponse:
    targets = services.campaign_targets(campaign=_original(page), district=district)
    first = targets[0] if targets else None
    # Where supporters edit, the greeting stays out of their text: each recipient's letter
    # opens with its own (the list of recipients shows each one).
    text = template_head(page.body_template)[1] if page.allow_editing else page.body_template
    initial = {
        "postal_code": postal_code,
        "district": district.code if district else "",
        "subject": page.subject_template,
        "body": letter_render(
            text, rep=first, district=district, supporter_name="", supporter_city=""
        ),
    }
    context = {
        **_base(page),
        "postal_code": postal_code,
        "district": district,
        "approximate": approximate,
        "matches": matches or [],
        "query": query,
        "targets": targets,
        "recipients": [
            (rep, greeting(rep, district), representative_local_title(rep)) for rep in targets
        ],
        "show_greetings": "{greeting}" in page.body_template,
        "letter_form": letter_form or LetterForm(initial=initial, max_length=page.max_length),
        "mailto": _mailto(page, targets, district) if page.delivery == "mailto" else "",
    }
    return TemplateResponse(request, "letters/write.html", context, status=status)


def _mailto(page: LetterCampaignPage, targets: list, district: ElectoralDistrict | None) -> str:
    # The same rule as sent letters: only legislature or administrator-approved addresses.
    to = ",".join(t.email for t in targets if letters_may_go_to(t))
    body = letter_render(
        page.body_template,
        rep=targets[0] if len(targets) == 1 else None,
        district=district,
        supporter_name="",
        supporter_city="",
    )
    return f"mailto:{to}?subject={quote(page.subject_template)}&body={quote(body)}"


def submit(request: HttpRequest, page: LetterCampaignPage) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseRedirect(page.url)
    verdict = hit("letters-ip", ip_hash(request), settings.HARBOUR_LETTER_RATE_IP)
    if not verdict:
        return _too_many(request, verdict)
    if request.POST.get("mode") == "mailto" and page.delivery == "mailto":
        return _mailto_click(request, page)
    form = LetterForm(request.POST, max_length=page.max_length)
    if form.is_bot():
        return HttpResponseRedirect(page.url + "thanks/")
    if not form.is_valid():
        postal = request.POST.get("postal_code", "")
        try:
            district, approximate = services.letter_district(
                request.POST.get("district", ""), postal
            )
        except ValidationError:  # a bad postal code: back to the first step, with why
            postal_form = PostalCodeForm(request.POST)
            postal_form.is_valid()
            return TemplateResponse(
                request,
                page.get_template(request),
                {**_base(page), "postal_form": postal_form},
                status=400,
            )
        return _write_page(
            request, page, postal, district, approximate, letter_form=form, status=400
        )
    data = form.cleaned_data
    email = normalise_email(data["email"])
    # Past the per-address limit nothing is stored or sent, and the answer is the same as
    # for any other valid letter: the form never tells whether an address has written.
    if hit("letters-email", email, settings.HARBOUR_LETTER_RATE_EMAIL):
        try:
            services.letter_create(
                campaign=_original(page),
                email=email,
                given_name=data["given_name"],
                family_name=data["family_name"],
                postal_code=data["postal_code"],
                city=data["city"],
                district_code=data["district"],
                subject=data["subject"],
                body=data["body"],
                newsletter=data["newsletter"],
                ip_hash=ip_hash(request),
                language=get_language() or "",
            )
        except InvalidInput as invalid:  # the service's rules, beyond what the form checked
            form.refusal_show(invalid)
            district, approximate = services.letter_district(data["district"], data["postal_code"])
            return _write_page(
                request,
                page,
                data["postal_code"],
                district,
                approximate,
                letter_form=form,
                status=400,
            )
        except services.LetterError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(page.url)
    messages.success(request, LETTER_RECEIVED)
    return HttpResponseRedirect(page.url + "thanks/")


# The one answer to every valid letter, whatever the address has done before.
LETTER_RECEIVED = _lazy(
    "Almost done: check your e-mail, open the link and press the button to send your letter."
)


def _mailto_click(request: HttpRequest, page: LetterCampaignPage) -> HttpResponse:
    form = PostalCodeForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(
            request, page.get_template(request), {**_base(page), "postal_form": form}, status=400
        )
    district, _approx = services.letter_district(
        form.cleaned_data["district"], form.cleaned_data["postal_code"]
    )
    original = _original(page)
    targets = services.campaign_targets(campaign=original, district=district)
    MailtoClick.objects.create(campaign=original, district=district, recipients=len(targets))
    selectors.public_letter_count_forget(page_id=original.pk)
    return MailtoRedirect(_mailto(page, targets, district))


class MailtoRedirect(HttpResponseRedirect):
    allowed_schemes = ["mailto"]


def _too_many(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    return too_many_requests(
        request,
        _("Too many letters from your network. Please try again later."),
        verdict.retry_after,
    )


def thanks(request: HttpRequest, page: LetterCampaignPage) -> HttpResponse:
    return TemplateResponse(request, "letters/thanks.html", _base(page))


def _asking(letter: Letter) -> dict[str, Any]:
    """The words the button sends, as the first recipient will read them, and to whom."""
    recipients = services.campaign_targets(
        campaign=letter.campaign.specific, district=letter.district
    )
    subject, preview = letter_text(letter, rep=recipients[0] if recipients else None)
    return {
        "letter": letter,
        "subject": subject,
        "preview": preview,
        "recipients": recipients,
        "days": settings.HARBOUR_CONFIRM_DAYS,
    }


CONFIRMATION = ConfirmedAction(
    read=lambda token: services.letter_for_confirmation(token=token),
    confirm=lambda token: services.letter_confirm(token=token),
    page_id=lambda letter: letter.campaign_id,
    waiting=lambda letter: letter.state == LetterState.PENDING,
    templates="letters/",
    asking=_asking,
    done=lambda letter: {
        "letter": letter,
        "recipients": letter.deliveries.select_related("representative"),
    },
)


def confirm(request: HttpRequest, page: LetterCampaignPage, token: str) -> HttpResponse:
    """The link in the confirmation e-mail (core.confirmed_action)."""
    return confirm_view(request, page, token, CONFIRMATION, _base(page))
