"""Postal code to district: the offline FSA table, the Represent API with its timeout and
fallback (a fake server on loopback), and "Not your riding?"."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from harbour.core.postal import postal_code_normalise
from harbour.representatives.lookup import district_lookup, district_search

FIXTURE = Path(__file__).parents[2] / "harbour" / "representatives" / "fixtures" / "canada"


@pytest.fixture
def districts(db):
    call_command("load_representatives", "--dir", str(FIXTURE))


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("k1a0a6", "K1A 0A6"),
        ("K1A 0A6", "K1A 0A6"),
        (" l1s-2a3 ", "L1S 2A3"),
        ("h2x  1y4", "H2X 1Y4"),
    ],
)
def test_postal_codes_are_normalised(raw, normal):
    assert postal_code_normalise(raw) == normal


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "12345",
        "K1A",
        "K1A 0A",
        "Z1A 0A6",
        "D1A 0A6",
        "K1A 0A66",
        "KKA 0A6",
        "<script>",
        "K1A 0O6",
    ],
)
def test_malformed_postal_codes_get_a_clear_message(bad):
    with pytest.raises(ValidationError, match="Enter a Canadian postal code such as K1A 0A6."):
        postal_code_normalise(bad)


def test_offline_lookup_finds_the_fsa_district_and_says_it_is_approximate(districts):
    found = district_lookup("l1s 2a3")
    assert found.district.name_en == "Ajax"
    assert found.approximate is True
    assert district_lookup("X0A 0H0").district is None


def test_not_your_riding_search_by_name_or_city(districts):
    assert [d.name_en for d in district_search("oakville")] == ["Oakville East"]
    assert [d.code for d in district_search("Abitibi baie")] == ["24001"]
    assert district_search("") == []
    assert district_search("nowhere at all") == []


class _FakeRepresent(BaseHTTPRequestHandler):
    delay = 0.0
    district = "35075"

    def do_GET(self):  # noqa: N802 (http.server's name)
        time.sleep(self.delay)
        body = json.dumps(
            {
                "code": self.path.split("/")[2],
                "boundaries_centroid": [
                    {"boundary_set_name": "Ontario electoral district", "external_id": "99"},
                    {
                        "boundary_set_name": "Federal electoral district",
                        "external_id": self.district,
                    },
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def represent(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeRepresent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.HARBOUR_REPRESENT_URL = f"http://127.0.0.1:{server.server_port}"
    settings.HARBOUR_REPRESENT_TIMEOUT = 0.5
    yield _FakeRepresent
    server.shutdown()
    _FakeRepresent.delay = 0.0


def test_represent_backend_geocodes_the_full_postal_code(districts, represent):
    found = district_lookup("L1S 2A3")  # the FSA table says Ajax; Represent knows better
    assert found.district.name_en == "Oakville East"
    assert (found.approximate, found.source) == (False, "represent")


def test_represent_timeout_falls_back_to_the_fsa_table(districts, represent, caplog):
    represent.delay = 2.0
    started = time.monotonic()
    found = district_lookup("L1S 2A3")
    assert time.monotonic() - started < 1.5
    assert (found.district.name_en, found.source) == ("Ajax", "fsa")
    assert "L1S" not in caplog.text


def test_represent_down_falls_back_to_the_fsa_table(districts, settings):
    settings.HARBOUR_REPRESENT_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.HARBOUR_REPRESENT_TIMEOUT = 0.5
    assert district_lookup("L1S 2A3").district.name_en == "Ajax"
