"""Fleet supervision and alarms on the map, as the night shift sees them: every vehicle's trail of
the last minutes, thin and grey; a halo in its alarm's colour around each sensor and vehicle with an
alarm standing, and such a vehicle's trail in that colour; gone when the alarm is."""

from __future__ import annotations

import numpy as np
import pytest
from pytestqt.qt_compat import qt_api
from test_map import (
    CITY,
    make_sensor,
    make_vehicle,
    pixels,
    projected,
    sensor_spot,
    similar,
    sprites_at,
    visible_labels,
)
from test_models import NOW, delta, snapshot

from console import names
from console.palette import LIGHT_COLORS, SENSOR_COLORS, VEHICLE_COLORS, HallColors
from console.state import HallState
from console.trails import SAMPLE_S, TRAIL_S
from feeds.domain import LIGHTS, OFF
from feeds.wire import Alarm, Vehicle
from widgets.map import QtCityMap

QColor = qt_api.QtGui.QColor
QPointF = qt_api.QtCore.QPointF
CRITICAL, HIGH = HallColors.PRIORITY[1], HallColors.PRIORITY[2]
STEP_DEG = 0.004  # about 380 m east a sample period: a trail long enough to look at


def moved(k: float, **fields: object) -> Vehicle:
    """The muck truck, ``k`` sample periods along its way east."""
    lon, lat = CITY.sensors[0].lon - 0.02, CITY.sensors[0].lat + 0.01
    values: dict[str, object] = dict(
        id="V0001", kind="muck", plate="苏A·00001", lon=lon + k * STEP_DEG, lat=lat, status="moving", ts=NOW
    )
    return Vehicle(**{**values, **fields})  # type: ignore[arg-type]


def drive(city_map: QtCityMap, periods: int, first: int = 0) -> None:
    """The truck moves a step each sample period, a frame a second in between."""
    for k in range(first, first + periods):
        delta(city_map.state, "vehicles", [moved(k)])
        for second in range(int(SAMPLE_S)):
            city_map.refresh(city_map.state.take_changes(), NOW + k * SAMPLE_S + second)


def between(a: float, b: float) -> tuple[float, float]:
    """(lon, lat) halfway between steps ``a`` and ``b`` of the truck's way."""
    first, second = moved(a), moved(b)
    return (first.lon + second.lon) / 2, first.lat  # type: ignore[operator]


def shown(city_map: QtCityMap) -> np.ndarray:
    """The map as painted, RGB."""
    return pixels(city_map.grab().toImage())


def around(city_map: QtCityMap, rgb: np.ndarray, lon: float, lat: float) -> np.ndarray:
    """The 5 × 5 pixels of a painted map around (lon, lat), RGB (a one-pixel line may fall a pixel off)."""
    scene = city_map.plot.getViewBox().mapViewToScene(QPointF(*projected(lon, lat)))
    at = city_map.plot.viewport().mapTo(city_map, city_map.plot.mapFromScene(scene))
    ratio = rgb.shape[1] / city_map.width()
    x, y = round(at.x() * ratio), round(at.y() * ratio)
    return rgb[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3).astype(int)


def brightest(patch: np.ndarray) -> np.ndarray:
    return patch[np.argmax(patch.sum(axis=1))]


def trail_alpha(city_map: QtCityMap, lon: float, lat: float) -> int:
    """How opaque the trail picture is at (lon, lat): 0 where no trail passed (or long ago)."""
    layer = city_map.trail_layer
    at = layer.to_picture.map(QPointF(*projected(lon, lat)))
    x, y = round(at.x()), round(at.y())
    return int((layer._pixels[y - 1 : y + 2, x - 1 : x + 2] >> 24).max())


def alarm(n: int, priority: int = 1, **fields: object) -> Alarm:
    """Alarm ``n`` of the truck off its route, unless ``fields`` say otherwise."""
    values: dict[str, object] = dict(
        id=f"AL{n}", kind="muck", priority=priority, value=180.0, threshold=50.0, raised_at=NOW,
        vehicle_id="V0001", condition="route",
    )  # fmt: skip
    return Alarm(**{**values, **fields})  # type: ignore[arg-type]


def sensor_alarm(n: int, sensor: int, priority: int, **fields: object) -> Alarm:
    """Alarm ``n`` of the demo city's sensor site ``sensor``: its reading too high."""
    site = CITY.sensors[sensor]
    return alarm(
        n,
        priority,
        **{"kind": site.kind, "vehicle_id": "", "sensor_id": site.id, "condition": "high", **fields},
    )


def halo_colours(city_map: QtCityMap, lon: float, lat: float) -> list[str]:
    return [drawn.edge for drawn in sprites_at(city_map.halos, lon, lat)]


@pytest.fixture
def night_map(qtbot) -> QtCityMap:
    """The demo city's map on a screen."""
    widget = QtCityMap(HallState(CITY))
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# -- trails -------------------------------------------------------------------------


def test_a_vehicle_leaves_a_thin_grey_trail_through_the_places_it_was(night_map):
    snapshot(night_map.state, "alarms", [])
    snapshot(night_map.state, "vehicles", [moved(0)])
    night_map.refresh(night_map.state.take_changes(), NOW)
    before = shown(night_map)

    drive(night_map, 5)
    after = shown(night_map)

    for a in range(4):  # every step of its way, the newest one (to where it is now) included
        lon, lat = between(a, a + 1)
        was, now = (
            brightest(around(night_map, before, lon, lat)),
            brightest(around(night_map, after, lon, lat)),
        )
        assert now.sum() > was.sum() + 30, (a, was, now)  # a line over the map …
        assert max(now) - min(now) < 50, now  # … grey, not a colour
    assert night_map.trail_layer.picture is not None
    assert len(night_map.plot.getViewBox().addedItems) < 20  # one item for every trail, not one each


def test_older_steps_fade_and_those_older_than_the_trail_go(night_map):
    snapshot(night_map.state, "vehicles", [moved(0)])
    drive(night_map, 4)
    night_map.grab()
    oldest, newest = trail_alpha(night_map, *between(0, 1)), trail_alpha(night_map, *between(2, 3))
    assert 0 < oldest < newest

    periods = round(TRAIL_S / SAMPLE_S)  # it stands where it is for the whole length of a trail
    for k in range(4, 4 + periods):
        night_map.refresh(night_map.state.take_changes(), NOW + k * SAMPLE_S)
    night_map.grab()
    assert trail_alpha(night_map, *between(0, 1)) == 0
    assert trail_alpha(night_map, *between(2, 3)) == 0


def test_a_new_snapshot_keeps_each_vehicles_trail(night_map):
    snapshot(night_map.state, "vehicles", [make_vehicle(7), moved(0)])
    drive(night_map, 3)
    snapshot(night_map.state, "vehicles", [moved(3)], stream="s2")  # the other one gone, the rows anew
    night_map.refresh(night_map.state.take_changes(), NOW + 3 * SAMPLE_S)
    night_map.grab()
    assert trail_alpha(night_map, *between(0, 1)) > 0
    assert night_map.trails.ids == ["V0001"]


# -- halos --------------------------------------------------------------------------


def test_a_vehicle_off_its_route_wears_a_halo_and_its_trail_in_the_alarms_colour_until_it_clears(night_map):
    state = night_map.state
    snapshot(state, "vehicles", [moved(0)])
    snapshot(state, "alarms", [])
    drive(night_map, 4)
    here = moved(3)
    assert halo_colours(night_map, here.lon, here.lat) == []
    plain = brightest(around(night_map, shown(night_map), *between(1, 2)))

    delta(state, "alarms", [alarm(1)])
    night_map.refresh(state.take_changes(), NOW + 4 * SAMPLE_S)
    (ring,) = halo_colours(night_map, here.lon, here.lat)
    assert similar(ring, CRITICAL, tolerance=30)
    red = brightest(around(night_map, shown(night_map), *between(1, 2)))
    assert red[0] > red[1] + 60 and red[0] > plain[0], red  # the way it came, in the alarm's red
    label = f"{here.plate} {names.alarm_condition_name('route')}"
    assert label in visible_labels(night_map)

    delta(state, "vehicles", [moved(4)])  # the halo goes with it
    night_map.refresh(state.take_changes(), NOW + 4 * SAMPLE_S + 1)
    assert halo_colours(night_map, here.lon, here.lat) == []
    assert len(halo_colours(night_map, moved(4).lon, moved(4).lat)) == 1

    delta(state, "alarms", [alarm(1, state="cleared", cleared_at=NOW + 50, version=2)])
    night_map.refresh(state.take_changes(), NOW + 5 * SAMPLE_S)
    assert len(night_map.halos.x) == 0
    grey = brightest(around(night_map, shown(night_map), *between(1, 2)))
    assert max(grey) - min(grey) < 50, grey
    assert label not in visible_labels(night_map)


def test_a_sensor_with_an_alarm_standing_wears_a_halo_in_its_most_urgent_priority_colour(night_map):
    state = night_map.state
    snapshot(state, "sensors", [make_sensor(n, "alarm" if n in (1, 2) else "normal") for n in range(6)])
    snapshot(state, "alarms", [sensor_alarm(1, 1, priority=2), sensor_alarm(2, 2, priority=2)])
    night_map.refresh(state.take_changes(), NOW)
    site1, site2 = CITY.sensors[1], CITY.sensors[2]
    assert [similar(c, HIGH, 30) for c in halo_colours(night_map, site1.lon, site1.lat)] == [True]

    delta(state, "alarms", [sensor_alarm(3, 1, priority=1, condition="rate")])  # a second, critical
    night_map.refresh(state.take_changes(), NOW + 1)
    (ring,) = halo_colours(night_map, site1.lon, site1.lat)
    assert similar(ring, CRITICAL, 30)
    assert sprites_at(night_map.halos, site2.lon, site2.lat)[0].alpha > 0  # a glow inside the ring
    assert len(night_map.halos.x) == 2


@pytest.mark.parametrize(
    "aside",
    [
        {"shelved_until": NOW + 3600, "shelved_by": "lisi"},
        {"out_of_service": True},
        {"suppressed": True},
        {"state": "cleared", "cleared_at": NOW + 5},  # returned to normal: the panel still lists it
    ],
    ids=["shelved", "out of service", "suppressed", "cleared"],
)
def test_an_alarm_set_aside_or_cleared_leaves_no_halo(night_map, aside):
    state = night_map.state
    snapshot(state, "sensors", [make_sensor(n) for n in range(3)])
    snapshot(state, "alarms", [sensor_alarm(1, 1, priority=1)])
    night_map.refresh(state.take_changes(), NOW)
    assert len(night_map.halos.x) == 1

    delta(state, "alarms", [sensor_alarm(1, 1, priority=1, version=2, **aside)])
    night_map.refresh(state.take_changes(), NOW + 10)
    assert len(night_map.halos.x) == 0


def test_a_sensor_silent_a_while_is_drawn_hollow(night_map):
    snapshot(night_map.state, "sensors", [make_sensor(0), make_sensor(1, "unknown")])
    night_map.refresh(night_map.state.take_changes(), NOW)
    (silent,) = sprites_at(night_map.sensors, *sensor_spot(1))
    assert silent.alpha == 0 and similar(silent.edge, SENSOR_COLORS["unknown"], tolerance=30)


# -- one meaning per colour ---------------------------------------------------------


def test_cases_and_alarms_never_share_a_colour_and_the_legend_keys_halos_and_trails(night_map):
    case_colours = {LIGHT_COLORS[light] for light in LIGHTS[:OFF]}
    alarm_colours = {*HallColors.PRIORITY.values(), SENSOR_COLORS["alarm"], SENSOR_COLORS["warning"]}
    assert not case_colours & alarm_colours
    for case_colour in case_colours:  # not merely another code: another colour to the eye
        for alarm_colour in alarm_colours - {HallColors.MUTED}:
            assert not similar(case_colour, alarm_colour, tolerance=60), (case_colour, alarm_colour)
    assert not case_colours & set(VEHICLE_COLORS.values())
    legend = night_map.legend.text()
    assert names.priority_name(1) in legend and "Trail" in legend
