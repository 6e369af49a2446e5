"""The alarm review ISA-18.2 asks for, from the alarms' record: when the hall was in a flood
of alarms (more than ten in ten minutes), and its bad actors (the alarms raised most)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

FLOOD_WINDOW_S = 600.0
FLOOD_MORE_THAN = 10


def flood_periods(
    raised: Sequence[float], window_s: float = FLOOD_WINDOW_S, limit: int = FLOOD_MORE_THAN
) -> list[tuple[float, float]]:
    """When more than ``limit`` alarms were raised within ``window_s``: (start, end) each, from
    raise times in order.  The window ending at a raise holds it and the ``limit`` before it
    from that raise until the earliest of them leaves the window; floods are those spans joined."""
    periods: list[tuple[float, float]] = []
    for i in range(limit, len(raised)):
        start, end = raised[i], raised[i - limit] + window_s
        if start >= end:
            continue
        if periods and start <= periods[-1][1]:
            periods[-1] = (periods[-1][0], max(periods[-1][1], end))
        else:
            periods.append((start, end))
    return periods


def bad_actors(raises: Iterable[tuple[str, str]], top: int = 10) -> list[tuple[str, str, int]]:
    """The alarm points raised most, (sensor id, condition, times) — the first to fix (a sensor
    out of calibration, a limit set too tight, a chattering contact)."""
    return [(sensor, condition, n) for (sensor, condition), n in Counter(raises).most_common(top)]
