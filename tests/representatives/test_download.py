"""`load_representatives --download` against a server on loopback that serves the two
official formats: the House of Commons members export and Elections Canada's list."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from harbour.representatives.models import ElectoralDistrict, Representative

pytestmark = pytest.mark.django_db

# Elections Canada's list, in Windows-1252 as its files are (the em-dash is byte 0x97).
DISTRICTS = (
    "Electoral District Number,English Name,French Name\r\n"
    "24037,Laurier—Sainte-Marie,Laurier—Sainte-Marie\r\n"
    "35079,Ottawa Centre,Ottawa-Centre\r\n"
).encode("cp1252")
MEMBERS = (
    "Honorific Title,First Name,Last Name,Constituency,Province / Territory,"
    "Political Affiliation,Start Date,End Date\r\n"
    ",Steven,Guilbeault,Laurier—Sainte-Marie,Quebec,Liberal,2025-04-28 12:00:00 AM,\r\n"
    ",Yasir,Naqvi,Ottawa Centre,Ontario,Liberal,2025-04-28 12:00:00 AM,\r\n"
    ",Past,Member,Ottawa Centre,Ontario,Liberal,2015-10-19 12:00:00 AM,2019-09-11 12:00:00 AM\r\n"
).encode("utf-8-sig")


class _Official(BaseHTTPRequestHandler):
    files = {"/districts.csv": DISTRICTS, "/members.csv": MEMBERS}

    def do_GET(self):  # noqa: N802
        body = self.files.get(self.path)
        self.send_response(200 if body else 404)
        self.end_headers()
        self.wfile.write(body or b"Not found")

    def log_message(self, *args):
        pass


@pytest.fixture
def official(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Official)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.HARBOUR_DISTRICTS_CSV_URL = f"{base}/districts.csv"
    settings.HARBOUR_MPS_CSV_URL = f"{base}/members.csv"
    yield base
    server.shutdown()


def test_download_loads_the_official_lists(official, capsys):
    call_command("load_representatives", "--download")
    assert "2 districts, 2 representatives created" in capsys.readouterr().out
    assert ElectoralDistrict.objects.get(code="24037").name_en == "Laurier—Sainte-Marie"
    sitting = Representative.objects.sitting().order_by("last_name")
    assert [(r.first_name, r.last_name, r.district.code) for r in sitting] == [
        ("Steven", "Guilbeault", "24037"),
        ("Yasir", "Naqvi", "35079"),
    ]
    assert not Representative.objects.filter(last_name="Member").exists()  # a past member


def test_a_source_that_fails_loads_nothing(official, settings):
    settings.HARBOUR_MPS_CSV_URL = f"{official}/gone.csv"
    with pytest.raises(CommandError, match=r"Nothing loaded: The list of members could not"):
        call_command("load_representatives", "--download")
    assert not ElectoralDistrict.objects.exists()
