"""The time-limit clocks: how many clock seconds of a city's calendar run between two instants.

A case's limit counts on one of three clocks (:data:`feeds.city.model.CLOCK_KINDS`): urgent
hours count every second; working hours only the working periods of working days; working
days every second of working days.  The hub lights 100,000 open cases in one pass, so a clock
is a cumulative function W(t), clock seconds since a reference, kept as numpy breakpoints:
elapsed time is a difference of W (``np.interp``), adding time is W's inverse (a binary search).

Working hours count the seconds actually inside working periods.  Working days count each
working day as 86,400 clock seconds, even the day a DST change makes 23 or 25 hours long, so
that N working days later is the same local time; only on that day itself does the clock run
evenly over its real hours, up to an hour off the wall clock (W stays continuous, so adding
and measuring stay exact inverses).  Periods, midnights and weekdays are in the calendar's own
time zone (zoneinfo).

The breakpoints cover the local days from the Monday before 1970 to the Monday after 2099
(:data:`YEARS`), with the calendar's holidays and swapped working days.  Beyond that window
the clocks know no holidays (the folder warns of dates out there and leaves them out), so
they go on week by week on the weekend rule alone, at the zone's UTC offset of the window's
edge.  The window is fixed, not drawn from the data or from the present, so a clock answers
the same whenever and wherever it is built; its ~136,000 breakpoints (two periods a day) cost
the binary search only a few more steps than one year's would.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import NamedTuple, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from feeds.city.model import CLOCK_KINDS, Calendar

FloatArray = npt.NDArray[np.float64]

#: The years whose holidays and swapped working days the clocks know.
YEARS = range(1970, 2100)
DAY_S = 86_400.0
WEEK_S = 7 * DAY_S
MINUTES_PER_DAY = 24 * 60
UNIT_SECONDS = {"minutes": 60.0, "hours": 3_600.0}  # and "days": the clock's day_seconds()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


FIRST_DAY = _monday(date(YEARS.start, 1, 1))
END_DAY = _monday(date(YEARS.stop, 1, 1) + timedelta(days=6))  # excluded


def zone(name: str) -> ZoneInfo:
    """The IANA time zone of that name; ValueError (not zoneinfo's KeyError) when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones, such as "Asia"
        raise ValueError(f"{name!r} is not a known IANA time zone, such as Asia/Shanghai") from None


@cache
def _midnights(name: str) -> FloatArray:
    """Epoch seconds of local midnight of every day of the window and of END_DAY.

    Cached per zone: some 47,000 zoneinfo conversions, shared by every calendar of the zone."""
    tz = zone(name)
    days = range(FIRST_DAY.toordinal(), END_DAY.toordinal() + 1)
    found = np.array([datetime.combine(date.fromordinal(d), time(), tz).timestamp() for d in days])
    found.setflags(write=False)
    return found


class _Points(NamedTuple):
    """A non-decreasing piecewise-linear function: W at each breakpoint."""

    times: FloatArray
    values: FloatArray

    @classmethod
    def of(cls, bounds: FloatArray, weights: FloatArray, first: float, last: float) -> _Points:
        """W from ``first`` to ``last``: rising by each weight over its interval of ``bounds``
        (rows [start, end], in order), flat between them."""
        totals = np.cumsum(weights)
        total = totals[-1] if len(totals) else 0.0
        times = np.concatenate([[first], bounds.ravel(), [last]])
        values = np.concatenate([[0.0], np.column_stack([totals - weights, totals]).ravel(), [total]])
        keep = np.ones(len(times), dtype=bool)  # drop repeats (a working day ends as the next starts)
        keep[1:] = (np.diff(times) != 0) | (np.diff(values) != 0)
        return cls(times[keep], values[keep])

    def at(self, t: FloatArray) -> FloatArray:
        return np.interp(t, self.times, self.values)

    def earliest(self, w: FloatArray) -> FloatArray:
        """The first instant at which W reaches ``w``, for values[0] < w <= values[-1]: the end of
        a period when reached exactly there, never the end of a flat stretch."""
        i = np.clip(np.searchsorted(self.values, w, side="left"), 1, len(self.values) - 1)
        t0, w0 = self.times[i - 1], self.values[i - 1]
        rise = self.values[i] - w0
        slope = (self.times[i] - t0) / np.where(rise > 0, rise, 1.0)
        return t0 + (w - w0) * slope


class _Curve:
    """W over the window, continued beyond it by whole plain weeks from the window's edges."""

    def __init__(self, window: _Points, week: _Points) -> None:
        self.window, self.week = window, week
        self.start, self.end = window.times[0], window.times[-1]
        self.total, self.week_total = window.values[-1], week.values[-1]

    def at(self, t: FloatArray) -> FloatArray:
        flat = np.atleast_1d(t).astype(np.float64).ravel()
        w = self.window.at(flat)
        for outside, edge, base in (
            (flat < self.start, self.start, 0.0),
            (flat > self.end, self.end, self.total),
        ):
            if outside.any():
                x = flat[outside] - edge
                weeks = np.floor(x / WEEK_S)
                w[outside] = base + weeks * self.week_total + self.week.at(x - weeks * WEEK_S)
        return w.reshape(np.shape(t))

    def reach(self, w: FloatArray) -> FloatArray:
        """The earliest instant at which W reaches ``w``."""
        flat = np.atleast_1d(w).astype(np.float64).ravel()
        t = self.window.earliest(flat)
        for outside, edge, base in (
            (flat <= 0.0, self.start, 0.0),
            (flat > self.total, self.end, self.total),
        ):
            if outside.any():
                v = flat[outside] - base
                weeks = np.ceil(v / self.week_total) - 1  # the rest in (0, week_total]: earliest, as above
                t[outside] = edge + weeks * WEEK_S + self.week.earliest(v - weeks * self.week_total)
        return t.reshape(np.shape(w))


class WorkClock:
    """One clock kind on one calendar."""

    def __init__(self, kind: str, day_seconds: float, curve: _Curve | None) -> None:
        self.kind = kind
        self._day_seconds = day_seconds
        self._curve = curve  # None: the urgent clock, W(t) = t

    def _at(self, t: FloatArray) -> FloatArray:
        return t if self._curve is None else self._curve.at(t)

    def _reach(self, w: FloatArray) -> FloatArray:
        return w if self._curve is None else self._curve.reach(w)

    def day_seconds(self) -> float:
        """Clock seconds in one working day: what a limit in days is worth on this clock."""
        return self._day_seconds

    @overload
    def elapsed(self, start: float, end: float) -> float: ...
    @overload
    def elapsed(self, start: FloatArray, end: FloatArray | float) -> FloatArray: ...
    @overload
    def elapsed(self, start: float, end: FloatArray) -> FloatArray: ...
    def elapsed(self, start: FloatArray | float, end: FloatArray | float) -> FloatArray | float:
        """Clock seconds from ``start`` to ``end`` (epoch seconds); 0 when end <= start."""
        s, e = np.broadcast_arrays(np.asarray(start, np.float64), np.asarray(end, np.float64))
        run = np.where(e > s, np.maximum(self._at(e) - self._at(s), 0.0), 0.0)
        return float(run) if run.ndim == 0 else run

    def add(self, start: float, seconds: float) -> float:
        """The earliest instant at which ``seconds`` clock seconds have run since ``start``."""
        return float(self.add_many(np.array([start]), np.array([seconds]))[0])

    def add_many(self, starts: FloatArray, seconds: FloatArray) -> FloatArray:
        """:meth:`add` for arrays of starts and seconds (broadcast against each other)."""
        s = np.asarray(starts, np.float64)
        if np.any(np.asarray(seconds) < 0):
            raise ValueError("a clock adds only seconds >= 0")
        # a start in a flat stretch reaches its own W at the stretch's start: never go back
        return np.maximum(s, self._reach(self._at(s) + seconds))

    def left(self, deadlines: FloatArray, now: float) -> FloatArray:
        """Clock seconds from ``now`` to each deadline; negative (clock seconds overdue) once past."""
        return self._at(np.asarray(deadlines, np.float64)) - self._at(np.array(now, np.float64))


class Clocks:
    """The three clock kinds of a calendar, built once per city."""

    def __init__(self, calendar: Calendar) -> None:
        self._clocks = {
            "urgent": WorkClock("urgent", DAY_S, None),
            "working_hours": _working_clock("working_hours", calendar, _spans(calendar.periods), False),
            "working_days": _working_clock("working_days", calendar, ((0, MINUTES_PER_DAY),), True),
        }

    def __getitem__(self, kind: str) -> WorkClock:
        try:
            return self._clocks[kind]
        except KeyError:
            raise ValueError(f"unknown clock kind {kind!r}, not one of {', '.join(CLOCK_KINDS)}") from None

    def limit_seconds(self, kind: str, limit: float, unit: str) -> float:
        """A limit in clock seconds of its clock: a day is a working day (8 h on working hours)."""
        clock = self[kind]
        if unit == "days":
            return limit * clock.day_seconds()
        if unit not in UNIT_SECONDS:
            raise ValueError(f"unknown time unit {unit!r}, not one of minutes, hours, days")
        return limit * UNIT_SECONDS[unit]


def _spans(periods: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """The working periods (minutes of a day) in order, overlapping ones merged, empty ones left out."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(p for p in periods if p[0] < p[1]):
        if start < 0 or end > MINUTES_PER_DAY:
            raise ValueError(f"working period {start}-{end} (minutes) is not within a day")
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    if not merged:
        raise ValueError("the calendar has no working period")
    return tuple(merged)


def _working_clock(
    kind: str, calendar: Calendar, spans: tuple[tuple[int, int], ...], by_day: bool
) -> WorkClock:
    """A clock counting ``spans`` (minutes of the day) of every working day: their real seconds,
    or ``by_day`` their nominal length whatever a DST change does to the day."""
    weekdays = np.array([day for day in range(7) if day + 1 not in calendar.weekend])
    if not len(weekdays):
        raise ValueError("the weekend leaves no working day in a week")
    minutes = np.array(spans, dtype=np.float64)
    lengths = (minutes[:, 1] - minutes[:, 0]) * 60.0
    week_bounds = (weekdays[:, None, None] * DAY_S + minutes[None] * 60.0).reshape(-1, 2)
    week = _Points.of(week_bounds, np.tile(lengths, len(weekdays)), 0.0, WEEK_S)
    midnights = _midnights(calendar.timezone)
    days = _working_days(calendar)
    bounds = np.column_stack([_local(calendar.timezone, days, m) for span in spans for m in span])
    bounds = np.maximum.accumulate(bounds.ravel()).reshape(-1, 2)  # a bound in a DST gap: not back
    weights = np.tile(lengths, len(days)) if by_day else bounds[:, 1] - bounds[:, 0]
    window = _Points.of(bounds, weights, midnights[0], midnights[-1])
    return WorkClock(kind, float(lengths.sum()), _Curve(window, week))


def _working_days(calendar: Calendar) -> npt.NDArray[np.intp]:
    """The working days of the window, as indices from FIRST_DAY (:meth:`Calendar.is_working_day`)."""
    ordinals = np.arange(FIRST_DAY.toordinal(), END_DAY.toordinal())
    working = ~np.isin((ordinals - 1) % 7 + 1, list(calendar.weekend))  # ordinal 1 is a Monday
    working &= ~np.isin(ordinals, [day.toordinal() for day in calendar.holidays])
    working |= np.isin(ordinals, [day.toordinal() for day in calendar.workdays])
    return np.flatnonzero(working)


def _local(name: str, days: npt.NDArray[np.intp], minute: int) -> FloatArray:
    """Epoch seconds of ``minute`` past local midnight on the window's ``days``."""
    midnights = _midnights(name)
    if minute == MINUTES_PER_DAY:
        return midnights[days + 1]
    found = midnights[days] + minute * 60.0
    tz = zone(name)
    for n in np.flatnonzero(np.diff(midnights)[days] != DAY_S):  # a DST change that day: ask zoneinfo
        day = date.fromordinal(FIRST_DAY.toordinal() + int(days[n]))
        found[n] = datetime.combine(day, time(minute // 60, minute % 60), tz).timestamp()
    return found
