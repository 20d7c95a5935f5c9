import pytest

from harbour.signons.models.pages import PetitionPage

from .factories import make_petition


@pytest.fixture
def petition(home) -> PetitionPage:
    """A published petition on the coalition's site."""
    return make_petition(home)
