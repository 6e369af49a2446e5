"""The city map as a dispatcher sees it: vehicles, sensors and case pins where they are,
in the colours that matter, and a click on a pin that opens its case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from pytestqt.qt_compat import qt_api
from test_models import NOW, delta, make_case, snapshot

from console.palette import LIGHT_COLORS
from console.state import Changes, HallState
from feeds.city import demo
from feeds.domain import VEHICLE_KINDS, VEHICLE_STATUSES, Light
from feeds.wire import Alarm, Case, Sensor, Vehicle
from widgets.map import (
    BACKGROUND,
    CLICK_RADIUS_PX,
    SCALE_BAR_PX,
    SENSOR_COLORS,
    VEHICLE_COLORS,
    CityBackdrop,
    PointLayer,
    QtCityMap,
    nice_length,
)

QColor = qt_api.QtGui.QColor
QImage = qt_api.QtGui.QImage
QPoint = qt_api.QtCore.QPoint
QPointF = qt_api.QtCore.QPointF
QRectF = qt_api.QtCore.QRectF
Qt = qt_api.QtCore.Qt

CITY = demo().city
YELLOW_SHARE = CITY.yellow_share
RED, YELLOW, GREEN = (LIGHT_COLORS[light] for light in (Light.RED, Light.YELLOW, Light.GREEN))
LIMIT_S = 4 * 3600.0  # make_case's running clock


# -- records ------------------------------------------------------------------------


def spot(n: int) -> tuple[float, float]:
    """(lon, lat) of the centre of a unit grid, a different one for each ``n``."""
    point = CITY.grids[n * 37 % len(CITY.grids)].shape.centroid
    return point.x, point.y


def make_vehicle(n: int, kind: str = "sanitation", status: str = "moving", at: int | None = None) -> Vehicle:
    """Vehicle ``n`` at grid spot ``at`` (its own spot by default)."""
    lon, lat = spot(n if at is None else at)
    return Vehicle(id=f"V{n:04d}", kind=kind, plate=f"苏A·{n:05d}", lon=lon, lat=lat, status=status, ts=NOW)


def make_sensor(n: int, state: str = "normal", value: float | None = None) -> Sensor:
    """The demo city's sensor site ``n`` with a reading."""
    site = CITY.sensors[n]
    kind = CITY.sensor_classes[site.kind]
    reading = kind.normal if value is None else value
    return Sensor(
        id=site.id,
        kind=site.kind,
        name=site.name,
        lon=site.lon,
        lat=site.lat,
        unit=kind.unit,
        value=reading,
        ts=NOW,
        state=state,  # type: ignore[arg-type]
    )


def alarms_of(sensors: list[Sensor], **fields: object) -> list[Alarm]:
    """An alarm of its class's priority standing on each sensor in alarm, as the hub raises them."""
    classes = CITY.sensor_classes
    return [
        Alarm(f"AL-{s.id}", s.kind, classes[s.kind].priority, s.value or 0.0, classes[s.kind].alarm, NOW,
              sensor_id=s.id, **fields)  # type: ignore[arg-type]
        for s in sensors
        if s.state == "alarm"
    ]  # fmt: skip


def sensor_spot(n: int) -> tuple[float, float]:
    return CITY.sensors[n].lon, CITY.sensors[n].lat


def make_pin(n: int, left_s: float, escalations: int = 0, **fields: object) -> Case:
    """Case ``n`` at its own grid spot, due ``left_s`` seconds after NOW (being handled, unless
    ``fields`` say otherwise)."""
    lon, lat = spot(n)
    return make_case(n, left_s=left_s, lon=lon, lat=lat, escalations=escalations, **fields)


# -- reading the map back -------------------------------------------------------------


class Sprite(NamedTuple):
    color: str  # #rrggbb at the centre
    alpha: int  # at the centre: 0 for a ring
    width: int  # pixels from the first to the last at least quarter-opaque one across the middle row
    edge: str  # #rrggbb of that first pixel: a ring's colour


def sprite(layer: PointLayer, style: int) -> Sprite:
    """What a point of ``style`` looks like on screen: its pre-rendered mark in the layer's atlas."""
    left, top, width, height = (int(v) for v in layer._sources[style])
    image = layer._atlas.toImage().copy(left, top, width, height).convertToFormat(QImage.Format.Format_ARGB32)
    centre = image.pixelColor(width // 2, height // 2)
    row = [image.pixelColor(x, height // 2) for x in range(width)]
    opaque = [x for x, pixel in enumerate(row) if pixel.alpha() >= 64]
    return Sprite(centre.name(), centre.alpha(), opaque[-1] - opaque[0] + 1, row[opaque[0]].name())


def projected(lon: float, lat: float) -> tuple[float, float]:
    x, y = CITY.project(np.array([lon]), np.array([lat]))
    return float(x[0]), float(y[0])


def indices_at(layer: PointLayer, lon: float, lat: float) -> list[int]:
    """Draw-order indices of the layer's points at (lon, lat)."""
    x, y = projected(lon, lat)
    return np.flatnonzero(np.isclose(layer.x, x, atol=0.01) & np.isclose(layer.y, y, atol=0.01)).tolist()


def sprites_at(layer: PointLayer, lon: float, lat: float) -> list[Sprite]:
    """The sprites drawn at (lon, lat), bottom first."""
    return [sprite(layer, int(layer.style[i])) for i in indices_at(layer, lon, lat)]


def positions(layer: PointLayer) -> set[tuple[float, float]]:
    return {(round(float(x), 2), round(float(y), 2)) for x, y in zip(layer.x, layer.y, strict=True)}


def rounded(lon: float, lat: float) -> tuple[float, float]:
    x, y = projected(lon, lat)
    return round(x, 2), round(y, 2)


def similar(color: str, expected: str, tolerance: int = 3) -> bool:
    a, b = QColor(color), QColor(expected)
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= tolerance


def on_viewport(city_map: QtCityMap, lon: float, lat: float) -> QPoint:
    """Where (lon, lat) is on the plot's viewport, in pixels."""
    scene = city_map.plot.getViewBox().mapViewToScene(QPointF(*projected(lon, lat)))
    return city_map.plot.mapFromScene(scene)


def frame(city_map: QtCityMap, now: float = NOW) -> None:
    """One tick of the console's frame clock."""
    city_map.refresh(city_map.state.take_changes(), now)


def visible_labels(city_map: QtCityMap) -> list[str]:
    return [label.toPlainText() for label in city_map._alarm_labels if label.isVisible()]


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture
def city_map(qtbot) -> QtCityMap:
    widget = QtCityMap(HallState(CITY))
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def shown_map(qtbot, city_map) -> QtCityMap:
    city_map.resize(1200, 800)
    city_map.show()
    qtbot.waitExposed(city_map)
    return city_map


# -- vehicles -------------------------------------------------------------------------


def test_vehicles_are_drawn_where_they_are_in_their_kind_colour_dimmed_when_idle_or_offline(city_map):
    combos = [(kind, status) for kind in VEHICLE_KINDS for status in VEHICLE_STATUSES]
    vehicles = [make_vehicle(n, kind, status) for n, (kind, status) in enumerate(combos)]
    snapshot(city_map.state, "vehicles", vehicles)
    frame(city_map)

    layer = city_map.vehicles
    assert len(layer.x) == len(vehicles)
    assert positions(layer) == {rounded(v.lon, v.lat) for v in vehicles}
    styles = {}
    for vehicle in vehicles:
        (index,) = indices_at(layer, vehicle.lon, vehicle.lat)
        styles[vehicle.kind, vehicle.status] = int(layer.style[index])
        drawn = sprite(layer, styles[vehicle.kind, vehicle.status])
        assert similar(drawn.color, VEHICLE_COLORS[vehicle.kind]), vehicle
        if vehicle.status in ("idle", "offline"):
            assert drawn.alpha < 200, vehicle
        else:
            assert drawn.alpha == 255, vehicle
    assert len(set(styles.values())) == len(combos)  # every kind and status has a look of its own
    moving, idle = sprite(layer, styles["muck", "moving"]), sprite(layer, styles["muck", "idle"])
    assert moving.width > idle.width


def test_a_vehicle_without_a_fix_is_not_drawn(city_map):
    no_fix = Vehicle(id="V9999", kind="repair", plate="苏A·99999", status="offline")
    snapshot(city_map.state, "vehicles", [make_vehicle(1), no_fix])
    frame(city_map)
    assert positions(city_map.vehicles) == {rounded(*spot(1))}


def test_a_vehicle_delta_moves_exactly_that_vehicle(city_map):
    snapshot(city_map.state, "vehicles", [make_vehicle(n) for n in range(6)])
    frame(city_map)
    before = positions(city_map.vehicles)

    delta(city_map.state, "vehicles", [make_vehicle(3, at=100)])
    frame(city_map)

    after = positions(city_map.vehicles)
    assert before - after == {rounded(*spot(3))}
    assert after - before == {rounded(*spot(100))}
    assert len(city_map.vehicles.x) == 6


def test_a_new_vehicle_snapshot_leaves_no_stale_points(city_map):
    state = city_map.state
    snapshot(state, "vehicles", [make_vehicle(n) for n in range(6)])
    frame(city_map)

    snapshot(state, "vehicles", [make_vehicle(20), make_vehicle(21, "muck", "idle")], stream="s2")
    frame(city_map)
    assert positions(city_map.vehicles) == {rounded(*spot(20)), rounded(*spot(21))}
    assert len(city_map.vehicles.x) == 2

    snapshot(state, "vehicles", [], stream="s3")
    frame(city_map)
    assert len(city_map.vehicles.x) == 0


# -- sensors --------------------------------------------------------------------------


def test_an_alarmed_sensor_is_drawn_in_the_alarm_style_on_top_of_every_other_sensor(city_map):
    sensors = [make_sensor(n) for n in range(10)]
    sensors[2] = make_sensor(2, "offline")
    sensors[4] = make_sensor(4, "alarm", value=31.5)
    sensors[6] = make_sensor(6, "warning", value=12.0)
    sensors[8] = make_sensor(8, "offline")
    snapshot(city_map.state, "sensors", sensors)
    frame(city_map)

    layer = city_map.sensors
    assert positions(layer) == {rounded(s.lon, s.lat) for s in sensors}
    (alarmed,) = sprites_at(layer, sensors[4].lon, sensors[4].lat)
    (normal,) = sprites_at(layer, sensors[0].lon, sensors[0].lat)
    assert similar(alarmed.color, SENSOR_COLORS["alarm"])
    assert similar(normal.color, SENSOR_COLORS["normal"])
    assert alarmed.width > normal.width
    # Drawn last, so no other dot, offline ones included, covers it.
    assert indices_at(layer, sensors[4].lon, sensors[4].lat) == [len(sensors) - 1]


def test_an_alarmed_sensor_gets_a_label_with_its_name_and_reading(city_map):
    sensors = [make_sensor(n) for n in range(5)]
    sensors[3] = make_sensor(3, "alarm", value=31.5)
    snapshot(city_map.state, "sensors", sensors)
    snapshot(city_map.state, "alarms", alarms_of(sensors))
    frame(city_map)

    (text,) = visible_labels(city_map)
    assert sensors[3].name in text and "31.5" in text
    (label,) = [label for label in city_map._alarm_labels if label.isVisible()]
    assert (label.pos().x(), label.pos().y()) == pytest.approx(projected(sensors[3].lon, sensors[3].lat))


def test_the_alarm_label_hides_when_the_sensor_is_back_to_normal(city_map):
    state = city_map.state
    alarmed = make_sensor(1, "alarm", value=40.0)
    snapshot(state, "sensors", [make_sensor(0), alarmed])
    snapshot(state, "alarms", alarms_of([alarmed]))
    frame(city_map)
    assert len(visible_labels(city_map)) == 1

    delta(state, "sensors", [make_sensor(1, "normal", value=0.5)])
    delta(state, "alarms", alarms_of([alarmed], state="cleared", cleared_at=NOW + 60, version=2))
    frame(city_map)

    assert visible_labels(city_map) == []
    (back,) = sprites_at(city_map.sensors, *sensor_spot(1))
    assert similar(back.color, SENSOR_COLORS["normal"])


# -- case pins ------------------------------------------------------------------------


def test_pin_colour_follows_the_time_limit_light(city_map):
    overdue = make_pin(1, left_s=-60)
    due_soon = make_pin(2, left_s=0.5 * YELLOW_SHARE * LIMIT_S)
    in_time = make_pin(3, left_s=0.5 * LIMIT_S)
    snapshot(city_map.state, "cases", [in_time, overdue, due_soon])
    frame(city_map)

    pins = city_map.pins
    for case, color in ((overdue, RED), (due_soon, YELLOW), (in_time, GREEN)):
        (pin,) = sprites_at(pins, case.lon, case.lat)
        assert similar(pin.color, color), case.id
        assert pin.alpha == 255
    (red,) = sprites_at(pins, overdue.lon, overdue.lat)
    (green,) = sprites_at(pins, in_time.lon, in_time.lat)
    assert red.width > green.width  # overdue pins stand out
    assert indices_at(pins, overdue.lon, overdue.lat) == [len(pins.x) - 1]  # and lie on top


def test_an_escalated_case_gets_a_ring_around_its_pin(city_map):
    escalated = make_pin(1, left_s=-60, escalations=2)
    plain = make_pin(2, left_s=-60)
    snapshot(city_map.state, "cases", [escalated, plain])
    frame(city_map)

    dot, ring = sprites_at(city_map.pins, escalated.lon, escalated.lat)
    assert similar(dot.color, RED) and dot.alpha == 255
    assert ring.alpha == 0  # a ring: the pin shows through it …
    assert ring.width > dot.width + 6  # … with room around the pin
    assert QColor(ring.edge).lightness() > 200  # light, unlike any light colour
    assert len(sprites_at(city_map.pins, plain.lon, plain.lat)) == 1


def test_a_closed_case_has_no_pin_and_a_paused_one_keeps_the_colour_of_what_was_left(city_map):
    closed = make_pin(1, left_s=-600, status="closed")
    # Hung with half its limit left, its old deadline long past.
    hung = make_pin(2, left_s=0.5 * LIMIT_S, status="hung", deadline=NOW - 86_400)
    asked = make_pin(3, left_s=0.0, status="extension_requested")  # asked once the time had run out
    snapshot(city_map.state, "cases", [closed, hung, asked])
    frame(city_map)

    assert sprites_at(city_map.pins, closed.lon, closed.lat) == []
    (pin,) = sprites_at(city_map.pins, hung.lon, hung.lat)
    assert similar(pin.color, GREEN)
    (pin,) = sprites_at(city_map.pins, asked.lon, asked.lat)
    assert similar(pin.color, RED)
    city_map.refresh(Changes(), NOW + LIMIT_S)  # hours later: a stopped clock stays as it was
    (pin,) = sprites_at(city_map.pins, hung.lon, hung.lat)
    assert similar(pin.color, GREEN)


def test_a_case_that_closes_takes_its_pin_and_ring_away(city_map):
    case = make_pin(1, left_s=-600, escalations=1)
    snapshot(city_map.state, "cases", [case, make_pin(2, left_s=600)])
    frame(city_map)
    assert len(sprites_at(city_map.pins, case.lon, case.lat)) == 2  # the pin and its ring

    closed = make_pin(1, left_s=-600, escalations=1, status="closed", version=9, closure="late")
    delta(city_map.state, "cases", [closed])
    frame(city_map)
    assert sprites_at(city_map.pins, case.lon, case.lat) == []
    assert len(city_map.pins.x) == 1


def test_pins_recolour_on_the_second_their_light_changes_without_any_case_change(city_map):
    # Green now; yellow one second later, when YELLOW_SHARE of the limit is left; red at the deadline.
    case = make_pin(1, left_s=YELLOW_SHARE * LIMIT_S + 1)
    snapshot(city_map.state, "cases", [case])
    frame(city_map)

    def pin_color() -> str:
        (pin,) = sprites_at(city_map.pins, case.lon, case.lat)
        return pin.color

    assert similar(pin_color(), GREEN)
    city_map.refresh(Changes(), NOW + 0.99)
    assert similar(pin_color(), GREEN)  # whole seconds, as the case queue counts them
    city_map.refresh(Changes(), NOW + 1)
    assert similar(pin_color(), YELLOW)
    city_map.refresh(Changes(), case.deadline)
    assert similar(pin_color(), RED)


def test_a_frame_with_nothing_changed_redraws_nothing(city_map):
    state = city_map.state
    snapshot(state, "sensors", [make_sensor(n) for n in range(5)])
    snapshot(state, "vehicles", [make_vehicle(n) for n in range(5)])
    snapshot(state, "cases", [make_pin(n, left_s=3600) for n in range(5)])
    frame(city_map)
    layers = (city_map.sensors, city_map.vehicles, city_map.pins)
    drawn = [(layer.x, layer.y, layer.style) for layer in layers]

    for now in (NOW + 0.5, NOW + 1, NOW + 2):  # new seconds, but no light turns
        city_map.refresh(state.take_changes(), now)

    for layer, (x, y, style) in zip(layers, drawn, strict=True):
        assert layer.x is x and layer.y is y and layer.style is style, layer  # the same arrays: not redrawn


# -- clicking and selecting -----------------------------------------------------------


@pytest.mark.parametrize("offset", [(0, 0), (6, -5)], ids=["on the pin", "a few pixels off"])
def test_clicking_a_pin_selects_its_case(qtbot, shown_map, offset):
    cases = [make_pin(n, left_s=600 * n) for n in range(1, 6)]
    snapshot(shown_map.state, "cases", cases)
    frame(shown_map)

    target = cases[2]
    point = on_viewport(shown_map, target.lon, target.lat) + QPoint(*offset)
    assert shown_map.plot.viewport().rect().contains(point)
    with qtbot.waitSignal(shown_map.case_selected, timeout=1000) as selected:
        qtbot.mouseClick(shown_map.plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert selected.args == [target.id]


def test_clicking_away_from_every_pin_selects_nothing(qtbot, shown_map):
    cases = [make_pin(n, left_s=600 * n) for n in range(1, 6)]
    snapshot(shown_map.state, "cases", cases)
    frame(shown_map)

    pins = [on_viewport(shown_map, c.lon, c.lat) for c in cases]
    point = on_viewport(shown_map, *spot(1)) + QPoint(0, int(4 * CLICK_RADIUS_PX))
    assert min(np.hypot(p.x() - point.x(), p.y() - point.y()) for p in pins) > 3 * CLICK_RADIUS_PX
    with qtbot.assertNotEmitted(shown_map.case_selected):
        qtbot.mouseClick(shown_map.plot.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_a_closed_case_cannot_be_clicked_where_it_has_no_pin(qtbot, shown_map):
    # A closed and an open case in one grid (a report seen again after the first was closed),
    # and a closed case alone elsewhere: the map shows one pin, and only that pin answers.
    open_case = make_pin(2, left_s=600)
    closed_here = make_case(1, left_s=-600, status="closed", lon=open_case.lon, lat=open_case.lat)
    closed_alone = make_pin(3, left_s=-600, status="closed")
    snapshot(shown_map.state, "cases", [closed_here, open_case, closed_alone])
    frame(shown_map)
    assert len(shown_map.pins.x) == 1

    with qtbot.waitSignal(shown_map.case_selected, timeout=1000) as selected:
        point = on_viewport(shown_map, open_case.lon, open_case.lat)
        qtbot.mouseClick(shown_map.plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert selected.args == [open_case.id]
    with qtbot.assertNotEmitted(shown_map.case_selected):
        point = on_viewport(shown_map, closed_alone.lon, closed_alone.lat)
        qtbot.mouseClick(shown_map.plot.viewport(), Qt.MouseButton.LeftButton, pos=point)


def selection_at(city_map: QtCityMap) -> list[tuple[float, float]]:
    layer = city_map.selection
    return [(float(a), float(b)) for a, b in zip(layer.x, layer.y, strict=True)]


def test_select_case_rings_a_case_in_view_without_moving_the_map(shown_map):
    case = make_pin(1, left_s=600)
    snapshot(shown_map.state, "cases", [case, make_pin(2, left_s=600)])
    frame(shown_map)
    view = shown_map.plot.getViewBox()
    before = view.viewRect()

    shown_map.select_case(case.id)

    assert selection_at(shown_map) == [pytest.approx(projected(case.lon, case.lat))]
    assert view.viewRect() == before

    shown_map.select_case(None)
    assert selection_at(shown_map) == []


def test_select_case_pans_to_a_case_out_of_view(shown_map):
    case = make_pin(1, left_s=600)
    snapshot(shown_map.state, "cases", [case])
    frame(shown_map)
    x, y = projected(case.lon, case.lat)
    view = shown_map.plot.getViewBox()
    view.setRange(QRectF(x + 3000, y + 2000, 1500, 1000), padding=0)  # zoomed in elsewhere
    assert not view.viewRect().contains(QPointF(x, y))
    width = view.viewRect().width()

    shown_map.select_case(case.id)

    shown = view.viewRect()
    assert shown.contains(QPointF(x, y))
    assert (shown.center().x(), shown.center().y()) == pytest.approx((x, y), abs=1.0)
    assert shown.width() == pytest.approx(width)  # panned, not zoomed
    assert selection_at(shown_map) == [pytest.approx((x, y))]


def test_locating_an_alarms_sensor_rings_it_and_pans_to_it(shown_map):
    site = CITY.sensors[3]
    x, y = projected(site.lon, site.lat)
    view = shown_map.plot.getViewBox()
    view.setRange(QRectF(x + 3000, y + 2000, 1500, 1000), padding=0)  # zoomed in elsewhere

    shown_map.locate(site.lon, site.lat)

    assert view.viewRect().contains(QPointF(x, y))
    assert selection_at(shown_map) == [pytest.approx((x, y))]
    shown_map.select_case(None)  # choosing a case (or none) takes the ring back
    assert selection_at(shown_map) == []


def test_the_selection_ring_goes_when_the_selected_case_leaves(shown_map):
    state = shown_map.state
    snapshot(state, "cases", [make_pin(1, left_s=600), make_pin(2, left_s=600)])
    frame(shown_map)
    shown_map.select_case("C000001")

    snapshot(state, "cases", [make_pin(2, left_s=600)], stream="s2")
    frame(shown_map)

    assert selection_at(shown_map) == []


# -- what reaches the screen ----------------------------------------------------------


def pixels(image: QImage) -> np.ndarray:
    """(height, width, 3) RGB array of a grabbed image."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    # A copy: the array must outlive the converted image that owns the buffer.
    return data[:, : 3 * rgb.width()].reshape(rgb.height(), rgb.width(), 3).copy()


def color_at(city_map: QtCityMap, rgb: np.ndarray, ratio: float, lon: float, lat: float) -> str:
    """#rrggbb of the grabbed map at (lon, lat)."""
    at = city_map.plot.viewport().mapTo(city_map, on_viewport(city_map, lon, lat))
    return QColor(*(int(v) for v in rgb[round(at.y() * ratio), round(at.x() * ratio)])).name()


def test_the_rendered_map_shows_pins_and_vehicles_in_their_colours_on_a_dark_map(qtbot, shown_map):
    overdue = make_pin(5, left_s=-600)
    snapshot(shown_map.state, "cases", [overdue, make_pin(6, left_s=3600)])
    kinds = list(VEHICLE_KINDS)
    vehicles = [make_vehicle(20 + n, kinds[n % len(kinds)]) for n in range(4 * len(kinds))]
    snapshot(shown_map.state, "vehicles", vehicles)
    frame(shown_map)

    image = shown_map.grab().toImage()
    ratio = image.devicePixelRatio()
    rgb = pixels(image)
    assert similar(color_at(shown_map, rgb, ratio, overdue.lon, overdue.lat), RED, tolerance=30)
    for vehicle in vehicles[: len(kinds)]:  # one of each kind
        drawn = color_at(shown_map, rgb, ratio, vehicle.lon, vehicle.lat)
        assert similar(drawn, VEHICLE_COLORS[vehicle.kind], tolerance=30), (vehicle.kind, drawn)

    background = QColor(BACKGROUND)
    luminance = rgb.astype(float).mean(axis=2)
    assert np.median(luminance) < 60  # a dark map …
    is_background = np.all(np.abs(rgb.astype(int) - background.getRgb()[:3]) <= 4, axis=2)
    assert 0.05 < is_background.mean() < 0.95  # … with districts, roads and dots drawn on it
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 50


# -- backdrop and scale ---------------------------------------------------------------


def test_districts_grids_and_roads_are_one_cached_item_not_one_per_line(city_map):
    items = city_map.plot.getViewBox().addedItems
    (backdrop,) = [item for item in items if isinstance(item, CityBackdrop)]
    assert backdrop.cacheMode() == backdrop.CacheMode.DeviceCoordinateCache
    assert len(items) < len(CITY.districts) + 10 < len(CITY.grids)  # labels and layers, nothing per grid


@pytest.mark.parametrize(
    ("metres", "length"), [(0.3, 0.2), (86.4, 50), (140, 100), (999, 500), (1000, 1000), (4321, 2000)]
)
def test_nice_length_is_the_longest_1_2_or_5_times_a_power_of_ten_that_fits(metres, length):
    assert nice_length(metres) == pytest.approx(length)


def scale_bar_px(city_map: QtCityMap) -> float:
    return city_map.scale_bar.bar.rect().width()


def length_text(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def test_the_scale_bar_shows_a_round_length_and_follows_the_zoom(shown_map):
    bar = shown_map.scale_bar
    before = bar.size
    assert nice_length(before) == before
    assert SCALE_BAR_PX / 2.5 <= scale_bar_px(shown_map) <= SCALE_BAR_PX
    assert bar.text.toPlainText() == length_text(before)

    shown_map.plot.getViewBox().scaleBy((0.1, 0.1))  # zoom in ten times

    assert bar.size == pytest.approx(before / 10)
    assert SCALE_BAR_PX / 2.5 <= scale_bar_px(shown_map) <= SCALE_BAR_PX
    assert bar.text.toPlainText() == length_text(bar.size)


# -- any city, many pins, things outside, dense screens ---------------------------------


def test_a_map_waits_for_its_city_then_draws_it(qtbot) -> None:
    state = HallState()
    city_map = QtCityMap(state)
    qtbot.addWidget(city_map)
    assert city_map.backdrop is None and not city_map.waiting.isHidden()
    snapshot(state, "vehicles", [make_vehicle(1)])
    frame(city_map)  # nothing to project on yet
    assert len(city_map.vehicles.x) == 0
    state.set_city(CITY)
    frame(city_map)
    assert city_map.backdrop is not None and city_map.waiting.isHidden()
    assert positions(city_map.vehicles) == {rounded(*spot(1))}


def test_too_many_pins_in_view_gather_into_counted_clusters_that_part_when_zoomed_in(shown_map):
    cases = [make_pin(n, left_s=3600) for n in range(4000)]
    cases[17] = make_pin(17, left_s=-60)  # one overdue among them
    snapshot(shown_map.state, "cases", cases)
    frame(shown_map)

    clusters = shown_map.clusters.clusters
    assert len(shown_map.pins.x) == 0 and len(clusters.x) > 10
    assert int(clusters.count.sum()) == len(cases)
    assert (clusters.worst == LIGHTS_RED).sum() == 1  # the overdue case colours its cluster

    x, y = projected(*spot(17))
    shown_map.plot.getViewBox().setRange(QRectF(x - 150, y - 100, 300, 200), padding=0)
    frame(shown_map, NOW + 1)
    assert len(shown_map.clusters.clusters.x) == 0
    (pin,) = sprites_at(shown_map.pins, *spot(17))
    assert similar(pin.color, RED)


LIGHTS_RED = 0


def test_closed_cases_do_not_turn_the_open_ones_into_clusters(shown_map):
    # A hall keeps its closed cases: thousands of them, none drawn, must not hide the few open
    # ones behind clusters of one.
    closed = [make_pin(n, left_s=-600, status="closed") for n in range(3000)]
    open_cases = [make_pin(n, left_s=600) for n in range(3000, 3005)]
    snapshot(shown_map.state, "cases", closed + open_cases)
    frame(shown_map)

    assert positions(shown_map.pins) == {rounded(c.lon, c.lat) for c in open_cases}
    assert int(shown_map.clusters.clusters.count.sum()) == 0


def test_vehicles_outside_the_city_are_drawn_and_show_all_brings_them_into_view(shown_map):
    _west, _south, east, north = CITY.bounds
    away = Vehicle(
        id="V9000", kind="muck", plate="苏A·90000", lon=east + 0.05, lat=north + 0.02, status="moving", ts=NOW
    )
    snapshot(shown_map.state, "vehicles", [make_vehicle(1), away])
    frame(shown_map)
    view = shown_map.plot.getViewBox()
    x, y = projected(away.lon, away.lat)
    assert rounded(away.lon, away.lat) in positions(shown_map.vehicles)  # drawn …
    assert not view.viewRect().contains(QPointF(x, y))  # … off the usual view
    shown_map.show_all_button.click()
    assert view.viewRect().contains(QPointF(x, y))
    assert view.viewRect().contains(shown_map.backdrop.extent.center())


def alarm_dot_width(scale: str) -> dict[str, float]:
    """An alarmed sensor's dot's width on screen, measured in a process whose screens have that scale."""
    env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}
    probe = Path(__file__).with_name("map_density.py")
    run = subprocess.run(
        [sys.executable, str(probe)], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_sprites_are_rendered_at_the_screens_pixel_density():
    plain, dense = alarm_dot_width("1"), alarm_dot_width("2")
    assert (plain["ratio"], dense["ratio"]) == (1.0, 2.0)
    assert dense["atlas_ratio"] == 2.0  # the atlas re-rendered for the denser screen: sharp, not blown up
    assert 10 <= plain["width_px"] <= 14  # an alarmed sensor's dot: 12 px …
    assert dense["width_px"] == pytest.approx(
        2 * plain["width_px"], abs=3
    )  # … is 44 device pixels on a 2× wall


def test_district_names_label_the_map_and_road_names_come_close_up(shown_map):
    shown_map.grab()  # paint
    placed = {text for text, _box in shown_map.labels.placed}
    assert {d.name for d in CITY.districts} <= placed
    assert "人民路" not in placed
    x, y = projected(*spot(40))
    shown_map.plot.getViewBox().setRange(QRectF(x - 600, y - 400, 1200, 800), padding=0)
    shown_map.grab()
    placed = {text for text, _box in shown_map.labels.placed}
    roads = {road.name for road in CITY.roads}
    assert placed & roads  # road names at close zoom
    boxes = [box for _text, box in shown_map.labels.placed]
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])  # none overlaps


def test_alarm_labels_neither_cover_each_other_nor_run_off_the_top_of_the_map(shown_map):
    north = max(range(len(CITY.sensors)), key=lambda n: CITY.sensors[n].lat)
    kind = CITY.sensors[north].kind
    sensors = [  # the northmost the most urgent of its kind
        make_sensor(n, "alarm", value=99.0 if n == north else 50.0)
        for n in range(len(CITY.sensors))
        if CITY.sensors[n].kind == kind
    ]
    snapshot(shown_map.state, "sensors", sensors)
    snapshot(shown_map.state, "alarms", alarms_of(sensors))
    northmost = make_sensor(north)
    x, y = projected(northmost.lon, northmost.lat)
    shown_map.plot.getViewBox().setRange(QRectF(x - 3000, y - 3990, 6000, 4000), padding=0)  # it at the top
    frame(shown_map)
    shown_map.grab()

    labels = [label for label in shown_map._alarm_labels if label.isVisible()]
    boxes = [label.sceneBoundingRect() for label in labels]
    top = shown_map.plot.getViewBox().sceneBoundingRect().top()
    assert len(labels) >= 2
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert all(box.top() >= top for box in boxes), "a label is cut off by the top edge"
    assert any(northmost.name in label.toPlainText() for label in labels)


def test_area_names_step_aside_for_alarm_labels(shown_map):
    sensors = [make_sensor(n, "alarm", value=50.0) for n in range(len(CITY.sensors))]
    snapshot(shown_map.state, "sensors", sensors)
    snapshot(shown_map.state, "alarms", alarms_of(sensors))
    frame(shown_map)
    shown_map.grab()

    alarms = [
        QRectF(shown_map.plot.mapFromScene(label.sceneBoundingRect()).boundingRect())
        for label in shown_map._alarm_labels
        if label.isVisible()
    ]
    names = [box for _text, box in shown_map.labels.placed]
    assert alarms and names
    assert not any(alarm.intersects(name) for alarm in alarms for name in names)
