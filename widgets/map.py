"""The live city map: districts, unit grids and roads under sensors, vehicles and case pins.

Static layers are drawn once and cached as pixmaps; each dynamic layer is a
single graphics item drawing numpy point arrays with one ``drawPoints`` call
per colour, so a frame with 10,000 moving vehicles costs a few milliseconds.
Coordinates are local metres (``City.project``), so distances and shapes are
true on screen.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QLabel, QVBoxLayout, QWidget

from console import i18n
from console.state import SENSOR_STATES, VEHICLE_KIND_CODES, VEHICLE_STATUS_CODES, Changes, HallState
from feeds.city import City
from feeds.domain import SENSOR_KINDS, YELLOW_SHARE

BACKGROUND = "#0b1220"
DISTRICT_COLORS = ("#3b82f6", "#14b8a6", "#a855f7", "#f59e0b", "#ec4899", "#22c55e")
SENSOR_COLORS = {"normal": "#4b6a5a", "warning": "#f59e0b", "alarm": "#ff3b30", "offline": "#6b7280"}
VEHICLE_COLORS = {"sanitation": "#34d399", "muck": "#fbbf24", "enforcement": "#60a5fa", "repair": "#f472b6"}
LIGHT_COLORS = ("#ff3b30", "#facc15", "#22c55e")  # red, yellow, green
PIN_PX = {0: 15.0, 1: 11.0, 2: 9.0}  # overdue pins are drawn largest
CLICK_RADIUS_PX = 12.0
#: Lights change with time alone; recolour the pins this often even when no case changed.
PIN_RECOLOUR_S = 2.0
MAX_ALARM_LABELS = 12


class PointLayer(QGraphicsObject):
    """Many points, one item: a style index per point picks its sprite.

    Each style is a dot pre-rendered once (antialiased) into one atlas pixmap;
    a paint maps all points to pixels with numpy and draws every sprite in a
    single ``drawPixmapFragments`` call, the technique of pyqtgraph's
    ScatterPlotItem without its per-point bookkeeping.  Sizes are in pixels,
    whatever the zoom.
    """

    def __init__(self, styles: list[tuple[str, float, int]], z: float, square: bool = False) -> None:
        """``styles``: (colour, diameter in px, alpha 0-255) for each style index."""
        super().__init__()
        self.setZValue(z)
        self._atlas, self._sources = _sprite_atlas(styles, square)
        self._fragments = pg.Qt.internals.PrimitiveArray(QPainter.PixmapFragment, 10)
        self._bounds = QRectF()
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.style = np.zeros(0, np.int64)

    def set_points(self, x: np.ndarray, y: np.ndarray, style: np.ndarray) -> None:
        keep = np.isfinite(x) & np.isfinite(y)
        self.x, self.y, self.style = x[keep], y[keep], style[keep]
        self.prepareGeometryChange()
        if len(self.x):
            pad = 200.0  # metres: room for the pixel-sized dots at the edge
            self._bounds = QRectF(
                float(self.x.min()) - pad,
                float(self.y.min()) - pad,
                float(np.ptp(self.x)) + 2 * pad,
                float(np.ptp(self.y)) + 2 * pad,
            )
        else:
            self._bounds = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, *_args: object) -> None:
        if not len(self.x):
            return
        t = painter.transform()
        fragments = self._fragments
        fragments.resize(len(self.x))
        table = fragments.ndarray()
        table[:, 0] = self.x * t.m11() + self.y * t.m21() + t.dx()
        table[:, 1] = self.x * t.m12() + self.y * t.m22() + t.dy()
        table[:, 2:6] = self._sources[self.style]
        table[:, 6:10] = (1.0, 1.0, 0.0, 1.0)  # scale x, scale y, rotation, opacity
        painter.resetTransform()
        painter.drawPixmapFragments(*fragments.drawargs(), self._atlas)


def _sprite_atlas(styles: list[tuple[str, float, int]], square: bool) -> tuple[QPixmap, np.ndarray]:
    """One pixmap holding a dot per style, and each dot's source rectangle (x, y, w, h)."""
    cells = [int(np.ceil(size)) + 2 for _color, size, _alpha in styles]
    atlas = QPixmap(sum(cells), max(cells))
    atlas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(atlas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    sources = np.zeros((len(styles), 4))
    left = 0
    for n, ((color, size, alpha), cell) in enumerate(zip(styles, cells, strict=True)):
        qcolor = QColor(color)
        qcolor.setAlpha(alpha)
        painter.setBrush(qcolor)
        shape = QRectF(left + (cell - size) / 2, (cell - size) / 2, size, size)
        if square:
            painter.drawRect(shape)
        else:
            painter.drawEllipse(shape)
        sources[n] = (left, 0, cell, cell)
        left += cell
    painter.end()
    return atlas, sources


class QtCityMap(QWidget):
    case_selected = Signal(str)

    def __init__(self, city: City, state: HallState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.city = city
        self.state = state
        self.plot = pg.PlotWidget(background=BACKGROUND)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._draw_static()
        self.sensors = PointLayer(
            [
                (SENSOR_COLORS[s], 14.0 if s == "alarm" else 10.0 if s == "warning" else 6.0, 255)
                for s in SENSOR_STATES
            ],
            z=20,
        )
        self.vehicles = PointLayer(self._vehicle_styles(), z=30)
        # Pins: per light a ring (escalated) and a dot, in style order ring-red, ring-yellow, …, dot-red, …
        rings = [(LIGHT_COLORS[n], PIN_PX[n] + 8, 140) for n in range(3)]
        dots = [(LIGHT_COLORS[n], PIN_PX[n], 255) for n in range(3)]
        self.pins = PointLayer(rings + dots, z=40, square=True)  # squares: cases are not sensors
        for layer in (self.sensors, self.vehicles, self.pins):
            self.plot.addItem(layer)
        self.selection = pg.ScatterPlotItem(size=30, pen=pg.mkPen("#ffffff", width=3), brush=None, symbol="o")
        self.selection.setZValue(50)
        self.plot.addItem(self.selection)
        self._pin_ids: list[str] = []
        self._pin_xy = (np.zeros(0), np.zeros(0))
        self._alarm_labels: list[pg.TextItem] = []
        self._last_pins = 0.0
        self._selected: str | None = None
        self.legend = self._legend()
        self.plot.scene().sigMouseClicked.connect(self._on_click)

    # -- static layers ----------------------------------------------------------

    def _draw_static(self) -> None:
        city = self.city
        for n, district in enumerate(city.districts):
            x, y = city.project(district.polygon[:, 0], district.polygon[:, 1])
            color = QColor(DISTRICT_COLORS[n % len(DISTRICT_COLORS)])
            path = QPainterPath()
            path.addPolygon(QPolygonF([QPointF(a, b) for a, b in zip(x, y, strict=True)]))
            fill = QColor(color)
            fill.setAlpha(28)
            outline = QColor(color)
            outline.setAlpha(200)
            item = pg.QtWidgets.QGraphicsPathItem(path)
            item.setBrush(QBrush(fill))
            pen = QPen(outline, 2)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setZValue(0)
            self.plot.addItem(item)
            label = pg.TextItem(
                self._district_name(district.zh, district.en), color=outline, anchor=(0.5, 0.5)
            )
            label.setFont(QFont("Noto Sans CJK SC", 16, QFont.Weight.Bold))
            label.setPos(float(np.mean(x[:-1])), float(np.mean(y[:-1])))
            label.setZValue(5)
            self.plot.addItem(label)
        self._lines([g.polygon for g in city.grids], "#1c2a44", 1, z=1)
        self._lines([r.points for r in city.roads], "#50658c", 2, z=2)
        xs = np.concatenate([p.polygon[:, 0] for p in city.districts])
        ys = np.concatenate([p.polygon[:, 1] for p in city.districts])
        x, y = city.project(xs, ys)
        self.plot.setRange(xRange=(x.min(), x.max()), yRange=(y.min(), y.max()), padding=0.02)

    def _lines(self, lines: list[np.ndarray], color: str, width: float, z: float) -> None:
        """Many polylines as one item: NaN rows separate them."""
        parts = []
        for line in lines:
            x, y = self.city.project(line[:, 0], line[:, 1])
            parts.append(np.column_stack([x, y]))
            parts.append(np.full((1, 2), np.nan))
        points = np.concatenate(parts)
        item = pg.PlotCurveItem(
            points[:, 0], points[:, 1], connect="finite", pen=pg.mkPen(color, width=width)
        )
        item.setZValue(z)
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # static: draw once per zoom
        self.plot.addItem(item)

    @staticmethod
    def _district_name(zh: str, en: str) -> str:
        return zh if i18n.chinese() else en

    @staticmethod
    def _vehicle_styles() -> list[tuple[str, float, int]]:
        """One style per (kind, status): moving and working bright, idle and offline dim."""
        styles = []
        for kind in VEHICLE_KIND_CODES:
            for status in VEHICLE_STATUS_CODES:
                dim = status in ("idle", "offline")
                styles.append((VEHICLE_COLORS[kind], 5.0 if dim else 7.0, 110 if dim else 255))
        return styles

    def _legend(self) -> QLabel:
        def dot(color: str, text: str, mark: str = "●") -> str:
            return f'<span style="color:{color}">{mark}</span>&nbsp;{text}'

        cases, sensors, vehicles = self.tr("Cases"), self.tr("Sensors"), self.tr("Vehicles")
        lights = (self.tr("Overdue"), self.tr("Due soon"), self.tr("In time"))
        sensor_states = (
            ("alarm", self.tr("Alarm")),
            ("warning", self.tr("Warning")),
            ("normal", self.tr("Normal")),
        )
        rows = [
            f"<b>{cases}</b>&nbsp; "
            + " ".join(dot(c, t, "■") for c, t in zip(LIGHT_COLORS, lights, strict=True)),
            f"<b>{sensors}</b>&nbsp; " + " ".join(dot(SENSOR_COLORS[s], t) for s, t in sensor_states),
            f"<b>{vehicles}</b>&nbsp; "
            + " ".join(dot(VEHICLE_COLORS[k], i18n.vehicle_kind_name(k)) for k in VEHICLE_KIND_CODES),
        ]
        legend = QLabel("<br>".join(rows), self.plot)
        legend.setObjectName("mapLegend")
        legend.setStyleSheet(
            "background: rgba(11,18,32,210); color: #c6d4ea; padding: 6px 10px; font-size: 14px;"
        )
        legend.move(10, 10)
        legend.adjustSize()
        return legend

    # -- live layers ----------------------------------------------------------

    def refresh(self, changes: Changes, now: float) -> None:
        if changes.sensors or "sensors" in changes.reset:
            self._draw_sensors()
        if changes.vehicles or "vehicles" in changes.reset:
            self._draw_vehicles()
        if changes.cases or "cases" in changes.reset or now - self._last_pins >= PIN_RECOLOUR_S:
            self._draw_pins(now)

    def _draw_sensors(self) -> None:
        table = self.state.sensor_points
        n = len(table)
        x, y = self.city.project(table.lon[:n], table.lat[:n])
        state = table.state[:n].astype(np.int64)
        order = np.argsort(np.array([1, 2, 3, 0])[state], kind="stable")  # alarms on top, offline under all
        self.sensors.set_points(x[order], y[order], state[order])
        self._label_alarms()

    def _label_alarms(self) -> None:
        alarmed = sorted(
            (s for s in self.state.sensors.values() if s.state == "alarm"),
            key=lambda s: (SENSOR_KINDS[s.kind].priority if s.kind in SENSOR_KINDS else 9, -(s.value or 0.0)),
        )[:MAX_ALARM_LABELS]  # the most urgent get the few labels there is room for
        while len(self._alarm_labels) < len(alarmed):
            label = pg.TextItem(color="#ffb4ab", anchor=(0, 1.2))
            label.setFont(QFont("Noto Sans CJK SC", 11, QFont.Weight.Bold))
            label.setZValue(60)
            self.plot.addItem(label)
            self._alarm_labels.append(label)
        for label, sensor in zip(self._alarm_labels, alarmed, strict=False):
            x, y = self.city.project(np.array([sensor.lon]), np.array([sensor.lat]))
            reading = "—" if sensor.value is None else f"{sensor.value:.1f}{sensor.unit}"
            label.setText(f"{sensor.name} {reading}")
            label.setAnchor((1, 1.2) if x[0] > 0 else (0, 1.2))  # east half: text runs west, stays on screen
            label.setPos(float(x[0]), float(y[0]))
            label.show()
        for label in self._alarm_labels[len(alarmed) :]:
            label.hide()

    def _draw_vehicles(self) -> None:
        table = self.state.vehicle_points
        n = len(table)
        x, y = self.city.project(table.lon[:n], table.lat[:n])
        style = table.code[:n].astype(np.int64) * len(VEHICLE_STATUS_CODES) + table.state[:n]
        self.vehicles.set_points(x, y, style)

    def _draw_pins(self, now: float) -> None:
        self._last_pins = now
        cases = list(self.state.cases.values())
        self._pin_ids = [c.id for c in cases]
        lon = np.fromiter((c.lon for c in cases), float, len(cases))
        lat = np.fromiter((c.lat for c in cases), float, len(cases))
        left = np.fromiter((c.deadline - now for c in cases), float, len(cases))
        limit = np.fromiter((c.limit_s for c in cases), float, len(cases))
        escalated = np.fromiter((c.escalations > 0 for c in cases), bool, len(cases))
        light = np.where(left <= 0, 0, np.where(left <= YELLOW_SHARE * limit, 1, 2))
        x, y = self.city.project(lon, lat)
        ring = np.flatnonzero(escalated)
        order = np.argsort(-light, kind="stable")  # red pins last: on top
        self.pins.set_points(
            np.concatenate([x[ring], x[order]]),
            np.concatenate([y[ring], y[order]]),
            np.concatenate([light[ring], 3 + light[order]]),
        )
        self._pin_xy = (x, y)
        self._show_selection()

    # -- selection ------------------------------------------------------------

    def select_case(self, case_id: str | None) -> None:
        self._selected = case_id
        self._show_selection(center=True)

    def _show_selection(self, center: bool = False) -> None:
        case = self.state.cases.get(self._selected or "")
        if case is None:
            self.selection.setData([], [])
            return
        x, y = self.city.project(np.array([case.lon]), np.array([case.lat]))
        self.selection.setData(x, y)
        view = self.plot.getViewBox()
        if center and not view.viewRect().contains(QPointF(float(x[0]), float(y[0]))):
            view.translateBy(
                x=float(x[0]) - view.viewRect().center().x(), y=float(y[0]) - view.viewRect().center().y()
            )

    def _on_click(self, event: object) -> None:
        if not self._pin_ids or event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        view = self.plot.getViewBox()
        at = view.mapSceneToView(event.scenePos())  # type: ignore[attr-defined]
        metres_x, metres_y = view.viewPixelSize()
        x, y = self._pin_xy
        distance_px = np.hypot((x - at.x()) / metres_x, (y - at.y()) / metres_y)
        nearest = int(np.argmin(distance_px))
        if distance_px[nearest] <= CLICK_RADIUS_PX:
            self.case_selected.emit(self._pin_ids[nearest])
