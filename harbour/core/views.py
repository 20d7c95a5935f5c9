import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from .actions import open_actions
from .branding import brand, brand_logo
from .degraded import DATABASE_AWAY
from .taskstats import task_backlog


def brand_css(request: HttpRequest) -> HttpResponse:
    """The coalition's colours (Settings > Branding) as CSS variables: a stylesheet, since
    public pages allow no inline style."""
    current = brand()
    css = f":root {{ --accent: {current.accent_colour}; --ink: {current.ink_colour}; }}\n"
    response = HttpResponse(css, content_type="text/css")
    response["Cache-Control"] = "public, max-age=300"
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    """The logo as the browser tab's icon, else the project's own."""
    rendition = brand_logo("fill-64x64")
    url = rendition.url if rendition is not None else static("core/favicon.svg")
    return HttpResponseRedirect(url)


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
    """Liveness for a load balancer: the process answers (nothing else is asked)."""
    return JsonResponse({"ok": True})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database and the cache answer, and the task queue is keeping up
    (backlog and oldest waiting task under HARBOUR_READY_MAX_BACKLOG and
    HARBOUR_READY_MAX_WAIT_SECONDS). 200 when all hold, else 503; counts only."""
    checks: dict[str, bool] = {}
    details: dict[str, object] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = True
    except DatabaseError:
        checks["database"] = False
    try:
        cache.set("harbour:readyz", 1, 10)
        checks["cache"] = cache.get("harbour:readyz") == 1
    except Exception:  # noqa: BLE001 - any cache failure means "not ready"
        checks["cache"] = False
    if checks["database"]:
        backlog = task_backlog()
        wait = backlog.oldest_ready_seconds or 0.0
        details = {
            "ready": backlog.ready,
            "running": backlog.running,
            "oldest_ready_s": round(wait, 1),
        }
        checks["tasks"] = (
            backlog.ready <= settings.HARBOUR_READY_MAX_BACKLOG
            and wait <= settings.HARBOUR_READY_MAX_WAIT_SECONDS
        )
    ok = all(checks.values()) and len(checks) == 3
    return JsonResponse({"ok": ok, "checks": checks, "tasks": details}, status=200 if ok else 503)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The page for an error no view handled (Django's handler500, called while the error
    is being handled). The database away is not the site's fault and passes: a 503 in the
    visitor's language with Retry-After, rendered without anything that could need the
    database again; anything else is a 500 without a template context that could fail."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_AWAY):
        seconds = settings.HARBOUR_DB_RETRY_AFTER_SECONDS
        language = get_language() or settings.LANGUAGE_CODE
        home = "/" if language == settings.LANGUAGE_CODE else f"/{language}/"
        html = render_to_string("503.html", {"LANGUAGE_CODE": language, "home": home})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(seconds)
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "500.html", {"SITE_URL": settings.SITE_URL}, status=500)
