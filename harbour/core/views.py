from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from .models import AuditEntry


def too_many_requests(request: HttpRequest, message: str, retry_after: int) -> HttpResponse:
    """The 429 every rate-limited public form answers with, saying when to try again."""
    response = render(request, "core/too_many_requests.html", {"message": message}, status=429)
    response["Retry-After"] = str(max(1, retry_after))
    return response


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Load balancers' check: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


def bench_ping(request: HttpRequest) -> HttpResponse:
    """The minimal view `make bench` compares pages against (mounted only with HARBOUR_BENCH)."""
    return HttpResponse("ok", content_type="text/plain")


def bench_insert(request: HttpRequest) -> HttpResponse:
    """The ceiling of a write for `make bench`: one row inserted, nothing else (mounted only
    with HARBOUR_BENCH). It goes through the same middleware, CSRF included."""
    if request.method != "POST":
        return HttpResponse(status=405)
    _bench_row("bench.insert")
    return HttpResponse("ok", content_type="text/plain")


def bench_insert_enqueue(request: HttpRequest) -> HttpResponse:
    """The ceiling's row and one task queued with it, in one transaction through the tasks
    API (mounted only with HARBOUR_BENCH): what any submission that queues an e-mail costs
    at least."""
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


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500 without a template context that could fail again (no database, no settings)."""
    return render(request, "500.html", {"SITE_URL": settings.SITE_URL}, status=500)
