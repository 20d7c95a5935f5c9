"""The online meeting's address is never in a public response: every page of the demo
site a visitor can reach by links (in three languages), the sitemap, the feeds (news,
events, each event's .ics) and search results are fetched and read."""

import re
from collections import deque

import pytest
from django.core.management import call_command
from django.test import Client

from harbour.events.demo import MEETING
from harbour.events.models import EventPage

pytestmark = pytest.mark.django_db

HREF = re.compile(r'(?:href|src)="(/[^"#]*)"')
SKIP = ("/admin", "/static/", "/media/", "/documents/", "/django-admin")
LIMIT = 1500


def test_no_public_response_carries_the_meeting_address(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_demo")
    client = Client()
    start = ["/", "/fr/", "/zh-hant/", "/sitemap.xml", "/events/feed/", "/search/?q=meeting"]
    start += [f"{event.url}calendar/" for event in EventPage.objects.live()]
    queue, seen = deque(start), set(start)
    fetched = 0
    while queue and fetched < LIMIT:
        path = queue.popleft()
        response = client.get(path)
        fetched += 1
        assert response.status_code < 500, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        assert MEETING not in text and "meet.example.invalid" not in text, path
        assert "video.example.invalid" not in text, path  # members' recordings
        for found in HREF.findall(text):
            link = found.replace("&amp;", "&")
            if link not in seen and not link.startswith(SKIP):
                seen.add(link)
                queue.append(link)
        for loc in re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", text):
            if loc not in seen:
                seen.add(loc)
                queue.append(loc)
    assert fetched > 100  # the whole demo site, not a page or two
    assert "/events/toronto-community-town-hall/" in seen
    assert "/fr/events/" in seen
