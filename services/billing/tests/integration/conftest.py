"""Billing's integration fixtures: the fake Stripe API (labs_common.testing.fake_stripe), once per
session; tests isolate by their own customers and invoices."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from labs_common.testing.fake_stripe import FakeStripe


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        yield fake
