"""References for `make bench` (docs/benchmarks.md): a minimal view, a one-row insert, that
insert with one task queued, and the sign-on service without its form. Each goes through
the whole middleware stack, CSRF included."""

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from harbour.core.models import AuditEntry
from harbour.core.privacy import ip_hash
from harbour.core.ratelimit import hits
from harbour.core.validation import InvalidInput
from harbour.people.services import normalise_email
from harbour.signons import selectors, services
from harbour.signons.views import sign_rate_checks

# What a valid individual's form gives `sign` for the petition bench's postal code.
BENCH_DETAILS = {
    "given_name": "Bench",
    "family_name": "Signer",
    "postal_code": "K1A 0A6",
    "city": "Ottawa",
    "province": "ON",
    "listing": "full",
    "newsletter": False,
}


def bench_ping(request: HttpRequest) -> HttpResponse:
    """The minimal view pages are compared against."""
    return HttpResponse("ok", content_type="text/plain")


def bench_insert(request: HttpRequest) -> HttpResponse:
    """The ceiling of a write: one row inserted, nothing else."""
    if request.method != "POST":
        return HttpResponse(status=405)
    _bench_row("bench.insert")
    return HttpResponse("ok", content_type="text/plain")


def bench_insert_enqueue(request: HttpRequest) -> HttpResponse:
    """The ceiling's row and one task queued with it, in one transaction through the tasks
    API: what any submission that queues an e-mail costs at least."""
    from .tasks import bench_noop

    if request.method != "POST":
        return HttpResponse(status=405)
    with transaction.atomic():
        bench_noop.enqueue(_bench_row("bench.enqueue").pk)
    return HttpResponse("ok", content_type="text/plain")


def _bench_row(action: str) -> AuditEntry:
    return AuditEntry.objects.create(
        actor_label="bench", action=action, target_type="bench", target_id="0"
    )


def bench_sign_service(request: HttpRequest, page_id: int) -> HttpResponse:
    """The floor of a sign-on: the rate limits and `signature_create` as `sign` runs them for
    a new individual signer, with fixed details in place of the form, and no flash message."""
    if request.method != "POST":
        return HttpResponse(status=405)
    page = selectors.signon_page_for_signing(page_id)
    if page is None:
        raise Http404
    email = normalise_email(request.POST.get("individual-email", ""))
    address = ip_hash(request)
    if not hits(*sign_rate_checks(address, email)):
        return HttpResponse(status=429)
    try:
        services.signature_create(
            page=page,
            kind="individual",
            email=email,
            details=BENCH_DETAILS,
            ip_hash=address,
            language="en",
        )
    except InvalidInput as invalid:  # the service checks its input, as for every caller
        return HttpResponse(str(invalid), status=400, content_type="text/plain")
    return HttpResponseRedirect(page.url + "thanks/")
