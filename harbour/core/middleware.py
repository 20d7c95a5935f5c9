from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# Public pages run no inline script or style; the Wagtail admin still needs inline ones.
PUBLIC_CSP = "; ".join(
    [
        "default-src 'self'",
        # Images from the site itself only: a third-party host would learn who reads what.
        "img-src 'self'",
        "media-src 'self'",
        "style-src 'self'",
        "script-src 'self'",
        "font-src 'self'",
        "frame-src https://www.youtube-nocookie.com https://www.youtube.com "
        "https://player.vimeo.com",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Staff pages outside /admin/ that show an inline image (the TOTP QR code as a data: URI).
STAFF_PAGE_CSP = PUBLIC_CSP.replace("img-src 'self'", "img-src 'self' data:")
ADMIN_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob: https:",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self' 'unsafe-inline'",
        "frame-src 'self' https:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = ADMIN_CSP if admin else PUBLIC_CSP
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class StaffTwoFactorMiddleware:
    """With HARBOUR_REQUIRE_2FA (on in production), the admin needs a verified TOTP device.

    A signed-in staff user who has not passed a second factor in this session is sent to set
    one up (first time) or to enter a code; everything else under /admin/ is out of reach.
    """

    EXEMPT = ("/admin/login/", "/admin/logout/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.HARBOUR_REQUIRE_2FA and self._needs_second_factor(request):
            return HttpResponseRedirect(reverse("core:two_factor"))
        return self.get_response(request)

    def _needs_second_factor(self, request: HttpRequest) -> bool:
        if not request.path.startswith("/admin/") or request.path.startswith(self.EXEMPT):
            return False
        user = request.user
        # OTPMiddleware (earlier in MIDDLEWARE) gives every user is_verified().
        return bool(user.is_authenticated and not user.is_verified())  # type: ignore[union-attr,attr-defined]


class RetryAfterMiddleware:
    """Every 429 says when to come back. Our own limits set Retry-After from their window
    (core.views.too_many_requests); a 429 from a library (django-axes' sign-in lockout) gets
    the lockout's cool-off, or a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and "Retry-After" not in response:
            hours = getattr(settings, "AXES_COOLOFF_TIME", None)
            seconds = int(hours * 3600) if isinstance(hours, int | float) else 60
            response["Retry-After"] = str(max(1, seconds))
        return response
