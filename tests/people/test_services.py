"""Supporter records: one per address, their consents, history, export, erasure, clean-up."""

import datetime

import pytest
from django.utils import timezone

from harbour.core.branding import brand
from harbour.core.models import AuditEntry
from harbour.people.models import NEWSLETTER_WORDING, Consent, ConsentTopic, Person
from harbour.people.services import (
    consent_record,
    normalise_email,
    person_erase,
    person_export,
    person_get_or_create,
    person_history,
    persons_delete_unused,
)
from harbour.signons.counts import count_total
from harbour.signons.models import Signature
from harbour.signons.services import LISTING_WORDING
from tests.content.factories import UserFactory

from .factories import PersonFactory, make_petition, sign, visit_later

pytestmark = pytest.mark.django_db


# --- One supporter per address -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ann@Example.org ", "ann@example.org"),
        ("  ANN@EXAMPLE.ORG\n", "ann@example.org"),
        ("ann@example.org", "ann@example.org"),
    ],
)
def test_normalise_email_trims_and_lowercases(typed, stored):
    assert normalise_email(typed) == stored


def test_the_same_address_in_any_case_is_one_supporter():
    first, created_first = person_get_or_create(email="Ann@Example.org ", given_name="Ann")
    again, created_again = person_get_or_create(email="ann@example.org")

    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Person.objects.count() == 1
    assert Person.objects.get().email == "ann@example.org"


def test_a_different_address_is_a_different_supporter():
    ann, _ = person_get_or_create(email="ann@example.org")
    bob, _ = person_get_or_create(email="bob@example.org")

    assert ann.pk != bob.pk
    assert Person.objects.count() == 2


def test_a_new_supporter_is_returned_as_stored_and_can_be_saved_again():
    person, created = person_get_or_create(
        email=" New@Example.org",
        given_name="Ann",
        family_name="Lee",
        postal_code="K1A 0A6",
        city="Ottawa",
        province="ON",
        language="fr",
    )

    stored = Person.objects.get()
    assert created is True
    assert person.pk == stored.pk
    for field in ("email", "given_name", "family_name", "postal_code", "city", "province"):
        assert getattr(person, field) == getattr(stored, field)
    assert (stored.email, stored.language, stored.erased_at) == ("new@example.org", "fr", None)
    assert stored.created_at == person.created_at
    assert stored.created_at is not None
    person.city = "Gatineau"
    person.save()  # an update of the same row, not a second supporter
    assert list(Person.objects.values_list("city", flat=True)) == ["Gatineau"]


def test_new_details_fill_blanks_but_never_overwrite():
    person_get_or_create(email="ann@example.org", given_name="Ann", city="Ottawa")

    person, _ = person_get_or_create(
        email="ANN@example.org",
        given_name="Annie",  # already known: kept as first given
        family_name="Lee",  # blank until now: filled
        city="Toronto",  # already known: kept
        postal_code="K1A 0A6",  # blank until now: filled
        province="ON",
    )

    person.refresh_from_db()
    assert (person.given_name, person.family_name) == ("Ann", "Lee")
    assert (person.city, person.postal_code, person.province) == ("Ottawa", "K1A 0A6", "ON")


def test_blank_details_do_not_wipe_known_ones():
    person_get_or_create(email="ann@example.org", given_name="Ann", family_name="Lee")

    person, _ = person_get_or_create(email="ann@example.org", given_name="", family_name="")

    person.refresh_from_db()
    assert (person.given_name, person.family_name) == ("Ann", "Lee")


@pytest.mark.django_db(transaction=True)
def test_returning_supporter_found_outside_a_transaction():
    """Any caller that is not already inside transaction.atomic (a management command, a
    future form) finds the existing supporter instead of crashing."""
    first, _ = person_get_or_create(email="ann@example.org", given_name="Ann")

    again, _ = person_get_or_create(email="Ann@example.org", family_name="Lee")

    assert again.pk == first.pk
    assert Person.objects.get().family_name == "Lee"


def test_consent_record_keeps_topic_answer_wording_and_form():
    person = PersonFactory()

    consent_record(
        person=person,
        topic=ConsentTopic.NEWSLETTER,
        granted=False,
        wording="Envoyez-moi les nouvelles de la coalition.",
        language="fr",
        source="sign-on form, page 7",
    )

    consent = Consent.objects.get(person=person)
    assert consent.topic == "newsletter"
    assert consent.granted is False
    assert (consent.wording, consent.language) == (
        "Envoyez-moi les nouvelles de la coalition.",
        "fr",
    )
    assert consent.source == "sign-on form, page 7"
    assert consent.withdrawn_at is None


# --- History ---------------------------------------------------------------------------------


def test_history_shows_the_signature_and_the_consents_given_at_confirmation(petition):
    sign(petition, email="ann@example.org", listing="full", newsletter=True)
    person = Person.objects.get(email="ann@example.org")

    history = person_history(person=person)

    rows = {(item.kind, item.description, item.state) for item in history}
    source = f"sign-on form, page {petition.pk}"
    assert rows == {
        ("signature", "Signed “Save the harbour” as individual", "Confirmed"),
        ("consent", f"Being listed publicly as a signer: agreed ({source})", ""),
        ("consent", f"Newsletter and campaign updates: agreed ({source})", ""),
    }
    assert [item.when for item in history] == sorted((item.when for item in history), reverse=True)


def test_history_shows_what_a_supporter_declined(petition):
    sign(petition, email="ann@example.org", listing="hidden", newsletter=False)
    person = Person.objects.get(email="ann@example.org")

    descriptions = [item.description for item in person_history(person=person)]

    source = f"sign-on form, page {petition.pk}"
    assert f"Being listed publicly as a signer: declined ({source})" in descriptions
    assert f"Newsletter and campaign updates: declined ({source})" in descriptions


def test_history_of_an_unconfirmed_signature_has_no_consents(petition):
    sign(petition, email="ann@example.org", confirm=False)
    person = Person.objects.get(email="ann@example.org")

    history = person_history(person=person)

    assert [(item.kind, item.state) for item in history] == [
        ("signature", "Waiting for e-mail confirmation")
    ]


def test_history_marks_a_withdrawn_consent(petition):
    sign(petition, email="ann@example.org", newsletter=True)
    person = Person.objects.get(email="ann@example.org")
    person.consents.filter(topic=ConsentTopic.NEWSLETTER).update(withdrawn_at=timezone.now())

    states = {
        item.description.split(":")[0]: item.state
        for item in person_history(person=person)
        if item.kind == "consent"
    }

    assert states == {
        "Newsletter and campaign updates": "withdrawn",
        "Being listed publicly as a signer": "",
    }


# --- Export ----------------------------------------------------------------------------------


def test_export_holds_the_details_consents_and_signatures(petition):
    sign(petition, email="Ann@Example.org", given_name="Ann", family_name="Lee")
    person = Person.objects.get(email="ann@example.org")
    moderator = UserFactory()

    data = person_export(person=person, actor=moderator)

    assert data["person"] == {
        "email": "ann@example.org",
        "given_name": "Ann",
        "family_name": "Lee",
        "postal_code": "K1A 0A6",
        "city": "Ottawa",
        "province": "ON",
        "language": "",
        "first_seen": person.created_at.isoformat(),
    }
    consents = {c["topic"]: c for c in data["consents"]}
    assert set(consents) == {"public_listing", "newsletter"}
    assert consents["public_listing"]["wording"] == LISTING_WORDING
    # the box's words as shown, with who sends the newsletter (CASL), in English
    assert consents["newsletter"]["wording"] == f"{NEWSLETTER_WORDING} ({brand().name})"
    assert consents["newsletter"]["language"] == "en"
    assert consents["newsletter"]["granted"] is True
    assert consents["newsletter"]["form"] == f"sign-on form, page {petition.pk}"
    assert consents["newsletter"]["withdrawn"] is None
    [signature] = data["signatures"]
    assert signature["page"] == "Save the harbour"
    assert signature["name"] == "Ann Lee"
    assert signature["signed_as"] == "individual"
    assert signature["state"] == "confirmed"
    assert signature["listed_as"] == "full"
    assert signature["confirmed"] is not None


def test_export_covers_every_page_the_supporter_signed(home, petition):
    second = make_petition(home, title="Free the press", slug="free-the-press")
    sign(petition, email="ann@example.org")
    sign(second, email="ann@example.org")
    sign(second, email="bob@example.org", given_name="Bob")
    person = Person.objects.get(email="ann@example.org")

    data = person_export(person=person, actor=UserFactory())

    assert sorted(s["page"] for s in data["signatures"]) == ["Free the press", "Save the harbour"]
    assert {s["name"] for s in data["signatures"]} == {"Ann Lee"}


def test_export_is_audited_by_id_without_personal_data(petition):
    sign(petition, email="ann@example.org", given_name="Annabel", family_name="Leclerc")
    person = Person.objects.get(email="ann@example.org")
    moderator = UserFactory(username="mod", email="mod@coalition.example")

    person_export(person=person, actor=moderator)

    entry = AuditEntry.objects.get(action="person.export")
    assert entry.actor == moderator
    assert entry.actor_label == "mod"
    assert entry.target_type == "people.Person"
    assert entry.target_id == str(person.pk)
    recorded = " ".join(
        [entry.actor_label, entry.action, entry.target_type, entry.target_id, str(entry.details)]
    ).lower()
    for personal in ("ann@example.org", "annabel", "leclerc", "k1a"):
        assert personal not in recorded


# --- Erasure ---------------------------------------------------------------------------------


def test_export_of_a_supporter_who_never_confirmed(petition):
    """An access request from someone who signed but never clicked the link."""
    sign(petition, email="ann@example.org", confirm=False)
    person = Person.objects.get(email="ann@example.org")

    data = person_export(person=person, actor=UserFactory())

    assert data["person"]["email"] == "ann@example.org"
    assert data["person"]["postal_code"] == "K1A 0A6"
    assert data["consents"] == []
    [signature] = data["signatures"]
    assert (signature["page"], signature["name"]) == ("Save the harbour", "Ann Lee")
    assert (signature["state"], signature["confirmed"]) == ("pending", None)
    assert AuditEntry.objects.filter(action="person.export", target_id=str(person.pk)).exists()


def test_erasure_of_a_supporter_who_never_confirmed(petition):
    signature = sign(petition, email="ann@example.org", confirm=False)
    person = Person.objects.get(email="ann@example.org")
    consent_record(
        person=person,
        topic=ConsentTopic.GROUP_CONTACT,
        granted=True,
        wording="A member group may contact me.",
        language="en",
        source="event sign-up",
    )
    administrator = UserFactory()

    person_erase(person=person, actor=administrator)

    person.refresh_from_db()
    assert (person.email, person.given_name, person.family_name) == (None, "", "")
    assert (person.postal_code, person.city) == ("", "")
    assert person.erased_at is not None
    assert not Consent.objects.exists()
    # Never confirmed, never counted: deleted, so the old link cannot revive it.
    assert not Signature.objects.filter(pk=signature.pk).exists()
    assert count_total(page=petition) == 0
    entry = AuditEntry.objects.get(action="person.erase")
    assert (entry.actor, entry.target_id) == (administrator, str(person.pk))
    assert person_history(person=person) == []


def test_erasure_wipes_the_supporters_details_and_consents(petition):
    sign(petition, email="ann@example.org", given_name="Ann", family_name="Lee")
    person = Person.objects.get(email="ann@example.org")
    assert person.consents.count() == 2

    person_erase(person=person, actor=UserFactory())

    person.refresh_from_db()
    assert person.email is None
    assert (person.given_name, person.family_name) == ("", "")
    assert (person.postal_code, person.city, person.language) == ("", "", "")
    assert person.erased_at is not None
    assert str(person) == f"Erased supporter #{person.pk}"
    assert Consent.objects.filter(person=person).count() == 0
    assert not Person.objects.filter(email="ann@example.org").exists()


def test_erased_signature_still_counts_but_is_no_longer_listed(client, petition):
    signature = sign(petition, email="ann@example.org", given_name="Annabel", family_name="Lee")
    sign(petition, email="bob@example.org", given_name="Robert", family_name="Chan")
    person = Person.objects.get(email="ann@example.org")
    assert count_total(page=petition) == 2
    before = client.get(petition.url)
    assert before.status_code == 200
    assert "Annabel Lee" in before.content.decode()

    person_erase(person=person, actor=UserFactory())

    signature.refresh_from_db()
    assert signature.state == "confirmed"
    assert signature.person is None
    assert signature.name == ""
    assert signature.listing == "hidden"
    assert (signature.city, signature.fsa, signature.ip_hash) == ("", "", "")
    assert count_total(page=petition) == 2
    html = visit_later(client, petition)
    assert "Annabel" not in html
    assert "Robert Chan" in html  # other signers are untouched
    assert '<strong data-testid="signature-count">2</strong>' in html


def test_erasure_is_audited_by_id(petition):
    sign(petition, email="ann@example.org", given_name="Annabel", family_name="Leclerc")
    person = Person.objects.get(email="ann@example.org")
    administrator = UserFactory(username="admin")
    before = timezone.now()

    person_erase(person=person, actor=administrator)

    entry = AuditEntry.objects.get(action="person.erase")
    assert entry.actor == administrator
    assert entry.target_type == "people.Person"
    assert entry.target_id == str(person.pk)
    assert before <= entry.created_at <= timezone.now() + datetime.timedelta(seconds=1)
    recorded = f"{entry} {entry.details}".lower()
    for personal in ("ann@example.org", "annabel", "leclerc"):
        assert personal not in recorded


def test_an_erased_address_can_sign_again_as_a_new_supporter(client, petition):
    sign(petition, email="ann@example.org", given_name="Ann", family_name="Lee")
    erased = Person.objects.get(email="ann@example.org")
    person_erase(person=erased, actor=UserFactory())

    signature = sign(petition, email="Ann@example.org", given_name="Ann", family_name="Lee")

    newcomer = Person.objects.get(email="ann@example.org")
    assert newcomer.pk != erased.pk
    assert signature.person == newcomer
    assert signature.state == "confirmed"
    assert newcomer.consents.count() == 2
    assert Signature.objects.filter(page=petition).count() == 2
    assert count_total(page=petition) == 2
    assert "Ann Lee" in client.get(petition.url).content.decode()


# --- Clean-up --------------------------------------------------------------------------------


def test_delete_unused_removes_only_supporters_nothing_points_at(petition):
    nobody = PersonFactory(email="nobody@example.org")
    sign(petition, email="signer@example.org", confirm=False)  # a signature, no consent yet
    signer = Person.objects.get(email="signer@example.org")
    consenting = PersonFactory(email="consent@example.org")
    consent_record(
        person=consenting,
        topic=ConsentTopic.NEWSLETTER,
        granted=True,
        wording=NEWSLETTER_WORDING,
        language="en",
        source="newsletter form",
    )
    outside = PersonFactory(email="outside@example.org")  # not among the ids asked about

    deleted = persons_delete_unused(person_ids={nobody.pk, signer.pk, consenting.pk})

    assert deleted == 1
    assert set(Person.objects.values_list("email", flat=True)) == {
        "signer@example.org",
        "consent@example.org",
        outside.email,
    }
