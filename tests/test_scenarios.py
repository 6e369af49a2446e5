"""The simulator's scenarios: what each one brings shows in the play's items, and the rainstorm,
played through a hub core, raises the alarms it is there to show (a muck truck off its route, a
chattering sensor, a silent one)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from console.cli import SCENARIOS as CLI_SCENARIOS
from console.cli import build_parser
from feeds.city import City, demo
from feeds.city.fleet import Fence
from feeds.hub.core import SILENCE_CHECK_S, HubCore
from feeds.hub.store import Store
from feeds.sim import texts, world
from feeds.sim.placement import FLEET_COUNTS, PLATE_LETTERS, fleet
from feeds.sim.world import SCENARIOS, CityPlay
from feeds.wire import Fix, Reading, Report
from tests.hubkit import Clock

START = 1_795_000_000.0
SECONDS = 300  # each scenario's play, at 200 messages a second


@pytest.fixture(scope="module")
def city() -> City:
    return demo().city


@pytest.fixture(scope="module")
def plays(city: City) -> dict[str, list[Any]]:
    """Five minutes of every scenario, seed 1."""
    return {scenario: run(CityPlay(city, scenario, 1, 200.0, START), SECONDS) for scenario in SCENARIOS}


def run(play: CityPlay, seconds: float) -> list[Any]:
    items: list[Any] = []
    for _ in range(round(seconds)):
        items += play.step(1.0)
    return items


def local(city: City, shape: BaseGeometry) -> BaseGeometry:
    """A lon/lat shape in the city's metres."""
    return shapely.transform(shape, lambda lonlat: np.column_stack(city.project(lonlat[:, 0], lonlat[:, 1])))


def metres_from(city: City, shape: BaseGeometry, lon: Iterable[float], lat: Iterable[float]) -> np.ndarray:
    x, y = city.project(np.array(list(lon)), np.array(list(lat)))
    distance: np.ndarray = shapely.distance(local(city, shape), shapely.points(x, y))
    return distance


def readings_by_sensor(items: list[Any]) -> dict[str, list[Reading]]:
    found: dict[str, list[Reading]] = {}
    for item in items:
        if isinstance(item, Reading):
            found.setdefault(item.sensor_id, []).append(item)
    return found


def peaks(city: City, items: list[Any], kind: str) -> dict[str, float]:
    """The highest reading of each sensor of a class."""
    kinds = {site.id: site.kind for site in city.sensors}
    return {
        sensor: max(r.value for r in readings)
        for sensor, readings in readings_by_sensor(items).items()
        if kinds[sensor] == kind
    }


def route(city: City) -> Fence:
    (fence,) = [f for f in city.fences if f.rule == "route"]
    return fence


def fixes_of(items: list[Any], vehicle_id: str) -> list[Fix]:
    return [item for item in items if isinstance(item, Fix) and item.vehicle_id == vehicle_id]


def off_route_m(city: City, fixes: list[Fix]) -> np.ndarray:
    return metres_from(city, route(city).shape, (f.lon for f in fixes), (f.lat for f in fixes))


# ---------------------------------------------------------------------------
# Every scenario


def test_every_scenario_is_offered_and_has_its_reports() -> None:
    assert SCENARIOS == ("normal", "rainstorm", "snow", "gas-leak")
    assert CLI_SCENARIOS == SCENARIOS
    assert set(texts.CATEGORIES) == set(texts.REPORTS_PER_S) == set(SCENARIOS)
    for command in ("sim", "demo"):
        assert build_parser().parse_args([command, "--scenario", "gas-leak"]).scenario == "gas-leak"


def test_the_ploughs_joined_the_fleet_and_every_earlier_plate_stayed(city: City) -> None:
    units = fleet(city)
    assert [u.kind for u in units[-FLEET_COUNTS["plough"] :]] == ["plough"] * FLEET_COUNTS["plough"]
    # The first fleet's plates, drawn as they were before the ploughs came.
    first = len(units) - FLEET_COUNTS["plough"]
    rng = np.random.default_rng(2_718)
    numbers, letters = rng.choice(10_000, first, replace=False), rng.choice(list(PLATE_LETTERS), first)
    assert [u.plate for u in units[:first]] == [
        f"{city.plate_prefix}·{a}{n:04d}" for a, n in zip(letters, numbers, strict=True)
    ]
    assert len({u.plate for u in units}) == len(units)


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s != "rainstorm"])
def test_a_vehicle_given_a_route_keeps_to_the_road_under_it(
    city: City, plays: dict[str, list[Any]], scenario: str
) -> None:
    (vehicle,) = route(city).vehicles
    fixes = fixes_of(plays[scenario], vehicle)
    assert len(fixes) > 50
    assert off_route_m(city, fixes).max() < route(city).width_m


def test_the_route_vehicle_drives_back_and_forth_along_it(city: City) -> None:
    fence = route(city)
    (vehicle,) = fence.vehicles
    fixes = fixes_of(run(CityPlay(city, "normal", 1, 200.0, START), 1800), vehicle)
    assert off_route_m(city, fixes).max() < fence.width_m
    line = local(city, fence.shape)
    x, y = city.project(np.array([f.lon for f in fixes]), np.array([f.lat for f in fixes]))
    along = shapely.line_locate_point(line, shapely.points(x, y))
    assert np.ptp(along) > 3_000  # it covers the road, not one block
    heading_east = np.diff(along[[f.speed > 0 for f in fixes]]) > 0
    assert heading_east.any() and not heading_east.all()  # and turns back


# ---------------------------------------------------------------------------
# Rainstorm


def test_in_the_rainstorm_the_muck_truck_turns_off_its_route_and_stays_off(
    city: City, plays: dict[str, list[Any]]
) -> None:
    fence = route(city)
    (vehicle,) = fence.vehicles
    fixes = fixes_of(plays["rainstorm"], vehicle)
    ts = np.array([f.ts for f in fixes]) - START
    off = off_route_m(city, fixes) > fence.width_m
    assert not off[ts < world.SCENES["rainstorm"].off_route_from].any()
    left = ts[np.argmax(off)]
    assert left < 150  # at the first crossing after half a minute
    # Off the route for longer than the fence's on-delay, and more: for the rest of the play.
    assert off[ts >= left].all() and ts[-1] - left > fence.on_delay_s


def alarm_episodes(readings: list[Reading], warning: float, deadband: float) -> list[tuple[float, float]]:
    """(first, last) time of each run of readings at or over ``warning``, each ended by a reading
    back below the deadband, as the hub sees them."""
    episodes: list[tuple[float, float]] = []
    high = False
    for r in readings:
        if r.value >= warning:
            if not high:
                episodes.append((r.ts, r.ts))
            episodes[-1] = (episodes[-1][0], r.ts)
            high = True
        elif r.value < warning * (1 - deadband):
            high = False
    return episodes


def test_in_the_rainstorm_one_sensor_chatters_over_its_alarm_limit(
    city: City, plays: dict[str, list[Any]]
) -> None:
    spec_of = {site.id: city.sensor_class(site.id, site.kind) for site in city.sensors}
    episodes = {
        sensor: alarm_episodes(readings, spec_of[sensor].warning, spec_of[sensor].deadband)
        for sensor, readings in readings_by_sensor(plays["rainstorm"]).items()
    }
    chattering = max(episodes, key=lambda sensor: len(episodes[sensor]))
    spec, swings = spec_of[chattering], episodes[chattering]
    assert spec.code in world.CHATTERING_CLASSES
    # Raised (over the limit for the on-delay) and cleared (back for the off-delay) again and
    # again, often enough within the class's window for the hub to call it chattering.
    assert all(last - first >= spec.on_delay_s for first, last in swings[:-1])
    assert all(after[0] - before[1] > spec.off_delay_s for before, after in itertools.pairwise(swings))
    starts = [first for first, _ in swings]
    assert starts[spec.chatter_count - 1] - starts[0] < spec.chatter_window_s
    assert starts[spec.chatter_count - 1] - START < 240
    assert max(r.value for r in readings_by_sensor(plays["rainstorm"])[chattering]) > spec.alarm
    assert max(len(found) for sensor, found in episodes.items() if sensor != chattering) < spec.chatter_count


def test_in_the_rainstorm_one_sensor_falls_silent_after_a_minute(
    city: City, plays: dict[str, list[Any]]
) -> None:
    last = {
        sensor: readings[-1].ts - START for sensor, readings in readings_by_sensor(plays["rainstorm"]).items()
    }
    assert len(last) == len(city.sensors)
    silent = [sensor for sensor, at in last.items() if at < SECONDS - 30]
    assert len(silent) == 1
    assert 55 < last[silent[0]] < world.SCENES["rainstorm"].silent_from  # it spoke till then
    spec = city.sensor_class(silent[0], next(s.kind for s in city.sensors if s.id == silent[0]))
    assert spec.offline_s == min(c.offline_s for c in city.sensor_classes.values())  # the soonest to show


def test_in_the_rainstorm_a_tunnel_and_manholes_fill_and_covers_lift(
    city: City, plays: dict[str, list[Any]]
) -> None:
    classes = city.sensor_classes
    for kind, flooded in (("tunnel_water", 1), ("manhole_water", 3)):
        storm = peaks(city, plays["rainstorm"], kind)
        assert sum(v > classes[kind].alarm for v in storm.values()) >= flooded, kind
    assert max(peaks(city, plays["normal"], "tunnel_water").values()) < classes["tunnel_water"].warning
    # Covers lift now and then on any day, three times as often in a storm.
    assert max(peaks(city, plays["rainstorm"], "manhole_tilt").values()) > classes["manhole_tilt"].alarm


# ---------------------------------------------------------------------------
# Snow


def test_snow_brings_icy_road_reports_on_the_streets(city: City, plays: dict[str, list[Any]]) -> None:
    def icy(scenario: str) -> list[Report]:
        return [r for r in plays[scenario] if isinstance(r, Report) and r.category == "10001"]

    reports = icy("snow")
    assert len(reports) > 30 and len(reports) > 10 * max(1, len(icy("normal")))  # some every minute
    assert np.diff([r.ts for r in reports]).max() < 60
    roads = shapely.union_all([road.shape for road in city.roads])
    assert metres_from(city, roads, (r.lon for r in reports), (r.lat for r in reports)).max() < 100


def test_snow_sends_the_ploughs_out_working_slowly(city: City, plays: dict[str, list[Any]]) -> None:
    ploughs = {u.id for u in fleet(city) if u.kind == "plough"}

    def statuses(scenario: str) -> Counter[str]:
        return Counter(f.status for f in plays[scenario] if isinstance(f, Fix) and f.vehicle_id in ploughs)

    snow, normal = statuses("snow"), statuses("normal")
    assert snow["working"] > 0.6 * snow.total() and normal["idle"] > 0.6 * normal.total()
    working = [
        f.speed
        for f in plays["snow"]
        if isinstance(f, Fix) and f.vehicle_id in ploughs and f.status == "working"
    ]
    assert 5 < np.median(working) < city.fleet["plough"].speed_kmh / 2


def test_snow_strains_the_heat_supply(city: City, plays: dict[str, list[Any]]) -> None:
    for kind in ("heating_temperature", "heating_pressure"):
        spec = city.sensor_classes[kind]
        snow, normal = peaks(city, plays["snow"], kind), peaks(city, plays["normal"], kind)
        assert sum(v > spec.warning for v in snow.values()) >= 1 and max(normal.values()) < spec.warning
        assert np.median(list(snow.values())) > np.median(list(normal.values()))


# ---------------------------------------------------------------------------
# Gas leak


def test_a_gas_leak_climbs_past_the_alarm_limits_and_spreads(city: City, plays: dict[str, list[Any]]) -> None:
    spec = city.sensor_classes["gas"]
    assert (spec.warning, spec.alarm) == (20, 35)
    sites = {site.id: site for site in city.sensors}
    gas = {s: found for s, found in readings_by_sensor(plays["gas-leak"]).items() if sites[s].kind == "gas"}

    def first_over(sensor: str, limit: float) -> float:
        return next((r.ts - START for r in gas[sensor] if r.value >= limit), np.inf)

    leak = min(gas, key=lambda sensor: first_over(sensor, spec.alarm))
    assert 20 < first_over(leak, spec.warning) < first_over(leak, spec.alarm) < 120
    values = np.array([r.value for r in gas[leak]])
    assert (np.maximum.accumulate(values) - values).max() < 2.0  # a steady climb: noise, never a dip
    # The nearest gas sensors rise a little later.
    others = sorted(gas.keys() - {leak})
    here = shapely.Point(sites[leak].lon, sites[leak].lat)
    distance = metres_from(city, here, (sites[s].lon for s in others), (sites[s].lat for s in others))
    for neighbour in np.array(others)[np.argsort(distance)][: world.LEAK_NEIGHBOURS]:
        assert first_over(leak, spec.warning) < first_over(neighbour, 8.0) < np.inf
    # Citizens smell it and call, near it.
    smells = [
        r
        for r in plays["gas-leak"]
        if isinstance(r, Report) and any(words in r.description for words in texts.GAS_SMELL_WORDS)
    ]
    assert len(smells) == texts.GAS_SMELL_CALLS
    assert {r.category for r in smells} == {texts.GAS_SMELL_CATEGORY}
    assert {r.source for r in smells} <= {"hotline", "app"}
    assert metres_from(city, here, (r.lon for r in smells), (r.lat for r in smells)).max() < 150
    assert min(r.ts for r in smells) - START > first_over(leak, 5.0)


# ---------------------------------------------------------------------------
# The rainstorm through a hub core


Shown = dict[str, dict[str, float]]  # sensor → state → when the hub first showed it so


@pytest.fixture(scope="module")
def storm_in_the_hub(city: City) -> tuple[HubCore, Shown]:
    """Sixteen and a half minutes of rainstorm into a hub core whose clock keeps the play's time,
    and the sensors it showed unknown or offline."""
    clock = Clock(START)
    core = HubCore(Store("sqlite://").load(), city, clock)
    play = CityPlay(city, "rainstorm", 1, 60.0, START)
    assert core.ingest(play.declarations()).rejected == 0
    shown: Shown = {}
    for second in range(1, 990 + 1):
        items = play.step(1.0)
        clock.now = START + second
        assert core.ingest(items, sender="simulator").rejected == 0
        core.tick()
        for sensor in core.topics["sensors"].live.values():
            if sensor.state in ("unknown", "offline"):
                shown.setdefault(sensor.id, {}).setdefault(sensor.state, clock.now)
    return core, shown


def test_the_hub_sees_the_muck_truck_off_its_route(
    city: City, storm_in_the_hub: tuple[HubCore, Shown]
) -> None:
    core, _ = storm_in_the_hub
    fence = route(city)
    (vehicle,) = fence.vehicles
    alarm = core.alarms.alarm_of(vehicle, "route")
    assert alarm is not None and alarm.kind == fence.id and alarm.state == "active"
    off_route_from = world.SCENES["rainstorm"].off_route_from
    assert off_route_from is not None
    assert off_route_from + fence.on_delay_s < alarm.raised_at - START < 180
    assert alarm.value > fence.width_m
    assert [a.vehicle_id for a in core.topics["alarms"].live.values() if a.condition == "route"] == [vehicle]


def test_the_hub_calls_the_chattering_sensor_chattering(
    city: City, storm_in_the_hub: tuple[HubCore, Shown]
) -> None:
    core, _ = storm_in_the_hub
    (alarm,) = [a for a in core.topics["alarms"].live.values() if a.chattering]
    assert alarm.kind in world.CHATTERING_CLASSES
    assert alarm.raised >= city.sensor_classes[alarm.kind].chatter_count


def test_the_hub_shows_the_silent_sensor_unknown_then_offline(
    city: City, storm_in_the_hub: tuple[HubCore, Shown]
) -> None:
    core, shown = storm_in_the_hub
    (gone,) = shown  # the only sensor that ever showed either
    sensor = core.topics["sensors"].live[gone]
    assert sensor.ts is not None
    spec = city.sensor_class(gone, sensor.kind)
    late = SILENCE_CHECK_S + 1.0  # the hub looks every SILENCE_CHECK_S, on a one-second tick
    assert 0 <= shown[gone]["unknown"] - (sensor.ts + spec.stale_s) <= late
    assert 0 <= shown[gone]["offline"] - (sensor.ts + spec.offline_s) <= late
    comm = core.alarms.alarm_of(gone, "comm")
    assert comm is not None and comm.state == "active" and comm.raised_at == shown[gone]["offline"]
