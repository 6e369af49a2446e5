"""One light pass over 100,000 open cases on the city's clocks (aim: well under 100 ms),
beside a Python loop over the cases doing the calendar with datetime arithmetic.

The hub relights every open case as time passes: the clock seconds left of each case, on
its category's clock (urgent, working hours, working days, mixed as in the shipped
catalog), then the light of :func:`feeds.domain.lights`.  Both ways must agree on every case
of the loop's sample, or the figures mean nothing.

``measure_clocks()`` is importable without side effects; ``python -m benchmarks.clocks``
prints its result.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from feeds.city.clock import Clocks
from feeds.city.folder import build, default_tables
from feeds.city.model import CLOCK_KINDS, Calendar
from feeds.domain import lights

NOW = datetime(2026, 9, 30, 16, 30, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()  # before 国庆


def _loop_left(calendar: Calendar, kind: str, deadline: float, now: float) -> float:
    """Clock seconds from ``now`` to ``deadline`` (negative when past), day by day with datetimes."""
    if kind == "urgent":
        return deadline - now
    zone = ZoneInfo(calendar.timezone)
    first, last = sorted((now, deadline))
    periods = calendar.periods if kind == "working_hours" else ((0, 24 * 60),)
    counted, day = 0.0, datetime.fromtimestamp(first, zone).date()
    while day <= datetime.fromtimestamp(last, zone).date():
        if calendar.is_working_day(day):
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            for start, end in periods:
                opens = (midnight + timedelta(minutes=start)).timestamp()
                closes = (midnight + timedelta(minutes=end)).timestamp()
                counted += max(0.0, min(closes, last) - max(opens, first))
        day += timedelta(days=1)
    return counted if deadline >= now else -counted


def measure_clocks(cases: int = 100_000, repeats: int = 21, loop_cases: int = 5_000) -> dict[str, float]:
    """Median and p95 milliseconds of one light pass over ``cases`` open cases (``repeats``
    runs), and the loop's time over the first ``loop_cases`` of them, scaled to all."""
    city, problems = build(default_tables())
    if any(p.error for p in problems):
        raise RuntimeError(f"the shipped tables do not build: {problems[:3]}")
    started = time.perf_counter()
    clocks = Clocks(city.calendar)
    build_s = time.perf_counter() - started

    rng = np.random.default_rng(11)
    categories = list(city.categories.values())
    picked = rng.integers(len(categories), size=cases)
    # clock kinds as codes into CLOCK_KINDS, a column of int8 like the lights
    kinds = np.array([CLOCK_KINDS.index(c.clock) for c in categories], np.int8)[picked]
    limit_s = np.array([clocks.limit_seconds(c.clock, c.limit, c.unit) for c in categories])[picked]
    dispatched = NOW - rng.uniform(0, 86_400, cases)  # within a day: a mix of lights
    deadlines = np.empty(cases)
    for code, kind in enumerate(CLOCK_KINDS):
        mask = kinds == code
        deadlines[mask] = clocks[kind].add_many(dispatched[mask], limit_s[mask])

    def light_pass() -> tuple[np.ndarray, np.ndarray]:
        left = np.empty(cases)
        for code, kind in enumerate(CLOCK_KINDS):
            mask = kinds == code
            left[mask] = clocks[kind].left(deadlines[mask], NOW)
        return left, lights(left, limit_s, city.yellow_share)

    light_pass()  # warm up
    timings = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        left, found = light_pass()
        timings.append((time.perf_counter() - t0) * 1000)

    loop_timings = []
    for _ in range(3):
        t0 = time.perf_counter()
        loop_left = [
            _loop_left(city.calendar, CLOCK_KINDS[code], deadline, NOW)
            for code, deadline in zip(
                kinds[:loop_cases].tolist(), deadlines[:loop_cases].tolist(), strict=True
            )
        ]
        loop_found = lights(np.array(loop_left), limit_s[:loop_cases], city.yellow_share)
        loop_timings.append((time.perf_counter() - t0) * 1000)
    if not np.allclose(loop_left, left[:loop_cases], atol=1e-3) or (loop_found != found[:loop_cases]).any():
        raise RuntimeError("the clocks and the datetime loop disagree")

    median = statistics.median(timings)
    loop_ms = statistics.median(loop_timings) * cases / loop_cases
    return {
        "clock_lights_ms_median": median,
        "clock_lights_ms_p95": statistics.quantiles(timings, n=20)[-1],
        "clock_lights_loop_ms": loop_ms,
        "clock_lights_speedup": loop_ms / median,
        "clock_lights_red_share": float(np.mean(found == 0)),
        "clock_cases": float(cases),
        "clocks_build_ms": build_s * 1000,
    }


if __name__ == "__main__":
    for name, value in measure_clocks().items():
        print(f"{name:36} {value:>14,.2f}")
