"""Retention: past a closed page's retention, `signons_maintenance` anonymises its
individual signers (and only those, and only then), keeps every count, and audits it."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from harbour.core.models import AuditEntry
from harbour.people.models import Person
from harbour.signons.counts import count_total
from harbour.signons.models import Listing, Signature, SignatureState, SignerKind
from harbour.signons.retention import months_after
from harbour.signons.services import signature_create

from .factories import make_petition, make_statement

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _signed(page, email: str, kind: str = SignerKind.INDIVIDUAL, name: str = "Ada") -> Signature:
    details = {
        "given_name": name,
        "family_name": "Lovelace",
        "postal_code": "L1S 2A3",
        "province": "ON",
        "listing": "full",
        "organisation": "Hong Kong Link",
        "city": "Toronto",
        "region": "Ontario",
        "contact_name": "Alex Chan",
    }
    signature = signature_create(page=page, kind=kind, email=email, details=details).signature
    Signature.objects.filter(pk=signature.pk).update(
        state=SignatureState.CONFIRMED, confirmed_at=NOW
    )
    return Signature.objects.get(pk=signature.pk)


def _close(page, days_ago: int, **fields) -> None:
    type(page).objects.filter(pk=page.pk).update(
        closes_at=NOW - datetime.timedelta(days=days_ago), **fields
    )


def _maintain() -> str:
    out = io.StringIO()
    call_command("signons_maintenance", stdout=out)
    return out.getvalue()


def test_a_petition_is_anonymised_six_months_after_it_closed_and_not_before(home):
    due = make_petition(home, slug="due")
    recent = make_petition(home, slug="recent")
    still_open = make_petition(home, slug="open")
    assert due.retention_months == 6  # petitions' default
    for page in (due, recent, still_open):
        _signed(page, f"ada-{page.slug}@example.org")
    _close(due, 190)
    _close(recent, 150)
    output = _maintain()
    assert "Anonymised 1 signature(s) on 1 page(s)" in output
    gone = Signature.objects.get(page=due)
    assert (gone.name, gone.person, gone.fsa, gone.city, gone.listing) == (
        "",
        None,
        "",
        "",
        Listing.HIDDEN,
    )
    assert gone.state == SignatureState.CONFIRMED and gone.province == "ON"
    assert gone.district_code == Signature.objects.get(page=recent).district_code
    assert count_total(page=due) == 1  # still counted
    assert not Person.objects.filter(email="ada-due@example.org").exists()  # used nowhere else
    for kept in (recent, still_open):
        assert Signature.objects.get(page=kept).name == "Ada Lovelace"
    entry = AuditEntry.objects.get(action="signatures.anonymise")
    assert entry.target_id == str(due.pk) and entry.details["signatures"] == 1
    assert "Anonymised 0 signature(s)" in _maintain()  # nothing twice


def test_a_statement_keeps_its_signers_unless_an_editor_sets_a_retention(home):
    kept = make_statement(home, slug="kept", allow_individuals=True)
    assert kept.retention_months is None
    _signed(kept, "bo@example.org")
    limited = make_statement(home, slug="limited", allow_individuals=True)
    person = _signed(limited, "cy@example.org").person
    _signed(limited, "group@example.org", kind=SignerKind.ORGANISATION)
    _signed(make_petition(home, slug="p"), "cy@example.org")  # cy signed elsewhere too
    _close(kept, 900)
    _close(limited, 400, retention_months=12)
    _maintain()
    assert Signature.objects.get(page=kept).name == "Ada Lovelace"
    individual = Signature.objects.get(page=limited, kind=SignerKind.INDIVIDUAL)
    assert individual.name == "" and individual.person is None
    group = Signature.objects.get(page=limited, kind=SignerKind.ORGANISATION)
    assert group.name == "Hong Kong Link"  # organisations stay on the public record
    assert Person.objects.filter(pk=person.pk).exists()  # still a signer of the petition


def test_months_after_lands_on_the_last_day_of_a_shorter_month():
    moment = datetime.datetime(2026, 8, 31, 12, tzinfo=datetime.UTC)
    assert months_after(moment, 6) == datetime.datetime(2027, 2, 28, 12, tzinfo=datetime.UTC)
    assert months_after(moment, 0) == moment
