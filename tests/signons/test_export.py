"""The signatories export: on PostgreSQL the database writes the CSV (COPY, for millions of
rows), and it must say exactly what the Python export says, formula-neutralised cells,
quotes, commas, line breaks and accents included."""

import csv
import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client

from harbour.core.roles import MODERATORS
from harbour.signons.models import Signature, SignatureState
from harbour.signons.services import signature_create
from tests.content.factories import UserFactory

from .factories import make_statement

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("individual", "=cmd|' /C calc'!A0", "Lee", {}),
    ("individual", 'Zoé "Zed"', "O'Brien, Jr.", {}),
    ("individual", "Line\nbreak", "+1", {}),
    (
        "parliamentarian",
        "",
        "",
        {"name": "Jenny Kwan", "office": "mp", "honorific": "Hon.", "region": "@BC"},
    ),
]


def _sign_everyone(statement) -> None:
    for n, (kind, given, family, extra) in enumerate(PEOPLE):
        details = {
            "given_name": given,
            "family_name": family,
            "postal_code": "K1A 0A6",
            "city": "-Ottawa",
            "listing": "full",
            **extra,
        }
        signature = signature_create(
            page=statement, kind=kind, email=f"p{n}@example.org", details=details
        ).signature
        Signature.objects.filter(pk=signature.pk).update(state=SignatureState.CONFIRMED)


def _export(client, statement) -> list[list[str]]:
    response = client.get(f"/admin/signons/export/{statement.pk}/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_the_database_written_export_says_what_the_python_one_does(home, monkeypatch):
    statement = make_statement(home, allow_individuals=True)
    _sign_everyone(statement)
    client = Client()
    client.force_login(UserFactory(roles=[MODERATORS]))
    by_database = _export(client, statement)
    monkeypatch.setattr("harbour.signons.admin_views.connection", SimpleNamespace(vendor="sqlite"))
    by_python = _export(client, statement)
    assert len(by_database) == len(PEOPLE) + 1
    assert by_database[0] == by_python[0]  # the header
    assert sorted(by_database[1:]) == sorted(by_python[1:])  # the database's rows, unsorted
    cells = [cell for row in by_database for cell in row]
    assert "'=cmd|' /C calc'!A0 Lee" in cells
    assert "'-Ottawa" in cells
    assert "Member of Parliament" in cells and "'@BC" in cells
    assert 'Zoé "Zed" O\'Brien, Jr.' in cells
