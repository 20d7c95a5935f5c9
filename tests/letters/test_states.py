"""Letters and deliveries change state only along their tables (letters.states)."""

import pytest

from harbour.letters.models import Delivery, DeliveryState, Letter, LetterState
from harbour.letters.states import (
    DELIVERY_MOVES,
    LETTER_MOVES,
    TransitionRefused,
    delivery_move,
    letter_move,
)

from .test_flow import LETTER, _confirm, campaign  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_every_state_has_its_row_in_the_tables():
    assert set(LETTER_MOVES) == set(LetterState.values)
    assert set(DELIVERY_MOVES) == set(DeliveryState.values)


def test_a_sent_delivery_never_goes_back_to_the_queue(client, campaign):  # noqa: F811
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.SENT
    for target in (DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.FAILED):
        with pytest.raises(TransitionRefused):
            delivery_move(Delivery.objects.all(), DeliveryState.SENT, target)
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_a_claim_moves_only_what_is_still_in_the_source_state(client, campaign):  # noqa: F811
    campaign.daily_digest = True  # deliveries wait, queued, for the digest
    campaign.save_revision().publish()
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    queued = Delivery.objects.filter(state=DeliveryState.QUEUED)
    assert delivery_move(queued, DeliveryState.QUEUED, DeliveryState.SENDING) == 1
    assert delivery_move(Delivery.objects.all(), DeliveryState.QUEUED, DeliveryState.SENDING) == 0


def test_a_confirmed_letter_is_never_pending_again(client, campaign):  # noqa: F811
    client.post(campaign.url + "send/", LETTER)
    _confirm(client, campaign)
    letter = Letter.objects.get()
    with pytest.raises(TransitionRefused):
        letter_move(letter, LetterState.PENDING)
    assert Letter.objects.get().state == LetterState.CONFIRMED
