"""The crew's inspectors on foot: they start in the district they patrol, walk at a walking pace,
go to the case they are sent to and work there, and say so in the fixes their apps send."""

from __future__ import annotations

import numpy as np
import shapely

from feeds.city import demo
from feeds.domain import VEHICLE_KINDS
from feeds.sim.patrol import WALK_M_S, Patrol
from feeds.sim.people import People

CITY = demo().city
INSPECTORS = list(People(CITY, seed=1, roles=("inspector",)).inspectors.values())
NOW = 1_794_967_200.0


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    x, y = CITY.project(np.array([a[0], b[0]]), np.array([a[1], b[1]]))
    return float(np.hypot(x[1] - x[0], y[1] - y[0]))


def test_inspectors_start_in_their_district_and_declare_their_devices() -> None:
    patrol = Patrol(CITY, INSPECTORS, seed=1)
    fixes = patrol.fixes(NOW)
    assert [f.vehicle_id for f in fixes] == [m.login for m in INSPECTORS]
    for member, fix in zip(INSPECTORS, fixes, strict=True):
        district = CITY.area(member.scope)
        assert district is not None and shapely.contains_xy(district.shape, fix.lon, fix.lat)
    assert {(d.id, d.kind) for d in patrol.declarations()} == {(m.login, "inspector") for m in INSPECTORS}


def test_an_inspector_sent_to_a_case_walks_there_at_a_walking_pace_and_works_on_site() -> None:
    patrol = Patrol(CITY, INSPECTORS, seed=1)
    walker = INSPECTORS[0].login
    start = patrol.fixes(NOW)[0]
    site = (start.lon + 0.01, start.lat)  # about 1 km east
    away = metres((start.lon, start.lat), site)
    patrol.walk(60.0, {walker: site})
    after_a_minute = patrol.fixes(NOW + 60)[0]
    walked = metres((start.lon, start.lat), (after_a_minute.lon, after_a_minute.lat))
    assert abs(walked - 60.0 * WALK_M_S) < 1.0 and after_a_minute.status == "moving"
    assert after_a_minute.speed == VEHICLE_KINDS["inspector"].speed_kmh
    assert 80 <= after_a_minute.heading <= 100  # east
    for _ in range(30):
        patrol.walk(60.0, {walker: site})
    there = patrol.fixes(NOW + 1860)[0]
    assert metres((there.lon, there.lat), site) < 1.0 and away > 900
    patrol.walk(60.0, {walker: site})
    working = patrol.fixes(NOW + 1920)[0]
    assert (working.status, working.speed) == ("working", 0.0)


def test_inspectors_without_a_task_keep_walking_in_their_district() -> None:
    patrol = Patrol(CITY, INSPECTORS, seed=1)
    first = patrol.fixes(NOW)
    for _ in range(120):
        patrol.walk(60.0, {})
    later = patrol.fixes(NOW + 7200)
    assert all(f.status == "moving" for f in later)
    assert all(metres((a.lon, a.lat), (b.lon, b.lat)) > 0 for a, b in zip(first, later, strict=True))
    for member, fix in zip(INSPECTORS, later, strict=True):  # the straight way between two points of
        district = CITY.area(member.scope)  # a district may cross a bay of another: allow a little
        assert district is not None
        assert shapely.distance(district.shape, shapely.Point(fix.lon, fix.lat)) < 0.01
