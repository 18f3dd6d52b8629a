"""Markets the tests share, written once: small enough for CI to simulate many times."""

from __future__ import annotations

from typing import Any

from buyernet import Market


def small_market(people: int = 4_000, companies: int = 250, **changes: Any) -> Market:
    """The calibrated default market scaled down (4k people, 250 companies by default),
    with any section changes applied on top.
    """
    market = Market().replace(population={"people": people, "companies": companies})
    return market.replace(**changes) if changes else market
