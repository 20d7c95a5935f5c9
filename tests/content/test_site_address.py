"""`make run PORT=8011`: the site's own links (canonical, og:url, sitemap), the links in
e-mails and the printed admin address all follow the port."""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from harbour.content.services import site_address_sync
from tests.signons.factories import INDIVIDUAL, make_petition

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_make_run_gives_every_process_the_port_in_site_url():
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=8011"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},  # no SITE_URL from outside
    ).stdout
    for command in ("migrate", "load_demo", "create_admin", "dev_worker", "runserver"):
        lines = [line for line in plan.splitlines() if f"manage.py {command}" in line]
        assert lines and all("SITE_URL=http://127.0.0.1:8011" in line for line in lines), command
    assert "runserver 127.0.0.1:8011" in plan


def test_the_site_links_emails_and_admin_address_follow_site_url(client, home, settings):
    settings.SITE_URL = "http://127.0.0.1:8011"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    site_address_sync()
    petition = make_petition(home)
    page = client.get(petition.url, HTTP_HOST="127.0.0.1:8011").content.decode()
    assert f'<link rel="canonical" href="http://127.0.0.1:8011{petition.url}">' in page
    assert f'<meta property="og:url" content="http://127.0.0.1:8011{petition.url}">' in page
    sitemap = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1:8011").content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locations and all(loc.startswith("http://127.0.0.1:8011/") for loc in locations)

    client.post(petition.url + "sign/", INDIVIDUAL)
    assert re.search(r"http://127\.0\.0\.1:8011/\S+/confirm/\S+/", mail.outbox[-1].body)

    out = io.StringIO()
    call_command("create_admin", stdout=out)
    assert "Harbour admin: http://127.0.0.1:8011/admin/" in out.getvalue()
