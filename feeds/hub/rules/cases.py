"""Case rules: how long each step of a case may take."""

from __future__ import annotations

from feeds import domain


def handling_limit_s(category: str) -> float:
    """The handling clock of a category, once dispatched."""
    return domain.CATEGORIES[category].limit_h * 3600.0
