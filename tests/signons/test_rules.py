"""The rules: closing, bad input, bots, floods, expiry, counting, export permissions."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from harbour.core.models import AuditEntry
from harbour.core.roles import ADMINISTRATORS, EDITORS, MODERATORS
from harbour.people.models import Person
from harbour.people.services import expired_actions_purge
from harbour.signons.counts import count_total, signature_counts_reconcile
from harbour.signons.models import Signature, SignatureCountShard, SignatureState
from harbour.signons.services import (
    ModerationAction,
    ModerationResult,
    confirmation_token,
    signature_confirm,
    signature_moderate,
)
from tests.admin_helpers import assert_denied
from tests.content.factories import UserFactory

from .factories import INDIVIDUAL, ORGANISATION, make_petition, make_statement

pytestmark = pytest.mark.django_db


def _errors(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("individual-email", "not-an-email", "Enter a valid email address."),
        ("individual-email", "", "This field is required."),
        ("individual-given_name", "", "This field is required."),
        ("individual-family_name", "x" * 101, "at most 100 characters"),
        ("individual-postal_code", "12345", "Enter a Canadian postal code such as K1A 0A6."),
        ("individual-postal_code", "W1A 1AA", "Enter a Canadian postal code such as K1A 0A6."),
        ("individual-listing", "everyone", "Select a valid choice."),
        ("individual-email", "a@b.c" + "x" * 300, "at most 254 characters"),
    ],
)
def test_bad_individual_input_gets_a_clear_400_and_stores_nothing(
    client, home, field, value, message
):
    petition = make_petition(home)
    response = client.post(petition.url + "sign/", {**INDIVIDUAL, field: value})
    assert response.status_code == 400
    assert message in _errors(response)
    assert Signature.objects.count() == 0
    assert Person.objects.count() == 0
    assert mail.outbox == []


def test_initials_listing_needs_a_city(client, home):
    petition = make_petition(home)
    response = client.post(
        petition.url + "sign/",
        {**INDIVIDUAL, "individual-listing": "initials_city", "individual-city": ""},
    )
    assert response.status_code == 400
    assert "Enter your city to be listed by initials and city." in _errors(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organisation-organisation", "", "This field is required."),
        ("organisation-website", "not a url", "Enter a valid URL."),
        ("organisation-contact_name", "", "This field is required."),
    ],
)
def test_bad_organisation_input(client, home, field, value, message):
    statement = make_statement(home)
    response = client.post(statement.url + "sign/", {**ORGANISATION, field: value})
    assert response.status_code == 400
    assert message in _errors(response)
    assert Signature.objects.count() == 0


def test_bad_parliamentarian_office(client, home):
    statement = make_statement(home)
    response = client.post(
        statement.url + "sign/",
        {
            "kind": "parliamentarian",
            "parliamentarian-name": "X",
            "parliamentarian-office": "king",
            "parliamentarian-region": "ON",
            "parliamentarian-email": "x@parl.gc.ca",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice." in _errors(response)


def test_html_in_names_is_kept_as_typed_and_escaped_on_the_page(client, home):
    statement = make_statement(home)
    client.post(
        statement.url + "sign/",
        {**INDIVIDUAL, "individual-given_name": "<script>alert(1)</script>Mimi"},
    )
    signature = Signature.objects.get()
    assert signature.name == "<script>alert(1)</script>Mimi Lee"
    signature_confirm(token=confirmation_token(signature))
    page = client.get(statement.url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Mimi Lee" in page
    assert "<script>alert" not in page


def test_unknown_or_missing_kind_is_a_400(client, home):
    petition = make_petition(home)
    for kind in ("", "organisation", "robot"):  # petitions take individuals only
        response = client.post(petition.url + "sign/", {**ORGANISATION, "kind": kind})
        assert response.status_code == 400
    assert Signature.objects.count() == 0


def test_get_on_sign_goes_back_to_the_page(client, home):
    petition = make_petition(home)
    response = client.get(petition.url + "sign/")
    assert response.status_code == 302
    assert response["Location"] == petition.url


def test_sign_needs_csrf(home):
    petition = make_petition(home)
    response = Client(enforce_csrf_checks=True).post(petition.url + "sign/", INDIVIDUAL)
    assert response.status_code == 403
    assert Signature.objects.count() == 0


def test_closed_statement_says_so_and_refuses_signatures(client, home):
    statement = make_statement(home, closes_in_days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        page = client.get(statement.url).content.decode()
        assert "no longer accepts signatures" in page
        assert "/sign-on/" not in page  # no form
        response = client.post(statement.url + "sign/", INDIVIDUAL)
    assert response.status_code == 403
    assert Signature.objects.count() == 0


def test_the_form_posts_to_its_page_and_signs_outside_wagtail_routing(client, home):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from harbour.signons.selectors import signon_pages_forget

    petition = make_petition(home)
    page = client.get(petition.url).content.decode()
    assert f'<form method="post" action="{petition.url}#sign" novalidate>' in page
    client.post(petition.url, {**INDIVIDUAL, "individual-email": "warm@example.org"})
    with CaptureQueriesContext(connection) as queries:
        assert client.post(petition.url, INDIVIDUAL).status_code == 302
    # The page's address maps to the page in memory: no Wagtail routing before the
    # signature is stored (the test settings then send its e-mail inline, which reads it).
    statements = [q["sql"] for q in queries.captured_queries]
    stored = next(
        i for i, sql in enumerate(statements) if "INSERT INTO" in sql and "signons_signature" in sql
    )
    assert not any("wagtailcore_page" in sql for sql in statements[:stored])
    assert Signature.objects.count() == 2
    # A wrong form re-renders at the page's own address, with its errors.
    wrong = client.post(petition.url, {**INDIVIDUAL, "individual-email": "not an address"})
    assert wrong.status_code == 400
    assert re.search(
        r'<p class="error" role="alert">Enter a valid e-?mail address', wrong.content.decode()
    )
    draft = make_petition(home, slug="draft")
    draft.unpublish()
    signon_pages_forget()
    assert client.post(draft.url, INDIVIDUAL).status_code == 404
    assert client.post(f"/sign-on/{draft.pk}/", INDIVIDUAL).status_code == 404
    assert client.post(f"/sign-on/{home.pk}/", INDIVIDUAL).status_code == 404
    assert client.post("/sign-on/999999/", INDIVIDUAL).status_code == 404
    assert client.post(f"/sign-on/{petition.pk}/", INDIVIDUAL).status_code == 302  # still
    assert Signature.objects.count() == 2
    # Other pages are Wagtail's as before, its own views included.
    assert client.get(petition.url).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/_util/login/").status_code == 200


def test_honeypot_looks_like_success_but_stores_nothing(client, home):
    petition = make_petition(home)
    response = client.post(petition.url + "sign/", {**INDIVIDUAL, "individual-nickname": "bot"})
    assert response.status_code == 302
    assert Signature.objects.count() == 0
    assert mail.outbox == []


@override_settings(HARBOUR_SIGN_RATE_IP="3/h", HARBOUR_SIGN_CAP_IP="5/h")
def test_past_the_network_limit_signatures_wait_for_a_moderator_and_past_the_cap_429(home):
    petition = make_petition(home)
    responses = [
        Client().post(petition.url + "sign/", {**INDIVIDUAL, "individual-email": f"s{n}@ex.org"})
        for n in range(7)
    ]
    assert [r.status_code for r in responses] == [302, 302, 302, 302, 302, 429, 429]
    assert 0 < int(responses[5]["Retry-After"]) <= 3600
    assert [s.held for s in Signature.objects.order_by("pk")] == [False] * 3 + [True] * 2
    for signature in Signature.objects.all():
        signature_confirm(token=confirmation_token(signature))
    states = list(Signature.objects.order_by("pk").values_list("state", flat=True))
    assert states == [SignatureState.CONFIRMED] * 3 + [SignatureState.AWAITING_MODERATION] * 2
    assert count_total(page=petition) == 3
    moderator = Client()
    moderator.force_login(UserFactory(roles=[MODERATORS]))
    queue = moderator.get("/admin/signons/moderation/").content.decode()
    assert queue.count("Held: busy network") == 2  # the moderator sees why they wait


@override_settings(HARBOUR_SIGN_RATE_EMAIL="2/h")
def test_one_address_cannot_flood_confirmation_mails_and_learns_nothing(home):
    petition = make_petition(home)
    responses = [
        Client(REMOTE_ADDR=f"10.0.0.{n}").post(petition.url + "sign/", INDIVIDUAL) for n in range(4)
    ]
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, petition.url + "thanks/")}
    assert len(mail.outbox) == 2


def test_confirmation_links_expire_and_unconfirmed_signatures_are_purged(client, home):
    petition = make_petition(home)
    client.post(petition.url + "sign/", INDIVIDUAL)
    signature = Signature.objects.get()
    token = confirmation_token(signature)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        response = client.get(f"{petition.url}confirm/{token}/")
        assert response.status_code == 400
        assert "The link has expired." in response.content.decode()
        assert expired_actions_purge()["signatures"] == 1
    assert Signature.objects.count() == 0
    assert Person.objects.count() == 0


def test_purge_keeps_confirmed_and_recent_signatures(client, home):
    petition = make_petition(home)
    client.post(petition.url + "sign/", INDIVIDUAL)
    signature_confirm(token=confirmation_token(Signature.objects.get()))
    client.post(petition.url + "sign/", {**INDIVIDUAL, "individual-email": "new@example.org"})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert expired_actions_purge()["signatures"] == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        assert expired_actions_purge()["signatures"] == 1
    assert Signature.objects.get().state == SignatureState.CONFIRMED


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("token", "status"),
    # "%00" is refused by the URL pattern itself; the others reach the view and fail its check.
    [("garbage", 400), ("A" * 500, 400), ("%00", 404), ("bW9vOm5vcGU", 400)],
)
def test_tampered_confirmation_links_are_a_4xx_that_confirm_nothing(
    client, home, method, token, status
):
    petition = make_petition(home)
    client.post(petition.url + "sign/", INDIVIDUAL)
    response = getattr(client, method)(f"{petition.url}confirm/{token}/")
    assert response.status_code == status
    assert b"Traceback" not in response.content
    assert Signature.objects.get().state == SignatureState.PENDING


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_link_for_another_page_confirms_nothing_there(client, home, method):
    petition = make_petition(home)
    other = make_petition(home, slug="other")
    client.post(petition.url + "sign/", INDIVIDUAL)
    token = confirmation_token(Signature.objects.get())
    assert getattr(client, method)(f"{other.url}confirm/{token}/").status_code == 400
    assert Signature.objects.get().state == SignatureState.PENDING


def test_moderation_rejects_and_spam_uncount_and_record_who(client, home):
    statement = make_statement(home)
    moderator = UserFactory(roles=[MODERATORS])
    client.post(statement.url + "sign/", INDIVIDUAL)
    signature = Signature.objects.get()
    signature_confirm(token=confirmation_token(signature))
    assert count_total(page=statement) == 1

    assert signature_moderate(
        signature_ids=[signature.pk], action=ModerationAction.SPAM, actor=moderator
    ) == ModerationResult(changed=1, refused=[])
    assert count_total(page=statement) == 0
    signature.refresh_from_db()
    assert signature.state == SignatureState.SPAM
    assert signature.moderated_by == moderator
    assert "Mimi Lee" not in client.get(statement.url).content.decode()
    # Approving spam is refused, and says why: spam is final.
    assert signature_moderate(
        signature_ids=[signature.pk], action=ModerationAction.APPROVE, actor=moderator
    ) == ModerationResult(
        changed=0, refused=["A signature that is “Spam” cannot become “Confirmed”."]
    )
    assert Signature.objects.get().state == SignatureState.SPAM


def test_a_signature_waiting_for_its_e_mail_is_not_moderated(client, home):
    statement = make_statement(home)
    client.post(statement.url + "sign/", INDIVIDUAL)
    pending = Signature.objects.get()
    moderator = Client()
    moderator.force_login(UserFactory(roles=[MODERATORS]))
    response = moderator.post(
        "/admin/signons/moderation/?state=pending",
        {"signature": [pending.pk], "action": "reject"},
        follow=True,
    )
    page = response.content.decode()
    assert "0 signature(s) updated." in page
    assert (
        "1 left as they were: A signature that is “Waiting for e-mail confirmation” cannot "
        "become “Rejected”." in page
    )
    pending.refresh_from_db()
    assert (pending.state, pending.moderated_by) == (SignatureState.PENDING, None)
    assert not AuditEntry.objects.filter(action="signature.reject").exists()


def test_bulk_moderation_in_the_admin(client, home):
    statement = make_statement(home)
    for n in range(3):
        Client().post(
            statement.url + "sign/",
            {
                **ORGANISATION,
                "organisation-organisation": f"Group {n}",
                "organisation-email": f"g{n}@example.org",
            },
        )
    for signature in Signature.objects.all():
        signature_confirm(token=confirmation_token(signature))
    client.force_login(UserFactory(roles=[MODERATORS]))
    ids = list(Signature.objects.values_list("pk", flat=True))
    client.post("/admin/signons/moderation/", {"signature": ids[:2], "action": "approve"})
    client.post("/admin/signons/moderation/", {"signature": ids[2:], "action": "reject"})
    assert count_total(page=statement) == 2
    bad = client.post(
        "/admin/signons/moderation/", {"signature": ["x"], "action": "delete"}, follow=True
    )
    assert "Choose at least one signature and an action." in bad.content.decode()


def test_moderators_export_confirmed_signatories_and_editors_cannot(client, home):
    statement = make_statement(home)
    client.post(statement.url + "sign/", {**INDIVIDUAL, "individual-given_name": "=HYPERLINK(1)"})
    client.post(
        statement.url + "sign/",
        {**INDIVIDUAL, "individual-email": "b@example.org", "individual-given_name": "Pending"},
    )
    signature_confirm(token=confirmation_token(Signature.objects.get(name__startswith="=")))

    for role, allowed in ((EDITORS, False), (MODERATORS, True), (ADMINISTRATORS, True)):
        staff = Client()
        staff.force_login(UserFactory(roles=[role]))
        response = staff.get(f"/admin/signons/export/{statement.pk}/")
        if allowed:
            assert response.status_code == 200, role
        else:
            assert_denied(response)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["signed_as", "state", "name"]
    assert len(rows) == 2  # the header and the one confirmed signer
    assert rows[1][2] == "'=HYPERLINK(1) Lee"
    assert "mimi@example.org" in rows[1]
    assert "L3R 0A1" in rows[1]
    assert Client().get(f"/admin/signons/export/{statement.pk}/").status_code == 302


def test_editors_cannot_open_the_moderation_queue(client, home):
    client.force_login(UserFactory(roles=[EDITORS]))
    assert_denied(client.get("/admin/signons/moderation/"))


def test_reconcile_repairs_a_drifted_count(home):
    petition = make_petition(home)
    Signature.objects.create(
        page=petition, kind="individual", name="A", state=SignatureState.CONFIRMED
    )
    SignatureCountShard.objects.create(page=petition, shard=3, count=41)
    assert count_total(page=petition) == 41
    assert signature_counts_reconcile(page=petition) == 1
    assert count_total(page=petition) == 1


def test_printable_and_pdf_versions_carry_the_signatories(client, home):
    statement = make_statement(home)
    Signature.objects.create(
        page=statement,
        kind="organisation",
        name="Canada-Hong Kong Link",
        state=SignatureState.CONFIRMED,
    )
    printable = client.get(statement.url + "print/").content.decode()
    assert "Apply Magnitsky sanctions." in printable
    assert "Canada-Hong Kong Link" in printable
    pdf = client.get(statement.url + "pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 1000


def test_erasure_deletes_unconfirmed_signatures_and_updates_the_page_at_once(client, home):
    from harbour.people.services import person_erase

    petition = make_petition(home)
    other = make_petition(home, slug="other")
    client.post(petition.url + "sign/", INDIVIDUAL)
    client.post(other.url + "sign/", INDIVIDUAL)
    counted, pending = Signature.objects.order_by("pk")
    signature_confirm(token=confirmation_token(counted))
    reader = Client()
    assert "Mimi Lee" in reader.get(petition.url).content.decode()  # now cached

    person_erase(person=counted.person, actor=None)

    assert "Mimi Lee" not in reader.get(petition.url).content.decode()
    assert count_total(page=petition) == 1
    assert not Signature.objects.filter(pk=pending.pk).exists()
    response = client.get(f"{other.url}confirm/{confirmation_token(pending)}/")
    assert response.status_code == 400
    assert count_total(page=other) == 0


def test_every_signature_state_has_its_row_in_the_table():
    from harbour.signons.states import SIGNATURE_MOVES

    assert set(SIGNATURE_MOVES) == set(SignatureState.values)
    assert SIGNATURE_MOVES[SignatureState.SPAM] == frozenset()
    assert SignatureState.PENDING not in set().union(*SIGNATURE_MOVES.values())


def test_the_queue_flags_a_second_signature_under_a_listed_name(client, home):
    statement = make_statement(home)
    for n, name in enumerate(["Canada-Hong Kong Link", "Another Group", " canada-hong kong LINK "]):
        Client().post(
            statement.url + "sign/",
            {
                **ORGANISATION,
                "organisation-organisation": name,
                "organisation-email": f"g{n}@example.org",
            },
        )
    for signature in Signature.objects.all():
        signature_confirm(token=confirmation_token(signature))
    first = Signature.objects.get(name="Canada-Hong Kong Link")
    client.force_login(UserFactory(roles=[MODERATORS]))
    client.post("/admin/signons/moderation/", {"signature": [first.pk], "action": "approve"})
    queue = client.get("/admin/signons/moderation/").content.decode()
    row = queue.split("canada-hong kong LINK")[1].split("</tr>")[0]
    assert "Possible duplicate of “Canada-Hong Kong Link” (Confirmed, signed" in row
    other = queue.split("Another Group")[1].split("</tr>")[0]
    assert "Possible duplicate" not in other
    assert queue.count("Possible duplicate") == 1
