from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from .actions import open_actions


def take_action(request: HttpRequest) -> HttpResponse:
    """Every open statement, petition and letter campaign (core.actions)."""
    return render(request, "core/take_action.html", {"actions": open_actions()})


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


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500 without a template context that could fail again (no database, no settings)."""
    return render(request, "500.html", {"SITE_URL": settings.SITE_URL}, status=500)
