"""The KPI engine and the city's evaluation table (kpis.json).

The heart is a hand-computed month: 38 cases of March 2026 (and a few either side of it),
each a timeline the workflow table allows, with the figures they must give worked out by
hand in :data:`EXPECTED`.  The groups: A plain cases; B one stage late each (handling,
filing, dispatch, verify, check, closing; appeals granted in March and in April; a case
still overdue at the month's end); C returns, transfers, extensions, reworks, a hang; D
rejected, merged, voided and not-found reports; E fixed on the spot; F outside March or
across its ends; G several of these at once.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from citykit import tiny_city, write
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.kpis import Cast, Story, measure_kpis, walk
from benchmarks.run import AIMS
from feeds.city import CityError, open_folder
from feeds.city.check import check
from feeds.city.folder import Problem, build
from feeds.city.kpis import AREAS, NOT_SHARES, OBJECTS, RATE_OBJECTS, Grade, Kpis
from feeds.city.model import City
from feeds.hub.rules.kpis import RATES, Figures, KpiEngine, Period

TZ = ZoneInfo("Asia/Shanghai")
CITY = "330100"
DW, DE = "330101", "330102"  # the tiny city's districts, one street each
SW, SE = "330101001", "330102001"
GW, GW2 = "330101001001001", "330101001002001"  # west: two communities
GE, GE2 = "330102001001001", "330102001002001"  # east
W, SA, SO = "water", "sanitation", "so-330102001"
Z, Q = "lead-zhao", "lead-qian"
S, L = "disp-sun", "disp-li"
ZH, WU = "ins-zhou", "ins-wu"
PEOPLE = {"Z": Z, "Q": Q, "S": S, "L": L, "ZH": ZH, "WU": WU}
INTAKE = ("accept", "verify", "check", "merge")  # steps the intake operator takes
PATROLS = {ZH: DW, WU: GE[:12], "ins-zheng": ""}  # district, community, the whole city

# (case, reported, grid, the inspector who reported it or the source, steps "time action [who]
# [department]"; a time without a day is on the day of the step before; handlers and intake act
# where no one is named)
MONTH = [
    ("A1", "03-02T09:00", GW, "ZH", "09:10 file Z|09:20 dispatch S water|09:30 take|11:20 feedback"
     "|11:30 check|11:50 pass WU|12:00 close Z"),
    ("A2", "03-03T09:00", GE, "ZH", "09:10 file Q|09:20 dispatch L sanitation|09:30 take|13:20 feedback"
     "|13:30 check|13:50 pass ZH|14:00 close Q"),
    ("A3", "03-04T09:00", GW2, "WU", "09:10 file Z|09:20 dispatch S water|09:30 take|12:20 feedback"
     "|12:30 check|12:50 pass ZH|13:00 close Z"),
    ("A4", "03-05T09:00", GE, "WU", "09:10 file Q|09:20 dispatch L so-330102001|09:30 take|10:20 feedback"
     "|10:30 check|10:50 pass WU|11:00 close Q"),
    ("A5", "03-05T14:00", GW, "hotline", "14:05 accept|14:10 file Z|14:20 dispatch L water|14:30 take"
     "|16:20 feedback|16:30 check|16:50 pass ZH|17:00 close Z"),
    ("A6", "03-08T09:00", GE2, "WU", "09:10 file Q|09:20 dispatch S so-330102001|09:30 take"
     "|10:20 feedback|10:30 check|10:50 pass WU|11:00 close Q"),
    ("B1", "03-06T09:00", GW, "ZH", "09:10 file Z|09:20 dispatch S water|09:30 take|13:20 timeout handle"
     "|15:20 feedback|15:30 check|15:50 pass WU|16:00 close Z"),
    ("B2", "03-07T09:00", GE, "WU", "09:10 file Q|09:20 dispatch L sanitation|09:30 take"
     "|13:20 timeout handle|15:20 feedback|15:30 check|15:50 pass ZH|16:00 close Q"
     "|03-08T10:00 appeal|10:30 forward_appeal L|11:00 grant_appeal Q"),
    ("B3", "03-20T09:00", GW2, "ZH", "09:10 file Z|09:20 dispatch S water|09:30 take|13:20 timeout handle"
     "|15:20 feedback|15:30 check|15:50 pass WU|16:00 close Z|03-31T10:00 appeal"
     "|04-01T09:00 forward_appeal S|04-02T10:00 grant_appeal Z"),
    ("B4", "03-25T09:00", GE, "WU", "09:10 file Q|09:20 dispatch L sanitation|09:30 take"
     "|13:20 timeout handle|04-01T10:00 feedback|10:30 check|10:50 pass ZH|11:00 close Q"),
    ("B5", "03-09T09:00", GW, "hotline", "09:05 accept|09:30 timeout file|09:40 file Q"
     "|09:50 dispatch S water|10:00 take|11:50 feedback|12:00 check|12:20 pass ZH|12:30 close Q"),
    ("B6", "03-10T09:00", GE, "ZH", "09:10 file Z|09:40 timeout dispatch|09:50 dispatch L sanitation"
     "|10:00 take|10:50 feedback|11:00 check|11:20 pass WU|11:30 close Z"),
    ("B7", "03-11T09:00", GW2, "app", "09:05 verify|10:05 timeout verify|10:30 confirm WU|10:40 file Z"
     "|10:50 dispatch S water|11:00 take|12:50 feedback|13:00 check|13:20 pass ZH|13:30 close Z"),
    ("B8", "03-12T09:00", GW, "WU", "09:10 file Q|09:20 dispatch S water|09:30 take|10:20 feedback"
     "|10:30 check|11:30 timeout check|11:40 pass ZH|11:50 close Q"),
    ("B9", "03-13T09:00", GE, "ZH", "09:10 file Q|09:20 dispatch L so-330102001|09:30 take"
     "|10:20 feedback|10:30 check|10:50 pass WU|11:50 timeout close|12:00 close Q"),
    ("C1", "03-16T09:00", GW, "WU", "09:10 file Z|09:20 dispatch S sanitation|09:40 return"
     "|10:00 dispatch L water|10:10 take|12:00 feedback|12:10 check|12:30 pass WU|12:40 close Z"),
    ("C2", "03-17T09:00", GE, "hotline", "09:05 accept|09:10 file Q|09:20 transfer L traffic_police"
     "|10:00 close Q"),
    ("C3", "03-18T09:00", GW, "ZH", "09:10 file Z|09:20 dispatch S water|09:30 take"
     "|11:00 request_extension|11:10 grant_extension S|15:20 feedback|15:30 check|15:50 pass WU"
     "|16:00 close Z"),
    ("C4", "03-19T09:00", GE, "WU", "09:10 file Q|09:20 dispatch L sanitation|09:30 take|11:20 feedback"
     "|11:30 check|12:00 fail ZH|14:00 feedback|14:10 check|15:00 pass ZH|15:30 close Q"),
    ("C5", "03-20T10:00", GW2, "ZH", "10:10 file Z|10:20 dispatch S water|10:30 take|12:20 feedback"
     "|12:30 check|12:50 pass WU|13:00 rework Z|14:00 feedback|14:10 check|14:30 pass WU|14:40 close Z"),
    ("C6", "03-23T09:00", GE, "WU", "09:10 file Z|09:20 dispatch L so-330102001|09:30 take"
     "|10:00 request_hang|10:30 approve_hang Z|11:00 close Z"),
    ("D1", "03-24T09:00", GW, "ZH", "09:10 reject Z"),
    ("D2", "03-24T10:00", GE, "WU", "10:10 merge"),
    ("D3", "03-26T09:00", GE, "ZH", "09:10 file Q|09:20 dispatch L sanitation|10:00 void Q"),
    ("D4", "03-27T09:00", GW, "WU", "09:10 file Z|09:20 dispatch S water|09:30 take|13:20 timeout handle"
     "|14:00 void Z"),
    ("D5", "03-27T10:00", GE, "hotline", "10:05 accept|10:30 void Q"),
    ("D6", "03-30T09:00", GW, "app", "09:05 verify|09:40 not_found ZH|09:50 reject Z"),
    ("E1", "03-30T10:00", GE2, "app", "10:20 self_fix WU|10:40 close Q"),
    ("F1", "02-26T09:00", GW, "ZH", "09:10 file Z|09:20 dispatch S water|09:30 take|11:20 feedback"
     "|11:30 check|11:50 pass WU|12:00 close Z"),
    ("F2", "02-27T09:00", GW, "WU", "09:10 file Z|09:20 dispatch S water|09:30 take|13:20 timeout handle"
     "|03-02T10:00 feedback|10:10 check|10:30 pass ZH|10:40 close Z"),
    ("F3", "03-31T21:00", GE, "ZH", "21:10 file Q|21:20 dispatch L sanitation|21:30 take"
     "|04-01T09:00 feedback|09:10 check|09:30 pass WU|09:40 close Q"),
    ("F4", "04-03T09:00", GE, "WU", "09:10 file Q|09:20 dispatch L sanitation|09:30 take|10:20 feedback"
     "|10:30 check|10:50 pass WU|11:00 close Q"),
    ("F5", "03-31T10:00", GW, "ZH", "10:10 file Z|10:20 dispatch S sanitation|04-01T09:00 return"
     "|09:30 dispatch S water|09:40 take|11:00 feedback|11:10 check|11:30 pass WU|11:40 close Z"),
    ("F6", "03-31T23:00", GW2, "ZH", "23:30 timeout file|04-01T00:10 file Z"),
    ("G1", "03-14T09:00", GW, "ZH", "09:10 file Z|09:40 timeout dispatch|09:50 dispatch S water"
     "|10:00 take|13:50 timeout handle|15:50 feedback|16:00 check|16:20 pass WU|16:30 close Z"
     "|03-15T09:00 appeal|09:30 forward_appeal S|10:00 grant_appeal Z"),
    ("G2", "03-21T09:00", GE, "WU", "09:10 file Q|09:20 dispatch L sanitation|09:30 take"
     "|11:00 request_extension|11:10 grant_extension L|03-22T09:00 timeout handle|10:20 feedback"
     "|10:30 check|10:50 pass ZH|11:00 close Q"),
    ("G3", "03-28T09:00", GW, "hotline", "09:05 accept|09:10 file Q|09:20 dispatch L water|09:40 return"
     "|10:00 transfer S police|10:30 close Q"),
    ("G4", "03-29T09:00", GW2, "ZH", "09:10 file Z|09:20 dispatch S water|09:30 take"
     "|13:20 timeout handle|13:30 appeal|13:40 forward_appeal S|03-30T09:00 grant_appeal Z"
     "|04-03T10:00 feedback"),
]  # fmt: skip

# (object kind, key, rate, numerator, denominator) of March 2026, worked out by hand from MONTH.
EXPECTED = [
    # handling, due at the first feedback or the handling timeout: 13 water cases (A1 A3 A5 B1 B3
    # B5 B7 B8 C1 C3 C5 G1 G4; G4 never fed back in March, B1 B3 late, G1 appealed in March),
    # 6 sanitation (A2 B2 B4 B6 C4 G2; B4 overdue, G2 late, B2 appealed), 3 street office (A4 A6
    # B9); D4 was due but voided; hours from the dispatch that reached the department
    ("department", W, "handled", 12, 13),
    ("department", W, "handled_on_time", 10, 13),
    ("department", W, "extended", 1, 13),  # C3
    ("department", W, "overdue_pending", 0, 13),  # G4's appeal was granted
    ("department", W, "mean_handling", 2 + 3 + 2 + 6 + 6 + 2 + 2 + 1 + 2 + 6 + 2 + 6, 12),
    ("department", SA, "handled", 5, 6),
    ("department", SA, "handled_on_time", 4, 6),
    ("department", SA, "extended", 1, 6),  # G2
    ("department", SA, "overdue_pending", 1, 6),  # B4
    ("department", SA, "mean_handling", 4 + 6 + 1 + 2 + 25, 5),
    ("department", SO, "handled", 3, 3),
    ("department", SO, "handled_on_time", 3, 3),
    ("department", SO, "mean_handling", 3, 3),
    # closing, due at the close or the first timeout: water A1 A3 A5 B1 B3 B8 C1 C3 C5 G4,
    # sanitation A2 B2 B4 C4 G2, street office A4 A6 B9 C6, agencies C2 G3; no department yet
    # when the first timeout came (B5 B6 B7 G1) or none at all (E1)
    ("department", W, "closed", 9, 10),
    ("department", W, "closed_on_time", 6, 10),
    ("department", W, "reworked", 1, 10),  # C5
    ("department", SA, "closed", 4, 5),
    ("department", SA, "closed_on_time", 3, 5),
    ("department", SA, "reworked", 1, 5),  # C4
    ("department", SO, "closed", 4, 4),
    ("department", SO, "closed_on_time", 3, 4),  # B9 closed late
    ("department", "traffic_police", "closed", 1, 1),
    ("department", "police", "closed_on_time", 1, 1),
    ("department", "", "closed", 5, 5),
    ("department", "", "closed_on_time", 2, 5),  # E1, G1
    # shift leads: whoever filed (F3 F5 filed in March, F6 in April)
    ("lead", Z, "filed_on_time", 15, 15),
    ("lead", Z, "filed_accurately", 14, 15),  # D4 voided
    ("lead", Z, "closed", 12, 13),
    ("lead", Z, "closed_on_time", 8, 13),
    ("lead", Z, "reworked", 1, 13),
    ("lead", Q, "filed_on_time", 13, 14),  # B5 filed late
    ("lead", Q, "filed_accurately", 13, 14),  # D3 voided
    ("lead", Q, "closed", 11, 12),
    ("lead", Q, "closed_on_time", 7, 12),
    ("lead", Q, "reworked", 1, 12),
    ("lead", "", "closed_on_time", 1, 1),  # E1, fixed on the spot: nobody filed it
    # dispatchers: whoever first dispatched or transferred (C1 and G3 returned; F5 returned in April)
    ("dispatcher", S, "dispatched_accurately", 14, 15),
    ("dispatcher", S, "dispatched_on_time", 15, 15),  # G1 late, appealed
    ("dispatcher", L, "dispatched_accurately", 13, 14),
    ("dispatcher", L, "dispatched_on_time", 13, 14),  # B6
    # inspectors: their reports decided in March (D1 rejected, D2 merged), their tasks answered
    ("inspector", ZH, "valid_reports", 13, 14),
    ("inspector", WU, "valid_reports", 11, 12),
    ("inspector", ZH, "verified_on_time", 1, 1),  # D6
    ("inspector", WU, "verified_on_time", 0, 1),  # B7
    ("inspector", ZH, "checked_on_time", 9, 10),  # B8 late; F2's check was in March
    ("inspector", WU, "checked_on_time", 11, 11),
    # areas
    ("district", DW, "handled", 12, 13),
    ("district", DW, "handled_on_time", 10, 13),
    ("district", DW, "extended", 1, 13),
    ("district", DW, "overdue_pending", 0, 13),
    ("district", DW, "mean_handling", 40, 12),
    ("district", DW, "closed", 13, 14),
    ("district", DW, "closed_on_time", 8, 14),
    ("district", DW, "reworked", 1, 14),
    ("district", DW, "dispatched_accurately", 14, 16),
    ("district", DW, "dispatched_on_time", 16, 16),
    ("district", DW, "filed_on_time", 15, 16),
    ("district", DW, "valid_reports", 12, 13),
    ("district", DE, "handled", 8, 9),
    ("district", DE, "handled_on_time", 7, 9),
    ("district", DE, "extended", 1, 9),
    ("district", DE, "overdue_pending", 1, 9),
    ("district", DE, "mean_handling", 41, 8),
    ("district", DE, "closed", 11, 12),
    ("district", DE, "closed_on_time", 8, 12),
    ("district", DE, "reworked", 1, 12),
    ("district", DE, "dispatched_accurately", 13, 13),
    ("district", DE, "dispatched_on_time", 12, 13),
    ("district", DE, "filed_on_time", 13, 13),
    ("district", DE, "valid_reports", 12, 13),
    ("street", SW, "handled", 12, 13),
    ("street", SE, "overdue_pending", 1, 9),
    ("grid", GW2, "handled", 4, 5),  # A3 B3 B7 C5, not G4
    # the city
    ("city", CITY, "handled", 20, 22),
    ("city", CITY, "handled_on_time", 17, 22),
    ("city", CITY, "extended", 2, 22),
    ("city", CITY, "overdue_pending", 1, 22),
    ("city", CITY, "mean_handling", 81, 20),
    ("city", CITY, "closed", 24, 26),
    ("city", CITY, "closed_on_time", 16, 26),
    ("city", CITY, "reworked", 2, 26),
    ("city", CITY, "dispatched_accurately", 27, 29),
    ("city", CITY, "dispatched_on_time", 28, 29),
    ("city", CITY, "filed_on_time", 28, 29),
    ("city", CITY, "filed_accurately", 27, 29),
    ("city", CITY, "valid_reports", 24, 26),
    ("city", CITY, "verified_on_time", 1, 2),
    ("city", CITY, "checked_on_time", 20, 21),
    ("city", CITY, "satisfied", 0, 0),  # nothing records satisfaction yet: not applicable
]


def moment(text: str) -> float:
    """ "03-05T09:10" in 2026, in the city's time zone."""
    return datetime.fromisoformat(f"2026-{text}").replace(tzinfo=TZ).timestamp()


def play(city: City, row: tuple[str, str, str, str, str], before: float = float("inf")) -> Story:
    """The story of a row of MONTH; ``before``: only its events before then."""
    case_id, reported, grid, who, steps = row
    source, reporter = ("inspector", PEOPLE[who]) if who in PEOPLE else (who, "")
    story = Story(city.workflow, case_id, moment(reported), grid, source, reporter)
    day = reported[:5]
    for step in steps.split("|"):
        when, action, *rest = step.split()
        if "T" in when:
            day, when = when.split("T")
        at = moment(f"{day}T{when}")
        if at >= before:
            break
        if action == "timeout":
            story.timeout(at, rest[0])
            continue
        actor = PEOPLE[rest[0]] if rest else ("intake" if action in INTAKE else f"h-{story.department}")
        story.step(at, action, actor, rest[1] if len(rest) > 1 else "", "why")
    return story


def engine_of(city: City, before: float = float("inf")) -> KpiEngine:
    engine = KpiEngine(city, PATROLS)
    engine.load((story.case(), story.events) for story in (play(city, row, before) for row in MONTH))
    return engine


@pytest.fixture(scope="module")
def city() -> City:
    built, problems = build(tiny_city())
    assert not problems
    return built


@pytest.fixture(scope="module")
def engine(city: City) -> KpiEngine:
    return engine_of(city)


@pytest.fixture(scope="module")
def march(engine: KpiEngine) -> dict[str, Figures]:
    return engine.figures(engine.period("2026-03"))


# ---------------------------------------------------------------------------
# The hand-computed month


@pytest.mark.parametrize(("objects", "key", "rate", "numerator", "denominator"), EXPECTED)
def test_every_rate_against_the_hand_computed_month(
    march: dict[str, Figures], objects: str, key: str, rate: str, numerator: float, denominator: int
) -> None:
    figure = march[objects].figure(key, rate)
    assert (figure.numerator, figure.denominator) == pytest.approx((numerator, denominator))


def test_the_table_covers_every_rate_for_the_city_and_every_kind_of_object() -> None:
    assert {rate for objects, _, rate, _, _ in EXPECTED if objects == "city"} == set(RATE_OBJECTS)
    assert {objects for objects, *_ in EXPECTED} == set(OBJECTS)


def test_a_figure_is_the_cases_behind_it(engine: KpiEngine, march: dict[str, Figures]) -> None:
    period = engine.period("2026-03")
    cases, hits = engine.behind(period, "department", SA, "handled_on_time")
    assert sorted(cases) == ["A2", "B2", "B4", "B6", "C4", "G2"] and sorted(hits) == ["A2", "B2", "B6", "C4"]
    cases, hits = engine.behind(period, "dispatcher", L, "dispatched_accurately")
    assert len(cases) == 14 and set(cases) - set(hits) == {"G3"}
    for objects, key, rate, numerator, denominator in EXPECTED:
        if rate != "mean_handling":
            cases, hits = engine.behind(period, objects, key, rate)
            assert (len(hits), len(cases)) == (numerator, denominator), (objects, key, rate)


def test_values_and_not_applicable(march: dict[str, Figures]) -> None:
    city = march["city"]
    assert city.figure(CITY, "mean_handling").value == pytest.approx(81 / 20)  # hours
    assert city.figure(CITY, "handled").value == pytest.approx(20 / 22)
    assert city.figure(CITY, "satisfied").value is None
    assert np.isnan(city.values("satisfied")).all()
    assert march["department"].figure("parks", "handled").value is None  # no case this month
    with pytest.raises(KeyError):
        march["department"].figure(W, "valid_reports")  # not charged to departments


# ---------------------------------------------------------------------------
# As of a time, and appeals


def test_events_after_the_period_do_not_change_its_figures(city: City, march: dict[str, Figures]) -> None:
    """March as the hub knew it on the evening of 31 March, and as it is long after."""
    then = engine_of(city, before=moment("04-01T00:00"))
    again = then.figures(then.period("2026-03"))
    for objects, figures in march.items():
        assert again[objects].keys == figures.keys
        for rate in figures.denominators:
            assert (again[objects].denominators[rate] == figures.denominators[rate]).all()
            assert np.allclose(again[objects].numerators[rate], figures.numerators[rate])


def test_the_live_month_counts_only_what_happened_before_now(engine: KpiEngine) -> None:
    live = engine.figures(engine.period("2026-03"), as_of=moment("03-20T12:00"))["city"]
    # handling due by then: A1-A6, B1 B2 B5-B9, C1 C3 C4, G1; B3 runs late at 13:20, C5 feeds back at 12:20
    assert (live.figure(CITY, "handled").numerator, live.figure(CITY, "handled").denominator) == (17, 17)
    assert live.as_of == moment("03-20T12:00")


def test_a_granted_appeal_stops_the_case_counting_as_late(city: City, engine: KpiEngine) -> None:
    """B3's handling ran late on 20 March; its appeal was granted on 2 April: late in March's
    report, on time as seen after the grant; its record keeps the lateness."""
    spring = Period(moment("03-20T00:00"), moment("04-10T00:00"), "20 March - 10 April")
    for rate in ("handled_on_time", "closed_on_time"):
        due, before = engine.behind(spring, "city", CITY, rate, as_of=moment("04-02T09:00"))
        _, after = engine.behind(spring, "city", CITY, rate, as_of=moment("04-02T11:00"))
        assert "B3" in due and "B3" not in before and set(after) - set(before) == {"B3"}
    assert play(city, MONTH[8]).case().late == "handle"
    # G4: overdue until its appeal was granted on 30 March
    _, overdue = engine.behind(
        engine.period("2026-03"), "city", CITY, "overdue_pending", moment("03-30T08:00")
    )
    _, still = engine.behind(engine.period("2026-03"), "city", CITY, "overdue_pending")
    assert sorted(overdue) == ["B4", "G4"] and still == ["B4"]


def test_an_update_replaces_the_cases_facts(city: City) -> None:
    engine = engine_of(city)
    b4 = play(city, MONTH[9])
    engine.update(b4.case(), b4.events[:4])  # as it was before its timeout
    march = engine.figures(engine.period("2026-03"))["department"]
    assert march.figure(SA, "overdue_pending").denominator == 5 and len(engine) == len(MONTH)


# ---------------------------------------------------------------------------
# Composite scores and grades


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("department", [(W, 87.076923, "B"), (SA, 73.0, "C")]),  # agencies and street offices apart
        ("street_office", [(SO, 100.0, "A")]),
        ("lead", [(Z, 83.871795, "B"), (Q, 80.773810, "B")]),
        ("dispatcher", [(S, 97.333333, "A"), (L, 92.952381, "A")]),
        ("district", [(DW, 90.879121, "A"), (DE, 87.222222, "B")]),
        # ins-zheng patrols the whole city and reported nothing: only the missed reports apply
        ("inspector", [(ZH, 81.809524, "B"), (WU, 73.333333, "C"), ("ins-zheng", 0.0, "E")]),
    ],
)
def test_composite_scores_and_grades_from_the_weights(
    engine: KpiEngine, march: dict[str, Figures], scheme: str, expected: list[tuple[str, float, str]]
) -> None:
    found = engine.ranking(march[engine.city.kpis.schemes[scheme].object], engine.city.kpis.schemes[scheme])
    assert [(s.key, s.grade) for s in found] == [(key, grade) for key, _, grade in expected]
    assert [s.total for s in found] == pytest.approx([total for _, total, _ in expected], abs=1e-5)


def test_a_part_scores_each_way(engine: KpiEngine, march: dict[str, Figures]) -> None:
    """Rates as shares, inverted rates, counts against the most in the peer group, missed reports."""
    inspectors = {
        s.key: s.parts for s in engine.ranking(march["inspector"], engine.city.kpis.schemes["inspector"])
    }
    assert inspectors[WU] == pytest.approx([100 * 11 / 12, 100 * (1 - 1 / 6), 0.0, 100.0])
    assert inspectors["ins-zheng"] == (None, 0.0, None, None)  # 6 missed: the most
    departments = engine.ranking(march["department"], engine.city.kpis.schemes["department"])
    assert departments[1].parts == pytest.approx([50.0, 80.0, 100 * 4 / 6, 80.0])


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (90, "A"), (89.99, "B"), (75, "B"), (60, "C"), (40, "D"), (39.9, "E"), (0, "E")],
)
def test_the_default_grade_bands(city: City, score: float, grade: str) -> None:
    assert city.kpis.grade(score) == grade


def test_a_city_grades_with_its_own_bands() -> None:
    bands = Kpis(grades=(Grade("优秀", 85, 100), Grade("合格", 60, 85), Grade("不合格", 0, 60)))
    assert [bands.grade(s) for s in (100, 86, 84.5, 12)] == ["优秀", "优秀", "合格", "不合格"]


# ---------------------------------------------------------------------------
# Bad definitions: each a problem naming file, entry and rule, never a crash


def kpis_table(change: Any) -> dict[str, Any]:
    table = copy.deepcopy(tiny_city()["kpis.json"])
    change(table)
    return table


def scheme(table: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in table["schemes"] if s["code"] == code)


def part(table: dict[str, Any], code: str, n: int = 0) -> dict[str, Any]:
    parts: list[dict[str, Any]] = scheme(table, code)["parts"]
    return parts[n]


def band(table: dict[str, Any], grade: str) -> dict[str, Any]:
    return next(g for g in table["grades"] if g["grade"] == grade)


CHECKED = [
    # a scheme naming a rate the table does not have
    (lambda t: part(t, "department", 1).update(rate="closing"), "scheme department", "rate-unknown"),
    # weights adding up to 110
    (lambda t: part(t, "lead").update(weight=35), "scheme lead", "weights-sum"),
    # B reaching up to 92 over A's 90
    (lambda t: band(t, "B").update(to=92), "grade A", "grade-overlap"),
    # B ending at 85: 85-90 has no grade
    (lambda t: band(t, "B").update(to=85), "grade A", "grade-gap"),
    (lambda t: t["grades"].remove(band(t, "A")), "grades", "grade-gap"),
    # a rate the hub does not count
    (lambda t: t["rates"].append({"code": "happiness", "name": "幸福率"}), "rate happiness", "rate-unknown"),
    # a shift lead is not charged with handling
    (lambda t: part(t, "lead").update(rate="handled"), "scheme lead", "rate-object"),
    # a mean in hours is not a share
    (lambda t: part(t, "district").update(rate="mean_handling"), "scheme district", "rate-not-share"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "where", "rule"), CHECKED)
def test_a_bad_definition_is_a_problem_of_the_check(change: Any, where: str, rule: str) -> None:
    city, problems = build({**tiny_city(), "kpis.json": kpis_table(change)})
    assert not problems
    found = [p for p in check(city) if p.file == "kpis.json"]
    assert [(p.where, p.rule) for p in found] == [(where, rule)], found


@pytest.mark.parametrize(
    ("change", "where", "rule"),
    [
        (lambda t: part(t, "department").update(weight="ten"), "scheme 0 (department)", "schema-type"),
        (lambda t: part(t, "district").update(count="handled"), "scheme 2 (district)", "schema-oneOf"),
        (lambda t: scheme(t, "lead").update(object="mayor"), "scheme 5 (lead)", "schema-enum"),
        (lambda t: t["rates"].append(copy.deepcopy(t["rates"][0])), "rate handled", "code-duplicate"),
    ],
)  # fmt: skip
def test_a_schema_broken_scheme_is_named_and_left_out(change: Any, where: str, rule: str) -> None:
    city, problems = build({**tiny_city(), "kpis.json": kpis_table(change)})
    assert [(p.file, p.where, p.rule) for p in problems] == [("kpis.json", where, rule)]
    assert "inspector" in city.kpis.schemes and len(city.kpis.schemes) == 6 - (rule != "code-duplicate")


def test_a_schema_broken_band_or_rate_leaves_the_default_table() -> None:
    city, problems = build({**tiny_city(), "kpis.json": kpis_table(lambda t: band(t, "C").update(to=120))})
    assert [(p.where, p.rule) for p in problems] == [("grades/2/to", "schema-maximum")]
    assert city.kpis.grade(92) == "A" and len(city.kpis.rates) == 16


def test_a_folder_with_a_bad_evaluation_is_refused_with_the_problem(tmp_path: Path) -> None:
    change = CHECKED[1][0]
    documents = {**tiny_city(), "kpis.json": kpis_table(change)}
    with pytest.raises(CityError) as refused:
        open_folder(write(tmp_path / "city", documents))
    assert Problem("kpis.json", "scheme lead", "weights-sum", "its weights add up to 110, not 100") in (
        refused.value.problems
    )


def test_the_shipped_table_and_the_engine_agree() -> None:
    shipped = json.loads((Path(__file__).parents[1] / "feeds/city/defaults/kpis.json").read_text("utf-8"))
    assert [r["code"] for r in shipped["rates"]] == list(RATE_OBJECTS) == list(RATES)
    for code, rate in RATES.items():
        assert {o for o in OBJECTS if rate.owner(o)} == RATE_OBJECTS[code], code
    assert set(AREAS) <= set(OBJECTS)


# ---------------------------------------------------------------------------
# Periods


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-03", "03-01T00:00", "04-01T00:00"),
        ("2026-W10", "03-02T00:00", "03-09T00:00"),  # ISO week 10: Monday 2 March
        ("2026-03-05", "03-05T00:00", "03-06T00:00"),
    ],
)
def test_periods_in_the_citys_time_zone(text: str, start: str, end: str) -> None:
    period = Period.parse(text, TZ)
    assert (period.start, period.end, period.label) == (moment(start), moment(end), text)
    assert period.previous(TZ).end == period.start


@pytest.mark.parametrize("text", ["2026-13", "2026-W54", "2026-3", "March", "2026-02-30"])
def test_a_period_in_a_bad_format_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-Www"):
        Period.parse(text, TZ)


# ---------------------------------------------------------------------------
# Properties of random cases


class Drawn:
    """A walk's choices drawn by hypothesis."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def pick(self, options: Sequence[str]) -> str:
        return self.data.draw(st.sampled_from(list(options)))

    def minutes(self) -> float:
        return self.data.draw(st.integers(0, 3 * 24 * 60))


CAST = Cast(
    grids=[GW, GW2, GE, GE2],
    inspectors=[ZH, WU],
    leads=[Z, Q],
    dispatchers=[S, L],
    departments={"department": [W, SA], "street_office": [SO], "agency": ["police"]},
)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_kind_of_object_adds_up_to_the_city_and_rates_are_shares(
    city: City, data: st.DataObject
) -> None:
    start = moment("03-01T00:00")
    stories = [
        walk(city.workflow, CAST, f"H{n}", start + 3600 * data.draw(st.integers(0, 240)), Drawn(data))
        for n in range(data.draw(st.integers(1, 12)))
    ]
    engine = KpiEngine(city, PATROLS)
    engine.load((story.case(), story.events) for story in stories)
    begin = start + 3600 * data.draw(st.integers(0, 200))
    period = Period(begin, begin + 3600 * data.draw(st.integers(1, 400)), "some hours")
    as_of = data.draw(st.none() | st.floats(period.start, period.end + 86_400))
    figures = engine.figures(period, as_of)
    whole = figures["city"]
    for objects, found in figures.items():
        for rate, denominators in found.denominators.items():
            numerators = found.numerators[rate]
            assert denominators.sum() == whole.denominators[rate].sum(), (objects, rate)
            assert numerators.sum() == pytest.approx(whole.numerators[rate].sum()), (objects, rate)
            if rate not in NOT_SHARES:
                assert ((numerators >= 0) & (numerators <= denominators)).all(), (objects, rate)
    # the cases behind each city figure are as many as it counts, and what came later changes nothing
    cut = KpiEngine(city, PATROLS)
    cut.load((s.case(), [e for e in s.events if e.at < whole.as_of]) for s in stories)
    again = cut.figures(period, as_of)["city"]
    for rate in RATES:
        cases, hits = engine.behind(period, "city", CITY, rate, as_of)
        assert len(cases) == whole.denominators[rate].sum()
        if rate not in NOT_SHARES:
            assert len(hits) == whole.numerators[rate].sum() and set(hits) <= set(cases)
        assert (again.denominators[rate] == whole.denominators[rate]).all()
        assert np.allclose(again.numerators[rate], whole.numerators[rate])


# ---------------------------------------------------------------------------
# The benchmark runs (its figures are for `make bench`, not for the tests)


def test_the_benchmark_runs_at_a_tiny_size() -> None:
    figures = measure_kpis(cases=300, updates=20, repeats=1)
    assert figures["kpis_cases"] == 300 and figures["kpis_events"] > 600
    assert all(value > 0 for value in figures.values())
    assert {"kpis_recompute_ms", "kpis_update_ms_p99"} <= set(AIMS)
