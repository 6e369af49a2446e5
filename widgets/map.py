"""The live city map: the city the hub serves, under sensors, vehicles and case pins.

The backdrop (district fills, area outlines simplified for the zoom, roads)
and the labels are items Qt caches at device resolution, so a frame blits
them instead of re-stroking thousands of lines.  Each live layer is one item
drawing numpy point arrays as pre-rendered sprites in a single
``drawPixmapFragments`` call, so a frame with 10,000 moving vehicles costs a
few milliseconds (DESIGN.md rules 5 and 6).  Coordinates are local metres
(``City.project``): distances and shapes are true.

What is urgent is big, bright and on top: overdue pins, alarmed sensors.
When the view holds too many pins to tell apart they gather into counted
circles in the colour of their most urgent case.  Every sensor and vehicle
with an alarm standing wears a halo in its alarm's priority colour, and such
a vehicle's trail takes that colour too; the other trails (the last ten
minutes of every vehicle) are thin and grey, fading with age.  Vehicles are
small triangles in hues no alert uses; the backdrop is in cool tones.
Sensors and vehicles outside the city are drawn too; "Show all" brings them
into view.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem, QLabel, QPushButton, QVBoxLayout, QWidget

from console import names
from console.alarmed import Alarmed, Standing
from console.basemap import BaseMap, cluster
from console.columns import AlarmColumns, CaseColumns
from console.palette import LIGHT_COLORS, SENSOR_COLORS, TRAIL_COLOR, VEHICLE_COLORS, HallColors
from console.state import SENSOR_STATES, VEHICLE_KIND_CODES, VEHICLE_STATUS_CODES, Changes, HallState
from console.trails import TRAIL_S, Trails
from feeds.city import City
from feeds.domain import LIGHTS, OFF, Light
from widgets.map_layers import (
    LABEL_FONT,
    CityBackdrop,
    ClusterLayer,
    LabelLayer,
    Mark,
    PointLayer,
    TrailLayer,
)

BACKGROUND = HallColors.BACKGROUND
DIM_STATUSES = ("idle", "offline")
LIVE_LIGHTS = LIGHTS[:OFF]  # closed cases have no pin
PIN_PX = {Light.RED: 15.0, Light.YELLOW: 11.0, Light.GREEN: 9.0}  # overdue pins are drawn largest
RING_PX = 25.0  # escalated (督办) cases: a ring around the pin
HALO_PX = 26.0  # a sensor or vehicle with an alarm standing: a halo in the alarm's priority colour
PRIORITIES = tuple(sorted(HallColors.PRIORITY))  # 1 critical … 4 low
CLICK_RADIUS_PX = 12.0
CACHED_SENSORS = 5000  # more sensors than this are drawn once into a picture Qt keeps
SCALE_BAR_PX = 140.0  # the scale bar is at most this long
MAX_ALARM_LABELS = 12
ABOVE, BELOW = 1.2, -0.2  # a label's vertical anchor: its text just over or just under the marker
# More pins than this in view gather into clusters of about CLUSTER_PX across.
MAX_PINS_IN_VIEW = 1500
CLUSTER_PX = 64.0
PIXMAP_CACHE_KB = 512 * 1024


def nice_length(metres: float) -> float:
    """The longest 1, 2 or 5 × 10ⁿ metres not above ``metres``: a length read at a glance."""
    power = 10.0 ** math.floor(math.log10(metres))
    return max(step * power for step in (1, 2, 5) if step * power <= metres)


class QtCityMap(QWidget):
    """The city with its sensors, vehicles and case pins, redrawn on the console's frame clock."""

    case_selected = Signal(str)

    def __init__(
        self,
        state: HallState,
        cases: CaseColumns | None = None,
        alarms: AlarmColumns | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # The backdrop and the labels are cached per window at device resolution: room for a wall's
        # worth of 4K screens, or Qt evicts one to make room for the other and repaints it every frame.
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        self.state = state
        self.cases = cases if cases is not None else CaseColumns(state)  # shared with the queues: lights once
        self.alarms = alarms if alarms is not None else AlarmColumns(state)  # … and with the alarm panels
        self.alarmed = Alarmed(state, self.alarms)
        self.city: City | None = None
        self.plot = pg.PlotWidget(background=BACKGROUND)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.backdrop: CityBackdrop | None = None
        self.labels: LabelLayer | None = None
        self.trails = Trails()
        self.trail_layer = TrailLayer(self.trails, TRAIL_COLOR, HallColors.PRIORITY, z=15)
        self.halos = PointLayer(
            [Mark(HallColors.PRIORITY[p], HALO_PX, shape="halo") for p in PRIORITIES], z=18
        )
        self.sensors = PointLayer(_sensor_marks(), z=20)
        self.vehicles = PointLayer(_vehicle_marks(), z=30)
        self.pins = PointLayer(_pin_marks(), z=40)
        self.clusters = ClusterLayer([LIGHT_COLORS[light] for light in LIVE_LIGHTS], z=40)
        self.selection = PointLayer([Mark(HallColors.TEXT, 46.0, shape="target")], z=50)
        layers = (self.trail_layer, self.halos, self.sensors, self.vehicles, self.pins, self.clusters)
        for layer in (*layers, self.selection):
            self.plot.addItem(layer, ignoreBounds=True)
        # Where each row of the sensor and vehicle tables is, in metres: halos and trails follow them.
        self._sensor_x = self._sensor_y = self._vehicle_x = self._vehicle_y = np.zeros(0)
        self._pin_x = self._pin_y = np.zeros(0)
        self._pin_lights: np.ndarray | None = None  # light codes the pins are drawn with
        self._pins_dirty = False  # the view moved: pins or clusters may change
        self._alarm_labels: list[pg.TextItem] = []
        self._shown_alarms: list[bool] = []  # whether each shown label moves (a vehicle's)
        self._labels_dirty = False  # the view moved: alarm labels may now overlap
        self._selected: str | None = None
        self._located: tuple[float, float] | None = None  # a place rung instead (an alarm's sensor)
        self.scale_bar = self._scale_bar()
        self.legend = self._legend()
        self.waiting = QLabel(self.tr("Waiting for the city from the hub…"), self.plot)
        self.waiting.setObjectName("mapWaiting")
        self.waiting.setStyleSheet(f"color: {HallColors.MUTED}; font-size: 20px; background: transparent;")
        self.show_all_button = QPushButton(self.tr("Show all"), self.plot)
        self.show_all_button.setToolTip(
            self.tr("Bring everything into view, including what lies outside the city")
        )
        self.show_all_button.clicked.connect(self.show_everything)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.getViewBox().sigRangeChanged.connect(self._on_view_moved)
        if state.city is not None:
            self._set_city(state.city)

    # -- the city ---------------------------------------------------------------

    def _set_city(self, city: City) -> None:
        self.city = city
        basemap = BaseMap(city)
        for old in (self.backdrop, self.labels):
            if old is not None:
                self.plot.removeItem(old)
        self.backdrop, self.labels = CityBackdrop(basemap), LabelLayer(basemap)
        self.plot.addItem(self.backdrop)
        self.plot.addItem(self.labels, ignoreBounds=True)
        self.plot.setRange(self.backdrop.extent, padding=0.02)
        self.waiting.hide()
        self.trails.follow([])  # trails are in the old city's metres
        self.trail_layer.redraw()
        self._draw_sensors()
        self._draw_vehicles()
        self._place_pins()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.waiting.adjustSize()
        self.waiting.move(
            (self.width() - self.waiting.width()) // 2, (self.height() - self.waiting.height()) // 2
        )
        self.show_all_button.adjustSize()
        self.show_all_button.move(self.plot.width() - self.show_all_button.width() - 10, 10)
        # Bottom left, under the scale bar's row: the north of a city is where its legend would hide it.
        self.legend.move(10, self.plot.height() - self.legend.height() - 10)

    def show_everything(self) -> None:
        """Fit the city and every sensor and vehicle, wherever they are, into view."""
        if self.backdrop is None:
            return
        rect = QRectF(self.backdrop.extent)
        for layer in (self.sensors, self.vehicles, self.pins):
            if len(layer.x):
                left, bottom = float(layer.x.min()), float(layer.y.min())
                rect = rect.united(
                    QRectF(left, bottom, float(layer.x.max()) - left, float(layer.y.max()) - bottom)
                )
        self.plot.setRange(rect, padding=0.05)

    # -- static decorations ----------------------------------------------------------

    def _scale_bar(self) -> pg.ScaleBar:
        bar = pg.ScaleBar(size=1000.0, width=4, brush=HallColors.MUTED, offset=(-30, -30))  # bottom right
        bar.text.setColor(QColor(HallColors.MUTED))
        bar.setParentItem(self.plot.getViewBox())
        self.plot.getViewBox().sigRangeChanged.connect(self._fit_scale_bar)
        return bar

    def _fit_scale_bar(self) -> None:
        metres_per_px = self.plot.getViewBox().viewPixelSize()[0]
        if not metres_per_px > 0:  # not laid out yet
            return
        self.scale_bar.size = nice_length(SCALE_BAR_PX * metres_per_px)
        self.scale_bar.text.setText(pg.siFormat(self.scale_bar.size, suffix="m"))
        self.scale_bar.updateBar()

    def _legend(self) -> QLabel:
        def key(color: str, text: str, mark: str, alpha: int = 255) -> str:
            rgba = QColor(color)
            return (
                f'<span style="color:rgba({rgba.red()},{rgba.green()},{rgba.blue()},{alpha})">{mark}</span>'
                f"&nbsp;{text}"
            )

        def row(title: str, keys: Iterable[str]) -> str:
            return f"<b>{title}</b>&nbsp; " + " ".join(keys)

        light_names = {
            Light.RED: self.tr("Overdue"),
            Light.YELLOW: self.tr("Due soon"),
            Light.GREEN: self.tr("In time"),
        }
        state_names = {
            "alarm": self.tr("Alarm"),
            "warning": self.tr("Warning"),
            "normal": self.tr("Normal"),
            "offline": self.tr("Offline"),
        }
        trail = self.tr("Trail, last %1 min").replace("%1", f"{TRAIL_S / 60:.0f}")
        rows = [
            row(
                self.tr("Cases"),
                [key(LIGHT_COLORS[light], light_names[light], "■") for light in LIVE_LIGHTS]
                + [
                    key(HallColors.TEXT, self.tr("Escalated"), "◯"),
                    key(LIGHT_COLORS[Light.RED], self.tr("Many (count)"), "●"),
                ],
            ),
            row(
                self.tr("Alarms"),
                [key(HallColors.PRIORITY[p], names.priority_name(p), "◉") for p in PRIORITIES]
                + [key(HallColors.PRIORITY[1], self.tr("Vehicle's trail"), "━")],
            ),
            row(
                self.tr("Sensors"),
                [key(SENSOR_COLORS[s], name, "●") for s, name in state_names.items()]
                + [key(SENSOR_COLORS["unknown"], self.tr("Silent"), "○")],
            ),
            row(
                self.tr("Vehicles"),
                [key(VEHICLE_COLORS[k], names.vehicle_kind_name(k), "▲") for k in VEHICLE_KIND_CODES]
                + [
                    key(HallColors.TEXT, self.tr("Idle or offline"), "▲", alpha=110),
                    key(TRAIL_COLOR, trail, "━", alpha=150),
                ],
            ),
        ]
        legend = QLabel("<br>".join(rows), self.plot)
        legend.setObjectName("mapLegend")
        legend.setStyleSheet(f"background: rgba(11,18,32,215); color: {HallColors.TEXT}; padding: 6px 10px;")
        legend.setFont(QFont(LABEL_FONT, 11))
        legend.adjustSize()
        return legend

    # -- live layers ----------------------------------------------------------

    def refresh(self, changes: Changes, now: float) -> None:
        """Redraw what changed since the last frame; pins also when a light turns with time, and
        trails when a sample period begins."""
        cases = self.cases.update(changes, now)
        alarms = self.alarms.update(changes, now)
        if changes.city and self.state.city is not None:
            self._set_city(self.state.city)
        if self.city is None:
            return
        sensors = changes.sensors or "sensors" in changes.reset
        if sensors:
            self._draw_sensors()
        vehicles = bool(changes.vehicles) or "vehicles" in changes.reset
        if vehicles:
            self._draw_vehicles("vehicles" in changes.reset)
        if alarms.reset or len(alarms.changed) or len(alarms.added) or sensors or vehicles:
            self.alarmed.update(alarms, renumbered=bool(changes.reset & {"sensors", "vehicles"}))
            self._draw_alarmed()
        if self.trails.sample(self.state.vehicle_points.ids, self._vehicle_x, self._vehicle_y, now):
            self.trail_layer.update()
        if self.trail_layer.waiting:
            self.trail_layer.update()
        if cases.reset or len(cases.changed) or len(cases.added):
            self._place_pins()
        if self._pins_dirty or len(cases.restyled):
            self._draw_pins()
        if self._labels_dirty:
            self._labels_dirty = False
            self._place_alarm_labels()

    def _project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        assert self.city is not None
        return self.city.project(lon, lat)

    def _draw_sensors(self) -> None:
        table = self.state.sensor_points
        n = len(table)
        x, y = self._sensor_x, self._sensor_y = self._project(table.lon[:n], table.lat[:n])
        state = table.state[:n].astype(np.int64)
        order = np.argsort(_SENSOR_DRAW_RANK[state], kind="stable")  # alarms on top, offline under all
        self.sensors.set_points(x[order], y[order], state[order])
        # Sensors change far less often than vehicles move: tens of thousands of them are one picture
        # Qt keeps between their changes, not sprites drawn again every frame (a few hundred cost
        # less to draw than the picture to copy).
        mode = QGraphicsItem.CacheMode
        self.sensors.setCacheMode(mode.DeviceCoordinateCache if n > CACHED_SENSORS else mode.NoCache)

    def _draw_vehicles(self, renumbered: bool = False) -> None:
        table = self.state.vehicle_points
        n = len(table)
        x, y = self._vehicle_x, self._vehicle_y = self._project(table.lon[:n], table.lat[:n])
        style = table.code[:n].astype(np.int64) * len(VEHICLE_STATUS_CODES) + table.state[:n]
        self.vehicles.set_points(x, y, style)
        if renumbered:  # a snapshot numbered the rows anew: each trail stays with its vehicle
            self.trails.follow(table.ids)

    def _draw_alarmed(self) -> None:
        """A halo around each sensor and vehicle with an alarm standing, in the colour of its most
        urgent alarm's priority (the most urgent drawn on top); such a vehicle's trail in that
        colour too; and labels on the most urgent of them."""
        sensors, vehicles = self.alarmed.on(vehicles=False), self.alarmed.on(vehicles=True)
        x = np.concatenate([self._sensor_x[sensors.rows], self._vehicle_x[vehicles.rows]])
        y = np.concatenate([self._sensor_y[sensors.rows], self._vehicle_y[vehicles.rows]])
        style = _halo_style(np.concatenate([sensors.priorities, vehicles.priorities]))
        order = np.argsort(-style, kind="stable")
        self.halos.set_points(x[order], y[order], style[order])
        trail_style = _halo_style(vehicles.priorities)
        alarmed = {p: vehicles.rows[trail_style == n] for n, p in enumerate(PRIORITIES)}
        self.trail_layer.show_vehicles(
            self._vehicle_x, self._vehicle_y, {p: rows for p, rows in alarmed.items() if len(rows)}
        )
        self._label_alarms(sensors, vehicles)

    def _label_alarms(self, sensors: Standing, vehicles: Standing) -> None:
        """Name the most urgent of what has an alarm standing, as many as there is room for: a
        sensor with its reading, a vehicle with what it broke."""
        value = self.alarms.numbers["value"]
        found = sorted(
            (int(priority), -float(value[slot]), moves, int(row), int(slot))
            for standing, moves in ((sensors, False), (vehicles, True))
            for row, slot, priority in zip(*(column[:MAX_ALARM_LABELS] for column in standing), strict=True)
        )[:MAX_ALARM_LABELS]  # each is in order already: the most urgent are among the first of each
        while len(self._alarm_labels) < len(found):
            label = pg.TextItem(color="#ffb4ab", anchor=(0, ABOVE), fill=pg.mkBrush(11, 18, 32, 190))
            label.setFont(QFont(LABEL_FONT, 11, QFont.Weight.Bold))
            label.setZValue(60)
            self.plot.addItem(label)
            self._alarm_labels.append(label)
        middle = self.backdrop.extent.center().x() if self.backdrop else 0.0
        for label, (_priority, _value, moves, row, slot) in zip(self._alarm_labels, found, strict=False):
            if moves:
                vehicle = self.state.vehicles[self.state.vehicle_points.ids[row]]
                condition = names.alarm_condition_name(self.alarms.record(slot).condition)
                text, x, y = (
                    f"{vehicle.plate or vehicle.id} {condition}",
                    self._vehicle_x[row],
                    self._vehicle_y[row],
                )
            else:
                sensor = self.state.sensors[self.state.sensor_points.ids[row]]
                reading = "—" if sensor.value is None else f"{sensor.value:.1f}{sensor.unit}"
                text, x, y = f"{sensor.name} {reading}", self._sensor_x[row], self._sensor_y[row]
            if label.toPlainText() != text:
                label.setText(text)
            _anchor(label, 1 if x > middle else 0, ABOVE)  # east half: text runs west, stays on screen
            label.setPos(float(x), float(y))
        self._shown_alarms = [moves for _priority, _value, moves, _row, _slot in found]
        self._place_alarm_labels()

    def _place_alarm_labels(self) -> None:
        """Show the most urgent labels first, each over, under or beside its marker where it covers
        no label already shown, and skip one that finds no such place."""
        placed: list[QRectF] = []
        still: list[QRectF] = []  # of labels that stay where they are
        view = self.plot.getViewBox().sceneBoundingRect()
        for n, label in enumerate(self._alarm_labels):
            side = label.anchor.x()
            visible = False
            for x, y in ((side, ABOVE), (side, BELOW), (1 - side, ABOVE), (1 - side, BELOW)):
                _anchor(label, x, y)  # over its marker, else under it, else on its other side
                box = label.sceneBoundingRect()
                if box.top() >= view.top() and not any(box.intersects(other) for other in placed):
                    visible = n < len(self._shown_alarms)
                    break
            label.setVisible(visible)
            if visible:
                placed.append(box)
                if not self._shown_alarms[n]:
                    still.append(box)
        # Area names step aside for an alarm's label, not for a moving vehicle's: laying the names
        # out again costs a big city's map a fifth of a second.
        if self.labels is not None:
            self.labels.reserve([QRectF(self.plot.mapFromScene(box).boundingRect()) for box in still])

    def _place_pins(self) -> None:
        """Where every case is, from the case columns (the map keeps only the projection)."""
        self._pin_x, self._pin_y = self._project(self.cases.numbers["lon"], self.cases.numbers["lat"])
        self._pin_lights = None
        self._pins_dirty = True
        self._show_selection()

    def _on_view_moved(self) -> None:
        self._pins_dirty = True
        self._labels_dirty = True

    def _live(self) -> np.ndarray:
        """Whether each case has a pin: closed cases have none."""
        live: np.ndarray = self.cases.codes[: len(self._pin_x)] != OFF
        return live

    def _pins_in_view(self) -> int:
        shown = self.plot.getViewBox().viewRect()
        inside = (
            self._live()
            & (self._pin_x >= shown.left())
            & (self._pin_x <= shown.right())
            & (self._pin_y >= shown.top())
            & (self._pin_y <= shown.bottom())
        )
        return int(np.count_nonzero(inside))

    def _draw_pins(self) -> None:
        """Pins in their light's style, red ones last (on top), rings of escalated cases over
        them; or, with too many in view, counted clusters."""
        light = self.cases.codes.astype(np.int64)
        moved, self._pins_dirty = self._pins_dirty, False
        if not moved and self._pin_lights is not None and np.array_equal(light, self._pin_lights):
            return
        self._pin_lights = light
        live = np.flatnonzero(light != OFF)
        x, y, light = self._pin_x[live], self._pin_y[live], light[live]
        if self._pins_in_view() > MAX_PINS_IN_VIEW:
            cell = CLUSTER_PX * self.plot.getViewBox().viewPixelSize()[0]
            self.clusters.set_clusters(cluster(x, y, light, cell))
            self.pins.set_points(np.zeros(0), np.zeros(0), np.zeros(0, np.int64))
            return
        self.clusters.set_clusters(cluster(np.zeros(0), np.zeros(0), np.zeros(0, np.int64), 1.0))
        order = np.argsort(-light, kind="stable")
        ring = np.flatnonzero(self.cases.numbers["escalations"][live] > 0)
        self.pins.set_points(
            np.concatenate([x[order], x[ring]]),
            np.concatenate([y[order], y[ring]]),
            np.concatenate([light[order], np.full(len(ring), len(LIVE_LIGHTS))]),
        )

    # -- selection ------------------------------------------------------------

    def select_case(self, case_id: str | None) -> None:
        """Ring the case's pin and bring it into view if it is not."""
        self._selected, self._located = case_id, None
        self._show_selection(center=True)

    def locate(self, lon: float, lat: float) -> None:
        """Ring a place — an alarm's sensor — and bring it into view if it is not."""
        self._selected, self._located = None, (lon, lat)
        self._show_selection(center=True)

    def _show_selection(self, center: bool = False) -> None:
        case = self.state.cases.get(self._selected or "")
        place = (case.lon, case.lat) if case is not None else self._located
        if place is None or self.city is None:
            self.selection.set_points(np.zeros(0), np.zeros(0), np.zeros(0, np.int64))
            return
        x, y = self._project(np.array([place[0]]), np.array([place[1]]))
        self.selection.set_points(x, y, np.zeros(1, np.int64))
        view = self.plot.getViewBox()
        shown = view.viewRect()
        if center and not shown.contains(QPointF(float(x[0]), float(y[0]))):
            view.translateBy(x=float(x[0]) - shown.center().x(), y=float(y[0]) - shown.center().y())

    def _on_click(self, event: object) -> None:
        if self.city is None or event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        view = self.plot.getViewBox()
        at = view.mapSceneToView(event.scenePos())  # type: ignore[attr-defined]
        metres_x, metres_y = view.viewPixelSize()
        clusters = self.clusters.clusters
        if len(clusters.x):  # a cluster: zoom into it
            distance_px = np.hypot((clusters.x - at.x()) / metres_x, (clusters.y - at.y()) / metres_y)
            nearest = int(np.argmin(distance_px))
            if distance_px[nearest] <= ClusterLayer.radius_px(int(clusters.count[nearest])):
                view.scaleBy(
                    (0.25, 0.25), center=QPointF(float(clusters.x[nearest]), float(clusters.y[nearest]))
                )
            return
        if not len(self._pin_x):
            return
        distance_px = np.hypot((self._pin_x - at.x()) / metres_x, (self._pin_y - at.y()) / metres_y)
        distance_px[~self._live()] = np.inf
        nearest = int(np.argmin(distance_px))
        if distance_px[nearest] <= CLICK_RADIUS_PX:
            self.case_selected.emit(self.cases.ids[nearest])


def _anchor(label: pg.TextItem, x: float, y: float) -> None:
    """Anchor a label, if it is not anchored so already (placing its text again is not free)."""
    if (label.anchor.x(), label.anchor.y()) != (x, y):
        label.setAnchor((x, y))


def _halo_style(priorities: np.ndarray) -> np.ndarray:
    """The halo of each priority: its place in PRIORITIES (an unknown priority counts as the lowest)."""
    style: np.ndarray = np.clip(np.searchsorted(PRIORITIES, priorities), 0, len(PRIORITIES) - 1)
    return style


# Draw rank of each sensor state (SENSOR_STATES order: normal, warning, alarm, offline, unknown).
_SENSOR_DRAW_RANK = np.array([2, 3, 4, 0, 1])


def _sensor_marks() -> list[Mark]:
    """One mark per sensor state, in SENSOR_STATES order: alarms large (their halos are the alarms'),
    a sensor silent a while hollow."""
    sizes = {"normal": 6.0, "warning": 10.0, "alarm": 12.0, "offline": 6.0, "unknown": 9.0}
    return [
        Mark(SENSOR_COLORS[s], sizes[s], shape="ring" if s == "unknown" else "circle") for s in SENSOR_STATES
    ]


def _vehicle_marks() -> list[Mark]:
    """One mark per (kind, status), kind-major: moving and working bright, idle and offline dim."""
    return [
        Mark(VEHICLE_COLORS[kind], 6.0, 110, "triangle")
        if status in DIM_STATUSES
        else Mark(VEHICLE_COLORS[kind], 8.0, 255, "triangle")
        for kind in VEHICLE_KIND_CODES
        for status in VEHICLE_STATUS_CODES
    ]


def _pin_marks() -> list[Mark]:
    """A square per light, in LIGHTS order, then the ring of escalated cases."""
    return [Mark(LIGHT_COLORS[light], PIN_PX[light], shape="square") for light in LIVE_LIGHTS] + [
        Mark(HallColors.TEXT, RING_PX, 230, "ring")
    ]
