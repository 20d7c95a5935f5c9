"""Each letter greets its own recipient: a minister as a minister of their portfolio, a
member as an MP, the supporter's own MP as their member even when a minister."""

import pytest
from django.core import mail
from django.core.management import call_command

from harbour.letters.models import LetterCampaignPage
from harbour.representatives.models import Representative, TargetGroup

from .factories import make_campaign
from .test_flow import FIXTURE, LETTER, _confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministers_campaign(home):
    call_command("load_representatives", "--dir", str(FIXTURE))
    page = make_campaign(
        home,
        title="End the treaty",
        slug="treaty",
        subject_template="End the treaty",
        body_template="{addressee}\n\n{greeting}\n\nPlease end the treaty.\n\n{supporter_name}",
        allow_editing=False,  # each office receives the campaign's words, filled for it
    )
    group = TargetGroup.objects.create(name="Two portfolios", kind="portfolios", parameter="MFA")
    page.target_groups.add(group)
    page.save_revision().publish()
    return page


def _minister() -> Representative:
    return Representative.objects.get(roles__code="MFA")


def test_the_write_page_shows_each_recipient_their_own_greeting(client, ministers_campaign):
    page = client.post(ministers_campaign.url + "write/", {"postal_code": "L1S 2A3"})
    text = page.content.decode()
    minister = _minister()
    assert f"Your letter opens: “Dear Minister {minister.last_name},”" in text
    assert "Your letter opens: “Dear Jennifer McKelvie, MP,”" in text
    # The preview is the letter the first recipient (the supporter's own MP) receives.
    assert "Jennifer McKelvie, Member of Parliament for Ajax\n\nDear Jennifer McKelvie, MP," in text


def test_each_office_receives_the_letter_addressed_to_it(client, ministers_campaign):
    client.post(ministers_campaign.url + "send/", LETTER)
    _confirm(client, ministers_campaign)
    minister = _minister()
    [to_minister] = [m for m in mail.outbox if m.to == [minister.email]]
    [to_mp] = [m for m in mail.outbox if m.to and "mckelvie" in m.to[0]]
    assert to_minister.body.startswith(
        f"The Honourable {minister}, Minister of Foreign Affairs\n\nDear Minister "
        f"{minister.last_name},\n\nPlease end the treaty."
    )
    assert to_mp.body.startswith(
        "Jennifer McKelvie, Member of Parliament for Ajax\n\nDear Jennifer McKelvie, MP,"
    )


def test_a_portfolio_group_follows_the_cabinet_not_the_person(ministers_campaign):
    group = TargetGroup.objects.get()
    assert list(group.members()) == [_minister()]
    group.parameter = "mfa, NOPE"
    assert list(group.members()) == [_minister()]
    group.parameter = "NOPE"
    assert list(group.members()) == []


def test_where_supporters_edit_each_office_still_gets_its_own_greeting(client, ministers_campaign):
    LetterCampaignPage.objects.filter(pk=ministers_campaign.pk).update(allow_editing=True)
    form = client.post(ministers_campaign.url + "write/", {"postal_code": "L1S 2A3"})
    box = form.content.decode().split('name="body"')[1].split("</textarea>")[0]
    assert "Please end the treaty." in box and "Dear" not in box  # the greeting stays out
    client.post(ministers_campaign.url + "send/", {**LETTER, "body": "My own words, typed."})
    _confirm(client, ministers_campaign)
    minister = _minister()
    [to_minister] = [m for m in mail.outbox if m.to == [minister.email]]
    [to_mp] = [m for m in mail.outbox if m.to and "mckelvie" in m.to[0]]
    assert to_minister.body.startswith(
        f"The Honourable {minister}, Minister of Foreign Affairs\n\nDear Minister "
        f"{minister.last_name},\n\nMy own words, typed."
    )
    assert to_mp.body.startswith(
        "Jennifer McKelvie, Member of Parliament for Ajax\n\nDear Jennifer McKelvie, MP,\n\n"
        "My own words, typed."
    )
