from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from .actions import open_actions
from .branding import brand, brand_logo


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
    """Load balancers' check: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500 without a template context that could fail again (no database, no settings)."""
    return render(request, "500.html", {"SITE_URL": settings.SITE_URL}, status=500)
