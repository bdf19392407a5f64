"""The console's test client tests: ``seller`` is an account whose staff user is signed in."""

from __future__ import annotations

import pytest

from tests.tp_api.console.support import sign_in


@pytest.fixture
def seller(factory, client):
    owner = factory.seller("Console Seller")
    user = factory.staff(owner)
    assert sign_in(client, user.email).status_code == 302
    return owner
