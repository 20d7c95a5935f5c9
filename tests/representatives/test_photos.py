"""MPs' photos come from Harbour's own media, never from the legislature's server (which
would learn each supporter's address and, from the photo, their riding)."""

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from PIL import Image

from harbour.representatives.models import Representative
from tests.letters.test_flow import campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 8), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


FILES = {
    "/mckelvie.png": ("image/png", _png()),
    "/page.html": ("text/html", b"<html>not a photo</html>"),
    "/script.svg": ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    "/huge.png": ("image/png", _png() + b"\0" * (3 * 1024 * 1024)),
    "/lying.png": ("image/png", b"GIF89a this is not really an image"),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path not in FILES:
            self.send_error(404)
            return
        content_type, body = FILES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def photo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _mckelvie_at(url: str) -> Representative:
    """Only McKelvie has a photo (nothing here reaches the internet), at `url`, set by hand
    so that a reload keeps it."""
    Representative.objects.exclude(last_name="McKelvie").update(
        photo_url="", edited_fields=["photo_url"]
    )
    Representative.objects.filter(last_name="McKelvie").update(
        photo_url=url, edited_fields=["photo_url"]
    )
    return Representative.objects.get(last_name="McKelvie")


def _write_page(client, campaign) -> str:  # noqa: F811
    return client.post(campaign.url + "write/", {"postal_code": "L1S 2A3"}).content.decode()


def test_the_letter_page_shows_photos_from_harbours_own_media(
    client,
    campaign,  # noqa: F811
    photo_server,
    capsys,
):
    _mckelvie_at(f"{photo_server}/mckelvie.png")
    call_command(
        "load_representatives", "--dir", "harbour/representatives/fixtures/canada", "--photos"
    )
    assert "1 downloaded" in capsys.readouterr().out
    mp = Representative.objects.get(last_name="McKelvie")
    assert mp.photo.read() == FILES["/mckelvie.png"][1]
    page = _write_page(client, campaign)
    assert f'<img src="{mp.photo.url}"' in page
    assert mp.photo.url.startswith("/media/representatives/")
    # Nothing from the photo's source: not its server, not parliament's.
    assert photo_server not in page and "ourcommons" not in page
    assert not re.search(r'<img [^>]*src="https?://', page)


def test_a_second_load_keeps_the_photo_and_a_new_address_replaces_it(campaign, photo_server):  # noqa: F811
    _mckelvie_at(f"{photo_server}/mckelvie.png")
    call_command(
        "load_representatives", "--dir", "harbour/representatives/fixtures/canada", "--photos"
    )
    first = Representative.objects.get(last_name="McKelvie").photo.name
    call_command(
        "load_representatives", "--dir", "harbour/representatives/fixtures/canada", "--photos"
    )
    assert Representative.objects.get(last_name="McKelvie").photo.name == first
    _mckelvie_at(f"{photo_server}/page.html")
    call_command(
        "load_representatives", "--dir", "harbour/representatives/fixtures/canada", "--photos"
    )
    assert not Representative.objects.get(last_name="McKelvie").photo


@pytest.mark.parametrize("path", ["/page.html", "/script.svg", "/huge.png", "/lying.png", "/gone"])
def test_what_is_not_a_small_raster_image_leaves_the_placeholder(
    client,
    campaign,  # noqa: F811
    photo_server,
    path,
):
    _mckelvie_at(f"{photo_server}{path}")
    call_command(
        "load_representatives", "--dir", "harbour/representatives/fixtures/canada", "--photos"
    )
    assert not Representative.objects.get(last_name="McKelvie").photo
    page = _write_page(client, campaign)
    assert '<img src="/static/representatives/placeholder.svg"' in page
    assert photo_server not in page


def test_public_pages_load_images_from_the_site_only(client, campaign):  # noqa: F811
    response = client.post(campaign.url + "write/", {"postal_code": "L1S 2A3"})
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["img-src"] == "'self'"
    assert policy["media-src"] == "'self'"
    assert "https://www.ourcommons.ca" not in response.content.decode()


def test_an_administrator_changing_the_photo_address_drops_the_old_copy(
    client,
    campaign,  # noqa: F811
    photo_server,
):
    from harbour.core.roles import ADMINISTRATORS
    from tests.content.factories import UserFactory

    from .test_contact_fields import _edit

    mp = _mckelvie_at(f"{photo_server}/mckelvie.png")
    call_command(
        "load_representatives", "--dir", "harbour/representatives/fixtures/canada", "--photos"
    )
    mp.refresh_from_db()
    assert mp.photo
    client.force_login(UserFactory(roles=[ADMINISTRATORS]))
    assert _edit(client, mp, photo_url=f"{photo_server}/other.png").status_code == 302
    mp.refresh_from_db()
    assert (mp.photo_url, mp.photo.name, mp.photo_fetched_from) == (
        f"{photo_server}/other.png",
        "",
        "",
    )
    assert '<img src="/static/representatives/placeholder.svg"' in _write_page(client, campaign)
