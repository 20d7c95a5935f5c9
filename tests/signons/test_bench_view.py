"""The sign-on's benchmark view (mounted only by `make bench`): bad input gets a 400."""

import pytest
from django.test import RequestFactory

from harbour.benchviews.views import bench_sign_service
from harbour.signons.models import Signature

from .factories import make_petition

pytestmark = pytest.mark.django_db


def test_the_bench_sign_service_view_answers_bad_input_with_400_and_signs_good_input(home):
    petition = make_petition(home)
    factory = RequestFactory()
    for bad in ("", "not-an-address", "x" * 250 + "@example.org"):
        request = factory.post("/bench/sign-service/", {"individual-email": bad})
        assert bench_sign_service(request, petition.pk).status_code == 400
    assert not Signature.objects.exists()

    request = factory.post("/bench/sign-service/", {"individual-email": "Bench@Example.org"})
    response = bench_sign_service(request, petition.pk)
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    signature = Signature.objects.select_related("person").get()
    assert signature.person.email == "bench@example.org" and signature.state == "pending"
