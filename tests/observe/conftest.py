"""The observability tests: the app has a metrics token, so /metrics is read on the public
port with it (tests.observe.metrics_text.scrape)."""

from __future__ import annotations

import dataclasses

import pytest

from tests.observe.metrics_text import TOKEN


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, metrics_token=TOKEN)
