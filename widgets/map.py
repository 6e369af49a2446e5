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
circles in the colour of their most urgent case.  Vehicles are small
triangles in hues no alert uses; the backdrop is in cool tones.  Sensors and
vehicles outside the city are drawn too; "Show all" brings them into view.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPixmapCache
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from console import names
from console.basemap import BaseMap, cluster
from console.columns import CaseColumns
from console.palette import LIGHT_COLORS, SENSOR_COLORS, VEHICLE_COLORS, HallColors
from console.state import SENSOR_STATES, VEHICLE_KIND_CODES, VEHICLE_STATUS_CODES, Changes, HallState
from feeds.city import City
from feeds.domain import LIGHTS, OFF, Light
from widgets.map_layers import (
    LABEL_FONT,
    CityBackdrop,
    ClusterLayer,
    LabelLayer,
    Mark,
    PointLayer,
)

BACKGROUND = HallColors.BACKGROUND
DIM_STATUSES = ("idle", "offline")
LIVE_LIGHTS = LIGHTS[:OFF]  # closed cases have no pin
PIN_PX = {Light.RED: 15.0, Light.YELLOW: 11.0, Light.GREEN: 9.0}  # overdue pins are drawn largest
RING_PX = 25.0  # escalated (督办) cases: a ring around the pin
CLICK_RADIUS_PX = 12.0
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
        self, state: HallState, cases: CaseColumns | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        # The backdrop and the labels are cached per window at device resolution: room for a wall's
        # worth of 4K screens, or Qt evicts one to make room for the other and repaints it every frame.
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        self.state = state
        self.cases = cases if cases is not None else CaseColumns(state)  # shared with the queues: lights once
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
        self.sensors = PointLayer(_sensor_marks(), z=20)
        self.vehicles = PointLayer(_vehicle_marks(), z=30)
        self.pins = PointLayer(_pin_marks(), z=40)
        self.clusters = ClusterLayer([LIGHT_COLORS[light] for light in LIVE_LIGHTS], z=40)
        self.selection = PointLayer([Mark(HallColors.TEXT, 46.0, shape="target")], z=50)
        for layer in (self.sensors, self.vehicles, self.pins, self.clusters, self.selection):
            self.plot.addItem(layer, ignoreBounds=True)
        self._pin_x = self._pin_y = np.zeros(0)
        self._pin_lights: np.ndarray | None = None  # light codes the pins are drawn with
        self._pins_dirty = False  # the view moved: pins or clusters may change
        self._alarm_labels: list[pg.TextItem] = []
        self._shown_alarms = 0
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
        rows = [
            row(
                self.tr("Cases"),
                [key(LIGHT_COLORS[light], light_names[light], "■") for light in LIVE_LIGHTS]
                + [
                    key(HallColors.TEXT, self.tr("Escalated"), "◯"),
                    key(HallColors.RED, self.tr("Many (count)"), "●"),
                ],
            ),
            row(self.tr("Sensors"), (key(SENSOR_COLORS[s], name, "●") for s, name in state_names.items())),
            row(
                self.tr("Vehicles"),
                [key(VEHICLE_COLORS[k], names.vehicle_kind_name(k), "▲") for k in VEHICLE_KIND_CODES]
                + [key(HallColors.TEXT, self.tr("Idle or offline"), "▲", alpha=110)],
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
        """Redraw what changed since the last frame; pins also when a light turns with time."""
        cases = self.cases.update(changes, now)
        if changes.city and self.state.city is not None:
            self._set_city(self.state.city)
        if self.city is None:
            return
        if changes.sensors or "sensors" in changes.reset:
            self._draw_sensors()
        if changes.vehicles or "vehicles" in changes.reset:
            self._draw_vehicles()
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
        x, y = self._project(table.lon[:n], table.lat[:n])
        state = table.state[:n].astype(np.int64)
        order = np.argsort(_SENSOR_DRAW_RANK[state], kind="stable")  # alarms on top, offline under all
        self.sensors.set_points(x[order], y[order], state[order])
        self._label_alarms()

    def _label_alarms(self) -> None:
        classes = self.city.sensor_classes if self.city else {}
        alarmed = sorted(
            (s for s in self.state.sensors.values() if s.state == "alarm"),
            key=lambda s: (classes[s.kind].priority if s.kind in classes else 9, -(s.value or 0.0)),
        )[:MAX_ALARM_LABELS]  # the most urgent get the few labels there is room for
        while len(self._alarm_labels) < len(alarmed):
            label = pg.TextItem(color="#ffb4ab", anchor=(0, ABOVE), fill=pg.mkBrush(11, 18, 32, 190))
            label.setFont(QFont(LABEL_FONT, 11, QFont.Weight.Bold))
            label.setZValue(60)
            self.plot.addItem(label)
            self._alarm_labels.append(label)
        middle = self.backdrop.extent.center().x() if self.backdrop else 0.0
        for label, sensor in zip(self._alarm_labels, alarmed, strict=False):
            x, y = self._project(np.array([sensor.lon]), np.array([sensor.lat]))
            reading = "—" if sensor.value is None else f"{sensor.value:.1f}{sensor.unit}"
            label.setText(f"{sensor.name} {reading}")
            label.setAnchor((1 if x[0] > middle else 0, ABOVE))  # east half: text runs west, stays on screen
            label.setPos(float(x[0]), float(y[0]))
        self._shown_alarms = len(alarmed)
        self._place_alarm_labels()

    def _place_alarm_labels(self) -> None:
        """Show the most urgent labels first and skip one that would cover a label already shown."""
        placed: list[QRectF] = []
        view = self.plot.getViewBox().sceneBoundingRect()
        for n, label in enumerate(self._alarm_labels):
            label.setAnchor((label.anchor.x(), ABOVE))
            box = label.sceneBoundingRect()
            if box.top() < view.top():  # at the top edge: below its marker instead of cut off
                label.setAnchor((label.anchor.x(), BELOW))
                box = label.sceneBoundingRect()
            visible = n < self._shown_alarms and not any(box.intersects(other) for other in placed)
            label.setVisible(visible)
            if visible:
                placed.append(box)
        if self.labels is not None:  # area names step aside for an alarm
            self.labels.reserve([QRectF(self.plot.mapFromScene(box).boundingRect()) for box in placed])

    def _draw_vehicles(self) -> None:
        table = self.state.vehicle_points
        n = len(table)
        x, y = self._project(table.lon[:n], table.lat[:n])
        style = table.code[:n].astype(np.int64) * len(VEHICLE_STATUS_CODES) + table.state[:n]
        self.vehicles.set_points(x, y, style)

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


# Draw rank of each sensor state (SENSOR_STATES order: normal, warning, alarm, offline).
_SENSOR_DRAW_RANK = np.array([1, 2, 3, 0])


def _sensor_marks() -> list[Mark]:
    """One mark per sensor state, in SENSOR_STATES order: alarms large and haloed."""
    sizes = {"normal": 6.0, "warning": 10.0, "alarm": 22.0, "offline": 6.0}
    return [
        Mark(SENSOR_COLORS[s], sizes[s], shape="beacon" if s == "alarm" else "circle") for s in SENSOR_STATES
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
