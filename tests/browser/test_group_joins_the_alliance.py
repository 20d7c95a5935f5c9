"""A group applies to join in a browser, its contact confirms from the e-mail, an
administrator approves, and the contact chooses a password from the invitation."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import Page, expect

from harbour.coalition.applications import application_decide
from harbour.coalition.models import GroupApplication, GroupOrganiser
from harbour.core.roles import ADMINISTRATORS
from tests.coalition.factories import make_directory
from tests.coalition.test_applications import APPLICATION
from tests.content.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def join_on_live_server(live_server, home, settings):
    from wagtail.models import Site

    from harbour.coalition.models import JoinPage, JoinPrinciple

    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    settings.SITE_URL = live_server.url
    make_directory(home)
    page = JoinPage(title="Join the alliance", slug="join")
    page.principles = [JoinPrinciple(sort_order=0, title="Solidarity", text="With all.")]
    home.add_child(instance=page)
    page.save_revision().publish()
    return live_server


def test_a_group_applies_is_approved_and_its_contact_accepts_the_invitation(
    page: Page, join_on_live_server
):
    server = join_on_live_server
    page.goto(server.url + "/join/")
    expect(page.get_by_text("With all.")).to_be_visible()
    page.get_by_label("Your group's name").fill(APPLICATION["group_name"])
    page.get_by_label("City").fill(APPLICATION["city"])
    page.get_by_label("Province or territory").select_option("NS")
    page.get_by_label("Contact person").fill(APPLICATION["contact_name"])
    page.get_by_label("Contact e-mail").fill(APPLICATION["email"])
    page.get_by_label("What does your group do?").fill(APPLICATION["activities"])
    page.get_by_label("Our group agrees").check()
    page.get_by_role("button", name="Send our application").click()
    expect(page.get_by_text("Check your e-mail")).to_be_visible()

    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Send our application").click()
    expect(page.get_by_text("Application received")).to_be_visible()

    application = GroupApplication.objects.get()
    application_decide(
        application_id=application.pk,
        approve=True,
        note="",
        actor=UserFactory(roles=[ADMINISTRATORS]),
    )
    invitation = re.search(r"http://\S+/organisers/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(invitation)
    page.get_by_label("Your name").fill("Wing")
    page.get_by_label("Choose a password").fill("a-long-and-new-password")
    page.get_by_label("The password again").fill("a-long-and-new-password")
    page.get_by_role("button", name="Make my account").click()
    expect(page).to_have_url(re.compile(r"/account/two-factor/"))  # next, the second factor
    user = User.objects.get(email=APPLICATION["email"])
    assert GroupOrganiser.objects.filter(user=user).exists()
