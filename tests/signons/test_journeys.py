"""End-to-end journeys: each kind of signer, from the form through e-mail and moderation to
the public list."""

import re

import pytest
from django.core import mail
from django.test import Client

from harbour.core.models import AuditEntry
from harbour.core.roles import MODERATORS
from harbour.signons.models import Signature, SignatureState
from tests.content.factories import UserFactory

from .factories import INDIVIDUAL, ORGANISATION, PARLIAMENTARIAN, make_petition, make_statement

pytestmark = pytest.mark.django_db


def _confirm_link(message) -> str:
    match = re.search(r"http://\S+/confirm/\S+/", message.body)
    assert match, message.body
    return match.group(0).removeprefix("http://127.0.0.1:8000")


def _confirm(client, message):
    """Open the link from the e-mail, as the signer does, and press the button it shows."""
    link = _confirm_link(message)
    opened = client.get(link)
    assert opened.status_code == 200
    if "Confirm my signature" not in opened.content.decode():
        return opened  # already confirmed: the page says so, there is nothing to press
    return client.post(link)


def _sign(client, page, data):
    return client.post(page.url + "sign/", data, follow=True)


def test_organiser_adds_group_to_statement(client, home):
    statement = make_statement(home)
    moderator = UserFactory(roles=[MODERATORS])

    response = _sign(client, statement, ORGANISATION)
    assert "Check your e-mail" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex@example.org"]
    assert "Please confirm your signature" in message.subject
    assert "Canada-Hong Kong Link" not in client.get(statement.url).content.decode()

    confirmed = _confirm(client, message)
    assert "A moderator will check your signature" in confirmed.content.decode()
    signature = Signature.objects.get()
    assert signature.state == SignatureState.AWAITING_MODERATION
    assert "Canada-Hong Kong Link" not in client.get(statement.url).content.decode()

    client.force_login(moderator)
    queue = client.get("/admin/signons/moderation/").content.decode()
    assert "Canada-Hong Kong Link" in queue
    assert "alex@example.org" in queue
    client.post(
        "/admin/signons/moderation/",
        {"signature": [signature.pk], "action": "approve"},
    )
    client.logout()

    page = client.get(statement.url).content.decode()
    assert "Canada-Hong Kong Link" in page
    assert "(Toronto, Ontario)" in page
    assert "1 signer" in page
    assert "alex@example.org" not in page
    assert "Alex Chan" not in page
    signature.refresh_from_db()
    assert signature.moderated_by == moderator
    assert signature.moderated_at is not None
    assert AuditEntry.objects.filter(action="signature.approve", actor=moderator).exists()


def test_mp_signs_from_a_parliamentary_address_and_appears_at_once(client, home):
    statement = make_statement(home)
    _sign(client, statement, PARLIAMENTARIAN)
    _confirm(client, mail.outbox[0])
    page = client.get(statement.url).content.decode()
    assert "Hon. Jenny Kwan, Member of Parliament" in page


def test_mp_from_a_personal_address_waits_for_a_moderator(client, home):
    statement = make_statement(home)
    _sign(client, statement, {**PARLIAMENTARIAN, "parliamentarian-email": "jk@gmail.example"})
    _confirm(client, mail.outbox[0])
    assert Signature.objects.get().state == SignatureState.AWAITING_MODERATION
    assert "Jenny Kwan" not in client.get(statement.url).content.decode()


@pytest.mark.parametrize(
    ("address", "state"),
    [
        ("Jenny.Kwan@parl.gc.ca", SignatureState.CONFIRMED),  # her address on file
        ("constituency.office@parl.gc.ca", SignatureState.AWAITING_MODERATION),  # staff
        ("former.member@parl.gc.ca", SignatureState.AWAITING_MODERATION),  # no longer sits
        ("jk@ola.org", SignatureState.CONFIRMED),  # no member of that assembly on file
    ],
)
def test_where_members_addresses_are_on_file_only_they_confirm_a_parliamentarian(
    client, home, address, state
):
    """Staff share the House's domain: with the MPs loaded, a staffer's parl.gc.ca address
    cannot put an MP's name on a statement without a moderator."""
    from harbour.representatives.models import Office, Representative

    Representative.objects.create(
        source_key="kwan",
        first_name="Jenny",
        last_name="Kwan",
        office=Office.MP,
        email="jenny.kwan@parl.gc.ca",
    )
    Representative.objects.create(
        source_key="former",
        first_name="Former",
        last_name="Member",
        office=Office.MP,
        email="former.member@parl.gc.ca",
        active_to="2025-03-23",
    )
    statement = make_statement(home)
    _sign(client, statement, {**PARLIAMENTARIAN, "parliamentarian-email": address})
    _confirm(client, mail.outbox[0])
    assert Signature.objects.get().state == state
    assert ("Jenny Kwan" in client.get(statement.url).content.decode()) == (
        state == SignatureState.CONFIRMED
    )


def test_lookalike_parliamentary_domain_is_not_trusted(client, home):
    statement = make_statement(home)
    _sign(client, statement, {**PARLIAMENTARIAN, "parliamentarian-email": "x@fakeparl.gc.ca.evil"})
    _confirm(client, mail.outbox[0])
    assert Signature.objects.get().state == SignatureState.AWAITING_MODERATION


@pytest.mark.parametrize(
    ("listing", "city", "shown", "hidden"),
    [
        ("full", "Markham", "Mimi Lee", None),
        ("initials_city", "Markham", "M. L., Markham", "Mimi Lee"),
        ("hidden", "", None, "Mimi"),
    ],
)
def test_individual_is_listed_as_chosen_once_confirmed(client, home, listing, city, shown, hidden):
    petition = make_statement(home)
    data = {**INDIVIDUAL, "individual-listing": listing, "individual-city": city}
    _sign(client, petition, data)
    assert "1 signer" not in client.get(petition.url).content.decode()
    _confirm(client, mail.outbox[0])

    page = client.get(petition.url).content.decode()
    assert "1 signer" in page
    if shown:
        assert shown in page
    if hidden:
        assert hidden not in page
    assert "mimi@example.org" not in page
    assert "L3R" not in page


def _answer(client, page, email):
    """What a stranger sees on signing with `email`: the status, where the form leads and
    that page's text (its CSRF token aside)."""
    response = _sign(client, page, {**INDIVIDUAL, "individual-email": email})
    text = re.sub(r'value="[^"]{64}"', "", response.content.decode())
    return response.status_code, response.redirect_chain, text


def test_the_sign_form_never_tells_whether_an_address_has_signed(client, home):
    petition = make_petition(home)
    _sign(client, petition, {**INDIVIDUAL, "individual-email": "pending@example.org"})
    _sign(client, petition, {**INDIVIDUAL, "individual-email": "done@example.org"})
    _confirm(client, mail.outbox[1])
    hidden = {"individual-email": "hidden@example.org", "individual-listing": "hidden"}
    _sign(client, petition, {**INDIVIDUAL, **hidden})
    _confirm(client, mail.outbox[2])
    mail.outbox.clear()

    answers = [
        _answer(Client(), petition, email)
        for email in (
            "new@example.org",
            "pending@example.org",
            " DONE@Example.org ",
            "hidden@example.org",
        )
    ]
    assert all(answer == answers[0] for answer in answers)
    assert answers[0][0] == 200
    assert "Check your e-mail" in answers[0][2]
    assert "already" not in answers[0][2]

    # What differs goes to each address's owner.
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 4
    assert "Please confirm your signature" in by_address["new@example.org"].subject
    assert "Please confirm your signature" in by_address["pending@example.org"].subject
    assert "You have already signed" in by_address["done@example.org"].subject
    assert "your signature is counted" in by_address["done@example.org"].body
    assert "/confirm/" not in by_address["done@example.org"].body
    assert Signature.objects.count() == 4


def test_signing_again_resends_the_first_link_and_counts_once(client, home):
    petition = make_petition(home)
    _sign(client, petition, INDIVIDUAL)
    _sign(client, petition, {**INDIVIDUAL, "individual-email": " MIMI@Example.org "})
    assert len(mail.outbox) == 2
    assert Signature.objects.count() == 1

    _confirm(client, mail.outbox[1])
    _confirm(client, mail.outbox[0])  # the older link still works, counts nothing more
    _sign(client, petition, INDIVIDUAL)
    assert len(mail.outbox) == 3
    assert "You have already signed" in mail.outbox[2].subject
    page = client.get(petition.url).content.decode()
    assert 'data-testid="signature-count">1<' in page


def test_a_second_signing_with_other_details_changes_nothing_the_link_confirms(client, home):
    petition = make_petition(home)
    _sign(client, petition, {**INDIVIDUAL, "individual-listing": "hidden"})
    _sign(client, petition, {**INDIVIDUAL, "individual-given_name": "Someone"})
    assert Signature.objects.get().listing == "hidden"
    _confirm(client, mail.outbox[0])
    page = client.get(petition.url).content.decode()
    assert "Someone" not in page
    assert "Mimi" not in page


def test_petition_shows_progress_latest_signers_and_provinces(client, home):
    petition = make_petition(home, goal=4)
    for n, code in enumerate(["M5V 2T6", "V6B 1A1", "H2X 1Y4"]):
        _sign(
            client,
            petition,
            {
                **INDIVIDUAL,
                "individual-email": f"s{n}@example.org",
                "individual-given_name": f"Signer{n}",
                "individual-postal_code": code,
            },
        )
    for message in mail.outbox:
        _confirm(client, message)

    page = client.get(petition.url).content.decode()
    assert 'data-testid="signature-count">3<' in page
    assert 'value="75"' in page
    assert "To the House of Commons" in page
    for province in ("Ontario", "British Columbia", "Quebec"):
        assert f"<td>{province}</td><td>1</td>" in page
    assert page.index("Signer2 Lee") < page.index("Signer0 Lee")


def test_confirmation_email_has_text_and_html_and_no_tracking(client, home):
    petition = make_petition(home)
    _sign(client, petition, INDIVIDUAL)
    message = mail.outbox[0]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = "http://127.0.0.1:8000" + _confirm_link(message)
    assert "Protect people in Canada from foreign interference" in message.body
    # No tracking: nothing to load (no image, pixel, style or script from anywhere), and the
    # links in each part are the confirmation link itself, as sent, with no redirect or
    # tracking parameter around it, and the sender's own address in the footer (CASL).
    site = "http://127.0.0.1:8000/"
    assert re.findall(r'href="([^"]*)"', html) == [link, site]
    assert re.findall(r"https?://\S+", message.body) == [link, site]
    assert not re.search(r"<(img|link|script|iframe)\b|url\(|src=", html, re.IGNORECASE)
    assert "?" not in link and "utm_" not in html + message.body


def test_petition_counts_signatures_by_federal_district(client, home):
    from pathlib import Path

    from django.core.management import call_command

    fixture = Path(__file__).parents[2] / "harbour/representatives/fixtures/canada"
    call_command("load_representatives", "--dir", str(fixture))
    petition = make_petition(home)
    for n, code in enumerate(["L1S 2A3", "L1T 0A1", "K1A 0A6"]):
        _sign(
            client,
            petition,
            {**INDIVIDUAL, "individual-email": f"d{n}@example.org", "individual-postal_code": code},
        )
    for message in mail.outbox:
        _confirm(client, message)
    page = client.get(petition.url).content.decode()
    assert "Signatures by federal electoral district" in page
    assert "<td>Ajax</td><td>ON</td><td>2</td>" in page


def test_opening_the_link_only_shows_a_button_and_a_forged_post_is_refused(home):
    """A mail scanner fetching the link, or another site posting to it, signs nobody up."""
    from django.test import Client

    from harbour.people.models import Consent
    from harbour.signons.counts import count_total

    from .factories import INDIVIDUAL, make_petition

    petition = make_petition(home)
    Client().post(petition.url + "sign/", INDIVIDUAL)
    link = _confirm_link(mail.outbox[0])
    browser = Client(enforce_csrf_checks=True)

    for _ in range(2):  # a scanner, then the signer's own preview: nothing changes
        opened = browser.get(link)
        page = opened.content.decode()
        assert opened.status_code == 200
        assert "Confirm my signature" in page and "“Mimi Lee”" in page
    assert Signature.objects.get().state == SignatureState.PENDING
    assert count_total(page=petition) == 0 and Consent.objects.count() == 0

    assert Client(enforce_csrf_checks=True).post(link).status_code == 403  # no CSRF token
    assert Signature.objects.get().state == SignatureState.PENDING

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    confirmed = browser.post(link, {"csrfmiddlewaretoken": token})
    assert "is confirmed and counted" in confirmed.content.decode()
    assert Signature.objects.get().state == SignatureState.CONFIRMED
    assert count_total(page=petition) == 1
    again = browser.get(link).content.decode()  # the link afterwards: no second button
    assert "is confirmed and counted" in again and "Confirm my signature" not in again
