"""The last place taken by two people at the same moment, on PostgreSQL: one gets it, the
other joins the wait-list; the count never exceeds the capacity."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from harbour.events.models import Registration, RegistrationState
from harbour.events.registrations import confirmation_token, registration_confirm

from .factories import make_event, make_listing, register

S = RegistrationState


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_people_confirming_for_the_last_place_at_once(home, settings):
    settings.HARBOUR_EVENT_RATE_IP = "1000/h"
    event = make_event(make_listing(home), capacity=3)
    for n in range(12):
        register(Client(), event, email=f"p{n}@example.org", name=f"P{n}")
    tokens = [confirmation_token(r) for r in Registration.objects.order_by("pk")]
    start = threading.Barrier(len(tokens))
    errors: list[BaseException] = []

    def confirm(token: str) -> None:
        try:
            start.wait()
            registration_confirm(token=token)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    states = list(Registration.objects.values_list("state", flat=True))
    assert states.count(S.CONFIRMED) == 3
    assert states.count(S.WAITLISTED) == 9
    # The wait-list is in the order people confirmed, each with its own place in it.
    order = list(
        Registration.objects.filter(state=S.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("waitlisted_at", flat=True)
    )
    assert order == sorted(order)
