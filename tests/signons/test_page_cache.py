"""Anonymous readers get a rendering a few seconds old, each with their own CSRF token."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from harbour.signons.models import Signature
from harbour.signons.services import confirmation_token, signature_confirm

from .factories import INDIVIDUAL, make_petition

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_cached_page_still_gives_each_reader_a_working_csrf_token(home):
    petition = make_petition(home)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(petition.url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        page_two = second.get(petition.url).content.decode()
    assert queries.captured_queries == []  # served before Wagtail's routing
    token_one, token_two = TOKEN.findall(page_one)[0], TOKEN.findall(page_two)[0]
    assert "placeholder" not in token_two
    assert token_one != token_two
    response = second.post(petition.url + "sign/", {**INDIVIDUAL, "csrfmiddlewaretoken": token_two})
    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_a_new_confirmation_clears_the_cached_count(
    client, home, django_capture_on_commit_callbacks
):
    petition = make_petition(home)
    client.post(petition.url + "sign/", INDIVIDUAL)
    reader = Client()
    assert 'data-testid="signature-count">0<' in reader.get(petition.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        signature_confirm(token=confirmation_token(Signature.objects.get()))
    assert 'data-testid="signature-count">1<' in reader.get(petition.url).content.decode()


def test_signed_in_staff_and_query_strings_bypass_the_cache(client, home):
    from tests.content.factories import UserFactory

    petition = make_petition(home)
    Client().get(petition.url)  # fills the cache
    Signature.objects.create(
        page=petition, kind="individual", name="Fresh", state="confirmed", listing="full"
    )
    assert "Fresh" not in Client().get(petition.url).content.decode()
    assert "Fresh" in Client().get(petition.url + "?x=1").content.decode()
    client.force_login(UserFactory())
    assert "Fresh" in client.get(petition.url).content.decode()
