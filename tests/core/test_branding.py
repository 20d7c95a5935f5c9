"""Branding (Settings > Branding): the coalition's name, logo, colours, sender and postal
address reach the pages, the e-mails, the letters and the statement PDF."""

import io
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Site

from harbour.core.models import Branding
from tests.letters.test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)
from tests.signons.factories import INDIVIDUAL, make_petition, make_statement

pytestmark = pytest.mark.django_db
NAME = "Alliance Canada Hong Kong"


def _brand(**fields) -> Branding:
    branding = Branding.for_site(Site.objects.get(is_default_site=True))
    values = {
        "name": NAME,
        "sender_email": "hello@achk.example",
        "postal_address": "PO Box 123, Station A\nToronto ON M5W 1A2",
        "accent_colour": "#0a5c36",
        **fields,
    }
    for field, value in values.items():
        setattr(branding, field, value)
    branding.save()
    return branding


def _logo() -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 120), (10, 92, 54)).save(buffer, format="PNG")
    return Image.objects.create(title="Logo", file=ImageFile(buffer, name="logo.png"))


def test_pages_carry_the_name_once_the_colours_and_the_icon(client, home):
    _brand()
    petition = make_petition(home)
    home.title = NAME
    home.save_revision().publish()
    assert f"<title>{NAME}</title>" in client.get("/").content.decode()
    page = client.get(petition.url).content.decode()
    assert f"<title>{petition.title} · {NAME}</title>" in page
    assert f'<a class="brand" href="/">{NAME}</a>' in page
    assert '<link rel="stylesheet" href="/brand.css">' in page
    assert "--accent: #0a5c36;" in client.get("/brand.css").content.decode()
    assert client.get("/favicon.ico")["Location"].endswith("/core/favicon.svg")
    _brand(logo=_logo())
    icon = client.get("/favicon.ico")["Location"]
    assert icon.startswith("/media/images/logo") and client.get(petition.url).status_code == 200


def test_a_colour_must_be_a_colour():
    with pytest.raises(ValidationError, match="#rrggbb"):
        Branding(name=NAME, accent_colour="red; background:url(x)").full_clean(exclude=["site"])


def test_emails_come_from_the_coalition_and_carry_its_postal_address(client, home):
    _brand()
    petition = make_petition(home)
    client.post(petition.url + "sign/", INDIVIDUAL)
    [message] = mail.outbox
    assert message.from_email == f"{NAME} <hello@achk.example>"
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert "PO Box 123, Station A" in part and NAME in part
    # The HTML and the text say the same: the same confirmation link in each.
    links = re.findall(r"http://\S+/confirm/[^\s\"<]+", message.body)
    assert links and links == re.findall(r"http://\S+/confirm/[^\s\"<]+", html)


def test_letters_say_they_come_via_the_coalition(client, campaign):  # noqa: F811
    _brand()
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    [letter] = [m for m in mail.outbox if "parl.gc.ca" in m.to[0]]
    assert letter.from_email == f'"Mimi Lee (via {NAME})" <hello@achk.example>'
    [copy] = [m for m in mail.outbox if m.subject.startswith("Copy:")]
    assert copy.from_email == f"{NAME} <hello@achk.example>"
    assert "PO Box 123" in copy.body


def test_the_statement_pdf_and_print_page_carry_the_name_logo_and_address(client, home):
    _brand(logo=_logo())
    statement = make_statement(home)
    printable = client.get(statement.url + "print/").content.decode()
    assert f'<p class="brand-name">{NAME}</p>' in printable
    assert re.search(r'<img src="/media/images/logo[^"]*" alt="" class="brand-logo">', printable)
    assert f"{NAME} · http://testserver{statement.url}" in printable
    pdf = client.get(statement.url + "pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"/Subtype /Image" in pdf.content  # the logo, embedded; nothing was fetched


def test_the_pdf_fetches_nothing_named_in_the_page(client, home):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    statement = make_statement(home)
    here = f"http://127.0.0.1:{server.server_address[1]}"
    statement.preamble = (
        f'<p>Read this.</p><img src="{here}/tracker.png">'
        f'<p style="background:url({here}/bg.png)">x</p>'
    )
    statement.save_revision().publish()
    try:
        assert client.get(statement.url + "pdf/").status_code == 200
    finally:
        server.shutdown()
    assert asked == []
