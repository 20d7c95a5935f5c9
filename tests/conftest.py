import os

import pytest
from django.core.cache import cache
from wagtail.models import Page, Site

from harbour.content.models import HomePage, NewsIndexPage

# Playwright's sync API runs an event loop in the test thread; Django then refuses ORM calls
# from it unless told this is deliberate (tests that mix `page` with `live_server`).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached pages live in caches; each test starts with none."""
    from harbour.core.degraded import _database_filter, _filter
    from harbour.core.ratelimit import _fallback as per_process_counters
    from harbour.representatives.services import fsa_table_forget
    from harbour.signons.selectors import signon_pages_forget

    cache.clear()
    per_process_counters.clear()
    _filter.reset()  # the once-a-minute warnings of a dependency away
    _database_filter.once.reset()
    signon_pages_forget()
    fsa_table_forget()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_mail_connection():
    """A worker's kept SMTP connection (core.mailconnection) never outlives its test."""
    from harbour.core.mailconnection import connection_discard

    connection_discard()
    yield
    connection_discard()


@pytest.fixture
def home(db) -> HomePage:
    """The Wagtail site as a coalition has it: a home page at the root of the default site."""
    root = Page.get_first_root_node() or _wagtail_initial_data()
    for child in root.get_children():
        child.delete()
    home = HomePage(title="Test Coalition", slug="home", tagline="Together for Hong Kong")
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.all().delete()
    Site.objects.create(
        hostname="testserver",
        port=80,
        root_page=home,
        is_default_site=True,
        site_name="Test Coalition",
    )
    return home


def _wagtail_initial_data() -> Page:
    """What Wagtail's migrations create, again: a transactional test's flush removed it."""
    from wagtail.models import Collection, Locale

    from harbour.core.roles import ensure_roles

    Locale.objects.get_or_create(language_code="en")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.add_root(instance=Page(title="Root", slug="root"))
    ensure_roles()
    return root


@pytest.fixture
def news(home) -> NewsIndexPage:
    from harbour.core.roles import grant_member_authors_section

    news = NewsIndexPage(title="News", slug="news", intro="What we did")
    home.add_child(instance=news)
    news.save_revision().publish()
    grant_member_authors_section(news)
    return news


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium: Playwright's own browser download cannot work on this machine."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def sink():
    """A real SMTP server on loopback: (handler, port); see tests/smtp_sink.py."""
    from tests.smtp_sink import sink_start

    handler, port, controller = sink_start()
    yield handler, port
    controller.stop()
