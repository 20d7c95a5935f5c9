"""TOTP enrolment and verification for staff (django-otp)."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .middleware import STAFF_PAGE_CSP
from .ratelimit import hit


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label=_("Six-digit code from your authenticator app"),
        error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
    )


def _qr_data_uri(data: str) -> str:
    """The otpauth:// URI as an SVG QR code in a data: URI (no markup marked safe)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP device the first time, then ask for a code in each new session."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    status = 200
    verdict = hit("two-factor", str(user.pk), "10/m") if request.method == "POST" else None
    if verdict is not None:
        if not verdict:
            form.add_error(None, _("Too many attempts. Wait a minute and try again."))
            status = 429
        elif form.is_valid() and device.verify_token(form.cleaned_data["token"].strip()):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            next_url = request.GET.get("next", "")
            return HttpResponseRedirect(next_url if next_url.startswith("/admin/") else "/admin/")
        else:
            if form.is_valid():
                form.add_error("token", _("That code is not right, or it has expired."))
            status = 400
    context = {"form": form, "enrolling": not device.confirmed}
    if not device.confirmed:
        context["qr_uri"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    response = render(request, "core/two_factor.html", context, status=status)
    response["Content-Security-Policy"] = STAFF_PAGE_CSP  # the QR code is a data: image
    if verdict is not None and not verdict:
        response["Retry-After"] = str(max(1, verdict.retry_after))
    return response
