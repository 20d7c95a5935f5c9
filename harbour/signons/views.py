"""Public views of statements and petitions. Each calls one service or selector."""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.views import serve as wagtail_serve

from harbour.coalition.sharing import group_contact_wording
from harbour.core import pagecache
from harbour.core.branding import brand_logo, brand_logo_data_uri
from harbour.core.confirmed_action import ConfirmedAction, confirm_view
from harbour.core.privacy import ip_hash
from harbour.core.ratelimit import Verdict, hit, hits
from harbour.core.validation import InvalidInput
from harbour.core.views import too_many_requests
from harbour.people.services import normalise_email

from . import areas, selectors, services
from .forms import FORMS, SignatureForm
from .models import SignatureState, SignerKind
from .models.pages import PetitionPage, SignOnPage

# Sign-on pages stay in the anonymous page cache (core.pagecache) a few seconds, and are
# cleared whenever a signature starts or stops counting (counts.count_add), so a supporter
# who has just confirmed sees themselves counted.
PAGE_CACHE_SECONDS = 5


def _context(page: SignOnPage, forms: dict[str, SignatureForm] | None = None) -> dict[str, Any]:
    """What a sign-on page shows; its signers and counts are the original page's, whichever
    translation this is (core.models.ActionPage.action_page)."""
    original = cast(SignOnPage, page.action_page())
    kinds = page.accepted_kinds()
    bound = forms or {}
    context: dict[str, Any] = {
        "page": page,
        "self": page,
        "forms": [
            _box_labelled(page, bound[kind]) if kind in bound else _form(page, kind)
            for kind in kinds
        ]
        if page.is_open()
        else [],
        "signatories": selectors.signatory_list(page=original),
        "is_open": page.is_open(),
        "has_closed": page.has_closed(),
    }
    if isinstance(page, PetitionPage):
        count = context["signatories"].count
        context["progress"] = min(100, round(100 * count / page.goal)) if page.goal else 0
        context["by_province"] = areas.signatures_by_province(page=original)
        all_districts = areas.signatures_by_district(page=original)
        context["by_district"] = all_districts[:TOP_DISTRICTS]
        context["districts_counted"] = len(all_districts)
        context["latest"] = selectors.latest_signers(page=original)
    return context


def _box_label(page: SignOnPage) -> str:
    """The words of the "let <groups> contact me" box; "" when the page names no group."""
    groups = list(cast(SignOnPage, page.action_page()).organising_groups.all())
    return group_contact_wording(groups) if groups else ""


def _form(page: SignOnPage, kind: str) -> SignatureForm:
    """A signer's empty form; with the box when the page names groups."""
    return FORMS[kind](group_contact_label=_box_label(page))


def _box_labelled(page: SignOnPage, form: SignatureForm) -> SignatureForm:
    """A submitted form shown again: its box in the page's words, or none."""
    if "group_contact" in form.fields:
        label = _box_label(page)
        if label:
            form.fields["group_contact"].label = label
        else:
            del form.fields["group_contact"]
    return form


# The petition page shows this many districts; the rest are on its districts page (a table
# of 343 rows is too long on a phone).
TOP_DISTRICTS = 10
DISTRICT_ORDERS = {"count", "name", "province"}


def districts(request: HttpRequest, page: PetitionPage) -> HttpResponse:
    """Every district with signatures: searchable by name or province, sortable, each row
    an anchor (`#district-<code>`) that the signer's confirmation page links to, so their
    own district stands out (CSS :target, no script)."""
    original = cast(PetitionPage, page.action_page())
    query = request.GET.get("q", "")[:100].strip()
    order = request.GET.get("order", "count")
    if order not in DISTRICT_ORDERS:
        order = "count"
    rows = areas.district_table(page=original, query=query, order=order)
    context = {
        "page": page,
        "self": page,
        "rows": rows,
        "query": query,
        "order": order,
        "total": len(areas.signatures_by_district(page=original)),
    }
    return TemplateResponse(request, "signons/districts.html", context)


def _render(
    request: HttpRequest, page: SignOnPage, status: int = 200, **forms: Any
) -> HttpResponse:
    return TemplateResponse(
        request, page.get_template(request), _context(page, forms), status=status
    )


def signon_page(request: HttpRequest, page: SignOnPage) -> HttpResponse:
    """Anonymous readers get a rendering up to PAGE_CACHE_SECONDS old (see core.pagecache):
    a petition in the news is read by thousands at once."""
    if not pagecache.is_cacheable(request) or request.user.is_authenticated:
        return _render(request, page)
    response = TemplateResponse(
        request,
        page.get_template(request),
        {**_context(page), "csrf_token": pagecache.CSRF_PLACEHOLDER},
    )
    html = response.render().content.decode()
    pagecache.store(request, html, PAGE_CACHE_SECONDS)
    return pagecache.personalise(request, html)


def page_post_or_serve(request: HttpRequest, path: str) -> HttpResponse:
    """In front of Wagtail's page serving: a sign-on form posts to its page's own address
    (so an error re-renders there), and that POST takes the short path below instead of
    Wagtail's routing; anything else is Wagtail's `serve` as usual."""
    if request.method == "POST":
        page_id = selectors.signon_page_id_for_path(request.path)
        if page_id is not None:
            return sign_by_id(request, page_id)
    return wagtail_serve(request, path)


def sign_by_id(request: HttpRequest, page_id: int) -> HttpResponse:
    page = selectors.signon_page_for_signing(page_id)
    if page is None:
        raise Http404
    return sign(request, page)


def sign(request: HttpRequest, page: SignOnPage) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseRedirect(page.url)
    if not page.is_open():
        messages.error(request, _("This page is closed: it no longer accepts signatures."))
        return _render(request, page, status=403)
    kind = request.POST.get("kind", "")
    if kind not in page.accepted_kinds():
        messages.error(request, _("Choose how you are signing: the form was incomplete."))
        return _render(request, page, status=400)
    address = ip_hash(request)
    # The box's value is read here; its words are looked up only if the form is shown
    # again (a signature stores before any query of the page's tree: the spike's path).
    form = FORMS[kind](request.POST, group_contact_label="-")
    if form.is_bot() or not form.is_valid():
        # Every attempt counts against the network's hard cap, valid or not.
        verdict = hit(*_network_cap(address))
        if not verdict:
            return _too_many(request, verdict)
        if form.is_bot():
            # Look like success so the bot learns nothing; store nothing.
            return HttpResponseRedirect(_thanks_url(page, kind))
        return _render(request, page, status=400, **{kind: form})
    email = normalise_email(form.cleaned_data["email"])
    verdict = hits(*sign_rate_checks(address, email))
    network, cap, per_address = verdict.over
    if cap:
        return _too_many(request, verdict)
    # Past the per-address limit nothing is stored or sent; past the network's limit (a
    # shared address: a campus, a community centre, a mobile carrier) the signature is
    # kept but waits for a moderator after its e-mail confirmation. Either way the answer
    # is the one every valid signature gets: the page never tells whether an address has
    # signed, is waiting or is new; only the address's owner learns it, by e-mail.
    if not per_address:
        try:
            services.signature_create(
                page=cast(SignOnPage, page.action_page()),
                kind=kind,
                email=email,
                details=form.cleaned_data,
                ip_hash=address,
                language=get_language() or "",
                held=network,
            )
        except InvalidInput as invalid:  # the service's rules, beyond what the form checked
            form.refusal_show(invalid)
            return _render(request, page, status=400, **{kind: form})
        except services.SignOnError as error:
            messages.error(request, str(error))
            return _render(request, page, status=400, **{kind: form})
    messages.success(request, SIGNATURE_RECEIVED)
    return HttpResponseRedirect(_thanks_url(page, kind))


def _thanks_url(page: SignOnPage, kind: str) -> str:
    """The thanks page; an organisation's says a moderator reviews it (what was typed, not
    what the address had done: the answer is the same for every address)."""
    return page.url + ("thanks/?as=organisation" if kind == SignerKind.ORGANISATION else "thanks/")


# The one answer to every valid signature, whatever the address has done before.
SIGNATURE_RECEIVED = _lazy(
    "Thank you! Check your e-mail, open the link and press the button to confirm your signature."
)


def sign_rate_checks(address: str, email: str) -> tuple[tuple[str, str, str], ...]:
    """The three limits a signature meets, in `hits` order: its network's (past it, held
    for review), the network's hard cap (past it, 429), and the address's own."""
    return (
        _per_network(address),
        _network_cap(address),
        ("sign-email", email, settings.HARBOUR_SIGN_RATE_EMAIL),
    )


def _per_network(address: str) -> tuple[str, str, str]:
    return ("sign-ip", address, settings.HARBOUR_SIGN_RATE_IP)


def _network_cap(address: str) -> tuple[str, str, str]:
    return ("sign-ip-cap", address, settings.HARBOUR_SIGN_CAP_IP)


def _too_many(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    return too_many_requests(
        request,
        _("Too many signatures from your network. Please try again later."),
        verdict.retry_after,
    )


def thanks(request: HttpRequest, page: SignOnPage) -> HttpResponse:
    organisation = request.GET.get("as") == SignerKind.ORGANISATION
    context = {"page": page, "self": page, "organisation": organisation}
    return TemplateResponse(request, "signons/thanks.html", context)


CONFIRMATION = ConfirmedAction(
    read=lambda token: services.signature_for_confirmation(token=token),
    confirm=lambda token: services.signature_confirm(token=token),
    page_id=lambda signature: signature.page_id,
    waiting=lambda signature: signature.state == SignatureState.PENDING,
    templates="signons/",
    asking=lambda signature: {"signature": signature, "days": settings.HARBOUR_CONFIRM_DAYS},
    done=lambda signature: {
        "signature": signature,
        "my_district": areas.signer_district(signature),
    },
)


def confirm(request: HttpRequest, page: SignOnPage, token: str) -> HttpResponse:
    """The link in the confirmation e-mail (core.confirmed_action)."""
    return confirm_view(request, page, token, CONFIRMATION, {"page": page, "self": page})


def printable(request: HttpRequest, page: SignOnPage) -> HttpResponse:
    rendition = brand_logo()  # served by the site itself (the CSP allows no data: image)
    context = {**_context(page), "logo": rendition.url if rendition is not None else ""}
    return TemplateResponse(request, "signons/print.html", context)


def pdf(request: HttpRequest, page: SignOnPage) -> HttpResponse:
    from django.contrib.staticfiles import finders
    from django.template.loader import render_to_string
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    context = {**_context(page), "for_pdf": True, "logo": brand_logo_data_uri()}
    html = render_to_string("signons/print.html", context, request)
    stylesheet = CSS(filename=finders.find("signons/print.css"))
    # No base URL and a fetcher for data: URIs only (the logo is embedded): the PDF never
    # reaches the network or the disk (nor calls back into this server, which would
    # deadlock a sync worker).
    fetcher = URLFetcher(allowed_protocols=["data"])
    document = HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{page.slug}.pdf"'
    return response
