"""Case rules: how long each step of a case may take, on the city's tables."""

from __future__ import annotations

from feeds.city.model import City


def dispatch_limit_s(city: City) -> float:
    """How long a filed case may wait for dispatch (按期派遣)."""
    return city.dispatch_limit_s


def handling_limit_s(city: City, category: str) -> float:
    """The handling clock of a category once dispatched; counted continuously until the
    working calendar drives the clocks (the lifecycle's rules)."""
    return city.categories[category].limit_s
