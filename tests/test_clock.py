"""The time-limit clocks count the city's working calendar: hand-checked deadlines on the
shipped 2026 calendar, the laws any calendar must obey (hypothesis draws the calendars), and
bad calendars refused by ``hall city check`` with words naming what is wrong."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from citykit import tiny_city, write
from hypothesis import given, settings
from hypothesis import strategies as st
from test_city_check import Mutation, calendar, problems_of

from feeds.city import open_folder
from feeds.city.clock import YEARS, Clocks
from feeds.city.folder import build, default_tables
from feeds.city.model import CLOCK_KINDS, Calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0


#: The shipped calendar: 2026, Asia/Shanghai, 08:00-12:00 and 14:00-18:00, weekend 6 and 7.
SHIPPED = build(default_tables())[0].calendar


@pytest.fixture(scope="module")
def clocks() -> Clocks:
    return Clocks(SHIPPED)


def at(local: str, zone: ZoneInfo = SHANGHAI) -> float:
    return datetime.fromisoformat(local).replace(tzinfo=zone).timestamp()


def local(epoch: float, zone: ZoneInfo = SHANGHAI) -> str:
    return datetime.fromtimestamp(round(epoch, 3), zone).strftime("%Y-%m-%d %H:%M")


# (clock, start, limit, unit, deadline, why) in Asia/Shanghai local time; 2026 holidays from
# feeds/city/defaults/calendar.json: 元旦 01-01..03 (04 Sun worked), 春节 02-15..23 (02-14 Sat
# and 02-28 Sat worked), 清明 04-04..06, 劳动节 05-01..05 (05-09 Sat worked), 中秋 09-25..27
# (09-20 Sun worked), 国庆 10-01..07 (10-10 Sat worked).
DEADLINES = [
    ("working_hours", "2026-03-02 10:00", 4, "hours", "2026-03-02 16:00", "Mon, over the lunch break"),
    ("working_hours", "2026-03-02 11:30", 60, "minutes", "2026-03-02 14:30", "Mon, into the break"),
    ("working_hours", "2026-03-02 12:30", 2, "hours", "2026-03-02 16:00", "starts in the break: at 14:00"),
    ("working_hours", "2026-03-02 08:00", 4, "hours", "2026-03-02 12:00", "reached at a period end"),
    ("working_hours", "2026-03-02 08:00", 1, "days", "2026-03-02 18:00", "1 working day = 8 h"),
    ("working_hours", "2026-03-02 17:50", 30, "minutes", "2026-03-03 08:20", "Mon evening, overnight"),
    ("working_hours", "2026-03-03 21:00", 1, "hours", "2026-03-04 09:00", "starts at night: at 08:00"),
    ("working_hours", "2026-03-03 10:00", 1, "days", "2026-03-04 10:00", "Tue → Wed"),
    ("working_hours", "2026-03-06 17:00", 4, "hours", "2026-03-09 11:00", "Fri evening → Mon"),
    ("working_hours", "2026-09-30 16:00", 4, "hours", "2026-10-08 10:00", "Wed, into 国庆 → Thu"),
    ("working_hours", "2026-09-29 09:00", 3, "days", "2026-10-09 09:00", "Tue, over all of 国庆"),
    ("working_hours", "2026-10-05 10:00", 1, "hours", "2026-10-08 09:00", "starts on a holiday (Mon)"),
    ("working_hours", "2026-10-09 17:00", 3, "hours", "2026-10-10 10:00", "Fri → the worked Sat 10-10"),
    ("working_hours", "2026-09-18 17:00", 2, "hours", "2026-09-20 09:00", "Fri → the worked Sun 09-20"),
    ("working_hours", "2025-12-31 17:00", 2, "hours", "2026-01-04 09:00", "over 元旦 → the worked Sun"),
    ("working_hours", "2026-05-08 17:30", 90, "minutes", "2026-05-09 09:00", "Fri → the worked Sat"),
    ("working_hours", "2026-04-03 17:00", 2, "hours", "2026-04-07 09:00", "Fri, over 清明 → Tue"),
    ("urgent", "2026-09-30 16:00", 48, "hours", "2026-10-02 16:00", "urgent counts holidays too"),
    ("urgent", "2026-09-30 16:00", 2, "days", "2026-10-02 16:00", "an urgent day is 24 h"),
    ("urgent", "2026-03-02 17:50", 30, "minutes", "2026-03-02 18:20", "and evenings"),
    ("working_days", "2026-03-06 10:00", 1, "days", "2026-03-09 10:00", "Fri → Mon, over the weekend"),
    ("working_days", "2026-03-07 10:00", 1, "days", "2026-03-10 00:00", "starts Sat: counts from Mon"),
    ("working_days", "2026-10-05 10:00", 1, "days", "2026-10-09 00:00", "starts on a holiday"),
    ("working_days", "2026-02-13 10:00", 2, "days", "2026-02-24 10:00", "Fri, worked Sat, 春节 → Tue"),
    ("working_days", "2026-02-12 15:00", 5, "days", "2026-02-26 15:00", "Thu, over 春节"),
    ("working_days", "2026-03-02 22:00", 12, "hours", "2026-03-03 10:00", "hours of working days"),
]


@pytest.mark.parametrize(
    ("kind", "start", "limit", "unit", "deadline"),
    [row[:5] for row in DEADLINES],
    ids=[row[5] for row in DEADLINES],
)
def test_deadlines_on_the_2026_calendar(
    clocks: Clocks, kind: str, start: str, limit: float, unit: str, deadline: str
) -> None:
    clock, seconds = clocks[kind], clocks.limit_seconds(kind, limit, unit)
    assert local(clock.add(at(start), seconds)) == deadline
    assert clock.elapsed(at(start), at(deadline)) == pytest.approx(seconds, abs=1e-3)
    assert clock.left(np.array([at(deadline)]), at(start))[0] == pytest.approx(seconds, abs=1e-3)
    assert clock.left(np.array([at(start)]), at(deadline))[0] == pytest.approx(-seconds, abs=1e-3)


def test_limits_and_day_lengths(clocks: Clocks) -> None:
    assert [clocks[kind].day_seconds() for kind in CLOCK_KINDS] == [86_400, 8 * HOUR, 86_400]
    assert clocks.limit_seconds("working_hours", 15, "minutes") == 900
    assert clocks.limit_seconds("working_days", 2.5, "hours") == 9_000
    assert clocks.limit_seconds("working_hours", 2, "days") == 16 * HOUR
    with pytest.raises(ValueError, match="weeks"):
        clocks.limit_seconds("urgent", 1, "weeks")
    with pytest.raises(ValueError, match="'overtime'"):
        clocks["overtime"]
    with pytest.raises(ValueError, match="'overtime'"):
        clocks.limit_seconds("overtime", 30, "minutes")
    with pytest.raises(ValueError, match=">= 0"):
        clocks["working_hours"].add(at("2026-03-02 10:00"), -1)


def test_a_start_in_a_pause_adds_nothing_until_the_pause_ends(clocks: Clocks) -> None:
    lunch = at("2026-03-02 12:30")
    assert clocks["working_hours"].add(lunch, 0) == lunch
    assert local(clocks["working_hours"].add(lunch, 1e-3)) == "2026-03-02 14:00"
    assert clocks["working_hours"].elapsed(lunch, at("2026-03-02 13:59")) == 0


def test_years_outside_the_window_go_on_week_by_week(clocks: Clocks) -> None:
    """1950 and 2150 know no holidays: weekends only, at Asia/Shanghai's offset."""
    hours = clocks["working_hours"]
    assert local(hours.add(at("1950-03-03 17:50"), 1800)) == "1950-03-06 08:20"  # Fri → Mon
    assert local(hours.add(at("2150-03-02 17:50"), 1800)) == "2150-03-03 08:20"  # Mon → Tue
    # across the window's edges: from Fri 1969-12-26 into its first Monday, from Fri 2100-01-01 out
    assert local(hours.add(at("1969-12-26 17:00"), 2 * HOUR)) == "1969-12-29 09:00"
    assert local(hours.add(at("2100-01-01 17:00"), 2 * HOUR)) == "2100-01-04 09:00"
    assert hours.elapsed(at("1969-01-01 00:00"), at("2101-01-01 00:00")) == pytest.approx(
        hours.elapsed(at("1969-01-01 00:00"), at("2035-01-01 00:00"))
        + hours.elapsed(at("2035-01-01 00:00"), at("2101-01-01 00:00"))
    )


def test_a_dst_zone_counts_working_days_by_the_local_clock() -> None:
    """Europe/Berlin moves to summer time on Sunday 2026-03-29, a 23-hour day, here worked."""
    berlin = ZoneInfo("Europe/Berlin")
    clocks = Clocks(Calendar("Europe/Berlin", ((0, 1440),), frozenset(), frozenset(), frozenset()))
    sunday, monday = at("2026-03-29 00:00", berlin), at("2026-03-30 00:00", berlin)
    assert clocks["working_days"].elapsed(sunday, monday) == 86_400
    assert clocks["working_hours"].elapsed(sunday, monday) == 23 * HOUR  # hours are real hours
    saturday = at("2026-03-28 10:00", berlin)
    assert local(clocks["working_days"].add(saturday, 2 * 86_400), berlin) == "2026-03-30 10:00"
    assert local(clocks["working_hours"].add(saturday, 48 * HOUR), berlin) == "2026-03-30 11:00"


def test_overlapping_or_unordered_periods_of_a_calendar_built_in_code_are_merged() -> None:
    merged = Clocks(
        Calendar(
            "Asia/Shanghai", ((840, 1080), (480, 720), (600, 700)), frozenset(), frozenset(), frozenset()
        )
    )
    assert merged["working_hours"].day_seconds() == 8 * HOUR
    for periods, weekend, zone, words in (
        ((), frozenset(), "Asia/Shanghai", "no working period"),
        (((480, 720),), frozenset(range(1, 8)), "Asia/Shanghai", "no working day"),
        (((480, 720),), frozenset(), "Mars/Olympus", "Mars/Olympus"),
    ):
        with pytest.raises(ValueError, match=words):
            Clocks(Calendar(zone, periods, weekend, frozenset(), frozenset()))


# -- laws of every clock on every calendar ------------------------------------------------------

ZONES = ("Asia/Shanghai", "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata")
DAYS = st.dates(date(2025, 1, 1), date(2027, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    """Ordered, separate working periods on a 10-minute grid, any weekend leaving a working day,
    holidays and swapped working days around 2026."""
    bounds = sorted(
        draw(st.sets(st.integers(0, 144), min_size=2, max_size=6).filter(lambda s: len(s) % 2 == 0))
    )
    periods = tuple((bounds[n] * 10, bounds[n + 1] * 10) for n in range(0, len(bounds), 2))
    return Calendar(
        draw(st.sampled_from(ZONES)),
        periods,
        frozenset(draw(st.sets(st.integers(1, 7), max_size=6))),
        frozenset(draw(st.sets(DAYS, max_size=40))),
        frozenset(draw(st.sets(DAYS, max_size=10))),
    )


CALENDARS = st.one_of(st.just(SHIPPED), calendars())
KINDS = st.sampled_from(CLOCK_KINDS)
#: Instants around 2026, and across both edges of the clocks' window (1970, 2100).
INSTANTS = st.one_of(
    st.floats(at("2025-06-01 00:00"), at("2027-06-01 00:00")),
    st.floats(at("1969-11-01 00:00"), at("1970-03-01 00:00")),
    st.floats(at("2099-11-01 00:00"), at("2100-03-01 00:00")),
)
SECONDS = st.floats(0, 30 * 86_400)
LAWS = settings(max_examples=40, deadline=None)


@LAWS
@given(CALENDARS, KINDS, INSTANTS, SECONDS)
def test_adding_then_measuring_gives_back_the_seconds_at_the_earliest_instant(
    calendar: Calendar, kind: str, start: float, seconds: float
) -> None:
    clock = Clocks(calendar)[kind]
    end = clock.add(start, seconds)
    assert end >= start
    assert clock.elapsed(start, end) == pytest.approx(seconds, rel=1e-6, abs=1e-3)
    if seconds >= 1:  # the earliest: a second before, less has run
        assert clock.elapsed(start, end - 1) < seconds - 0.5


@LAWS
@given(CALENDARS, KINDS, INSTANTS, SECONDS, SECONDS)
def test_adding_in_two_steps_is_adding_the_sum(
    calendar: Calendar, kind: str, start: float, a: float, b: float
) -> None:
    clock = Clocks(calendar)[kind]
    assert clock.add(clock.add(start, a), b) == pytest.approx(clock.add(start, a + b), abs=1e-3)


@LAWS
@given(CALENDARS, KINDS, INSTANTS, st.lists(SECONDS, min_size=2, max_size=2), SECONDS)
def test_adding_is_monotone_in_the_seconds_and_in_the_start(
    calendar: Calendar, kind: str, start: float, pair: list[float], later: float
) -> None:
    clock, (a, b) = Clocks(calendar)[kind], sorted(pair)
    assert clock.add(start, a) <= clock.add(start, b) + 1e-3
    assert clock.add(start, a) <= clock.add(start + later, a) + 1e-3


@LAWS
@given(CALENDARS, KINDS, st.lists(INSTANTS, min_size=3, max_size=3))
def test_elapsed_adds_up_over_a_middle_point(calendar: Calendar, kind: str, instants: list[float]) -> None:
    clock, (a, b, c) = Clocks(calendar)[kind], sorted(instants)
    assert clock.elapsed(a, c) == pytest.approx(clock.elapsed(a, b) + clock.elapsed(b, c), rel=1e-9, abs=1e-3)
    assert clock.elapsed(c, a) == 0


@LAWS
@given(calendars(), st.sampled_from(("working_hours", "working_days")), DAYS)
def test_a_day_off_counts_nothing_and_a_working_day_its_length(
    calendar: Calendar, kind: str, day: date
) -> None:
    """A working day of a DST change may gain or lose an hour of working periods, never of days."""
    zone, clock = ZoneInfo(calendar.timezone), Clocks(calendar)[kind]
    midnight = datetime.combine(day, datetime.min.time(), zone).timestamp()
    following = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone).timestamp()
    counted = clock.elapsed(midnight, following)
    if not calendar.is_working_day(day):
        assert counted == 0
    elif kind == "working_days":
        assert counted == pytest.approx(86_400)
    else:
        assert abs(counted - clock.day_seconds()) <= HOUR


@LAWS
@given(CALENDARS, INSTANTS, SECONDS, INSTANTS)
def test_the_urgent_clock_is_plain_time(calendar: Calendar, start: float, seconds: float, end: float) -> None:
    clock = Clocks(calendar)["urgent"]
    assert clock.add(start, seconds) == start + seconds
    assert clock.elapsed(start, end) == max(end - start, 0.0)


@LAWS
@given(CALENDARS, KINDS, st.lists(st.tuples(INSTANTS, SECONDS), min_size=1, max_size=20), INSTANTS)
def test_vectorised_results_are_the_scalar_ones(
    calendar: Calendar, kind: str, cases: list[tuple[float, float]], now: float
) -> None:
    clock = Clocks(calendar)[kind]
    starts, seconds = np.array([c[0] for c in cases]), np.array([c[1] for c in cases])
    deadlines = clock.add_many(starts, seconds)
    assert deadlines.tolist() == [clock.add(s, x) for s, x in cases]
    assert clock.elapsed(starts, deadlines).tolist() == [
        clock.elapsed(s, d) for s, d in zip(starts.tolist(), deadlines.tolist(), strict=True)
    ]
    left = clock.left(deadlines, now)
    overdue = [-clock.elapsed(d, now) if d <= now else clock.elapsed(now, d) for d in deadlines.tolist()]
    assert left == pytest.approx(overdue, abs=1e-6)


# -- bad calendars, through `hall city check` ---------------------------------------------------


def holiday_entry(entry: Any) -> Mutation:
    return lambda docs: docs["calendar.json"]["holidays"].append(entry)


BAD = [
    (
        "periods out of order",
        calendar("working_periods", [["14:00", "18:00"], ["08:00", "12:00"]]),
        "calendar-period",
        "working period 1",
        "starts at 08:00",
    ),
    (
        "overlapping periods",
        calendar("working_periods", [["08:00", "12:00"], ["11:00", "18:00"]]),
        "calendar-overlap",
        "11:00-18:00",
        "overlaps 08:00-12:00",
    ),
    (
        "a period ending before it starts",
        calendar("working_periods", [["12:00", "08:00"]]),
        "calendar-time",
        "12:00-08:00",
        "ends before it starts",
    ),
    (
        "a holiday written 2026/01/01",
        holiday_entry({"name": "元旦", "from": "2026/01/01", "to": "2026/01/01"}),
        "calendar-date",
        "holiday 7 (元旦)",
        "'2026/01/01' is not a date YYYY-MM-DD",
    ),
    (
        "a holiday as a bare string",
        holiday_entry("2026-01-01"),
        "schema-type",
        "holidays/7",
        "not of type 'object'",
    ),
    (
        "a holiday without its last day",
        holiday_entry({"name": "元旦", "from": "2026-01-01"}),
        "schema-required",
        "holidays/7",
        "'to' is a required property",
    ),
    (
        "an unknown time zone",
        calendar("timezone", "Asia/Beijing"),
        "calendar-timezone",
        "timezone",
        "'Asia/Beijing' is not a known IANA time zone",
    ),
    ("a folder of zones", calendar("timezone", "Asia"), "calendar-timezone", "timezone", "'Asia'"),
    (
        "a week without a working day",
        calendar("weekend", [1, 2, 3, 4, 5, 6, 7]),
        "calendar-weekend",
        "weekend",
        "",
    ),
]


@pytest.mark.parametrize(("mutate", "rule", "where", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_calendar_is_refused_with_words_naming_it(
    tmp_path: Path, mutate: Mutation, rule: str, where: str, words: str
) -> None:
    documents = tiny_city()
    mutate(documents)
    problems = problems_of(write(tmp_path / "city", documents))
    named = [p for p in problems if p.file == "calendar.json" and p.rule == rule and where in p.where]
    assert named, "\n".join(map(str, problems))
    assert words in named[0].message


def test_odd_but_usable_calendar_entries_are_warnings(tmp_path: Path) -> None:
    """A swapped working day on a Wednesday, a holiday reaching past the clocks' years: the city
    stays usable, the warnings say what is odd, and the clocks use what they can."""
    documents = tiny_city()
    table = documents["calendar.json"]
    table["workdays"] += ["2026-03-04", "2150-01-03"]
    table["holidays"].append({"name": "远期", "from": "2099-12-30", "to": "2100-01-05"})
    folder = open_folder(write(tmp_path / "city", documents))
    warnings = {(p.where, p.rule): p.message for p in folder.problems}
    assert not any(p.error for p in folder.problems)
    assert "weekday 3, not on the weekend [6, 7]" in warnings["workday 2026-03-04", "calendar-workday"]
    assert f"know {YEARS.start}-{YEARS.stop - 1}" in warnings["workday 2150-01-03", "calendar-date"]
    assert "2099-12-30 to 2100-01-05" in warnings["holiday 7 (远期)", "calendar-date"]
    calendar = folder.city.calendar
    assert date(2099, 12, 31) in calendar.holidays and date(2100, 1, 4) not in calendar.holidays
    days = Clocks(calendar)["working_days"]
    assert days.elapsed(at("2099-12-30 00:00"), at("2100-01-01 00:00")) == 0
    assert days.elapsed(at("2100-01-04 00:00"), at("2100-01-05 00:00")) == 86_400  # beyond: Monday works
