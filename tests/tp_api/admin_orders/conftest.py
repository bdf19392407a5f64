from __future__ import annotations

import pytest

from tests.tp_api.admin_orders.helpers import Shop, make_shop


@pytest.fixture
def shop(factory) -> Shop:
    return make_shop(factory)


@pytest.fixture
def other_shop(factory) -> Shop:
    return make_shop(factory)
