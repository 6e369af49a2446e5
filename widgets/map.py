"""The live city map: districts, unit grids and roads under sensors, vehicles and case pins.

The backdrop (district fills and outlines, grid lines, roads) is one item that
Qt caches at device resolution, so a frame blits it instead of re-stroking
thousands of lines.  Each live layer is one item drawing numpy point arrays as
pre-rendered sprites in a single ``drawPixmapFragments`` call, so a frame with
10,000 moving vehicles costs a few milliseconds (DESIGN.md rules 5 and 6).
Coordinates are local metres (``City.project``): distances and shapes are true.

What is urgent is big, bright and on top: overdue pins, alarmed sensors.
Vehicles are small triangles in hues no alert uses; the backdrop is in cool tones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from console import i18n
from console.models import LIGHT_COLORS, HallColors
from console.state import SENSOR_STATES, VEHICLE_KIND_CODES, VEHICLE_STATUS_CODES, Changes, HallState
from feeds.city import City
from feeds.domain import LIGHTS, SENSOR_KINDS, Light, lights
from feeds.wire import Case

BACKGROUND = HallColors.BACKGROUND
DISTRICT_COLORS = ("#3b82f6", "#8b5cf6", "#0891b2", "#6366f1", "#64748b", "#0ea5e9")
GRID_COLOR = "#1c2a44"
ROAD_COLOR = "#50658c"
SENSOR_COLORS = {
    "normal": "#4b6a5a",
    "warning": HallColors.ORANGE,
    "alarm": HallColors.RED,
    "offline": "#6b7280",
}
VEHICLE_COLORS = {"sanitation": "#22d3ee", "muck": "#b794f6", "enforcement": "#5b7cfa", "repair": "#f1f5f9"}
DIM_STATUSES = ("idle", "offline")
PIN_PX = {Light.RED: 15.0, Light.YELLOW: 11.0, Light.GREEN: 9.0}  # overdue pins are drawn largest
RING_PX = 25.0  # escalated (督办) cases: a ring around the pin
CLICK_RADIUS_PX = 12.0
SCALE_BAR_PX = 140.0  # the scale bar is at most this long
MAX_ALARM_LABELS = 12
LABEL_FONT = "Noto Sans CJK SC"


class Mark(NamedTuple):
    """How a point of one style looks: a shape of ``size`` pixels, whatever the zoom."""

    color: str
    size: float
    alpha: int = 255
    shape: str = "circle"  # circle, square, triangle, ring, beacon (a dot in a halo), target


class PointLayer(pg.GraphicsObject):
    """Many points, one item: a style index per point picks its mark.

    Each mark is rendered once into an atlas pixmap; a paint maps all points
    to pixels with numpy and draws every sprite in one ``drawPixmapFragments``
    call, the technique of pyqtgraph's ScatterPlotItem without its per-point
    bookkeeping.  Points are drawn in array order: later ones on top.
    """

    def __init__(self, marks: Sequence[Mark], z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self._atlas, self._sources = _sprite_atlas(marks)
        self._reach_px = max(mark.size for mark in marks) / 2 + 1
        self._fragments = np.zeros((0, 10))  # QPainter.PixmapFragment rows, reused between paints
        self._extent = QRectF()
        self._pad: float | None = None  # metres covering half a mark at the current zoom
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.style = np.zeros(0, np.int64)

    def set_points(self, x: np.ndarray, y: np.ndarray, style: np.ndarray) -> None:
        keep = np.isfinite(x) & np.isfinite(y)
        self.x, self.y, self.style = x[keep], y[keep], style[keep]
        self.prepareGeometryChange()
        if len(self.x):
            left, bottom = float(self.x.min()), float(self.y.min())
            self._extent = QRectF(left, bottom, float(self.x.max()) - left, float(self.y.max()) - bottom)
        else:
            self._extent = QRectF()
        self.update()

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()
        self._pad = None
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        if not len(self.x):
            return QRectF()
        if self._pad is None:
            self._pad = (self.pixelLength(QPointF(1, 0)) or 0.0) * self._reach_px
        return self._extent.adjusted(-self._pad, -self._pad, self._pad, self._pad)

    def paint(self, painter: QPainter, *_args: object) -> None:
        count = len(self.x)
        if not count:
            return
        if len(self._fragments) < count:
            self._fragments = np.zeros((2 * count, 10))
        table = self._fragments[:count]
        t = painter.transform()
        table[:, 0] = self.x * t.m11() + self.y * t.m21() + t.dx()
        table[:, 1] = self.x * t.m12() + self.y * t.m22() + t.dy()
        table[:, 2:6] = self._sources[self.style]
        table[:, 6:10] = (1.0, 1.0, 0.0, 1.0)  # scale x, scale y, rotation, opacity
        painter.resetTransform()
        first = shiboken6.wrapInstance(table.ctypes.data, QPainter.PixmapFragment)
        painter.drawPixmapFragments(first, count, self._atlas)


def _sprite_atlas(marks: Sequence[Mark]) -> tuple[QPixmap, np.ndarray]:
    """One pixmap holding every mark side by side, and each mark's source rectangle (x, y, w, h)."""
    cells = [math.ceil(mark.size) + 2 for mark in marks]
    atlas = QPixmap(sum(cells), max(cells))
    atlas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(atlas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    sources = np.zeros((len(marks), 4))
    left = 0
    for n, (mark, cell) in enumerate(zip(marks, cells, strict=True)):
        centre = QPointF(left + cell / 2, cell / 2)
        _draw_mark(painter, mark, centre)
        sources[n] = (left, 0, cell, cell)
        left += cell
    painter.end()
    return atlas, sources


def _draw_mark(painter: QPainter, mark: Mark, centre: QPointF) -> None:
    color = QColor(mark.color)
    color.setAlpha(mark.alpha)
    radius = mark.size / 2
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    if mark.shape == "circle":
        painter.drawEllipse(centre, radius, radius)
    elif mark.shape == "square":  # a dark edge keeps touching pins apart
        painter.setPen(QPen(QColor(BACKGROUND), 1.5))
        painter.drawRect(QRectF(centre.x() - radius, centre.y() - radius, mark.size, mark.size))
    elif mark.shape == "triangle":
        corners = ((0.0, -1.0), (0.9, 0.8), (-0.9, 0.8))  # pointing up, centred on the position
        painter.drawPolygon(QPolygonF([centre + QPointF(dx * radius, dy * radius) for dx, dy in corners]))
    elif mark.shape == "ring":
        painter.setPen(QPen(color, 2.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, radius - 1.5, radius - 1.5)
    elif mark.shape == "beacon":
        painter.drawEllipse(centre, radius * 0.55, radius * 0.55)
        halo = QColor(color)
        halo.setAlpha(150)
        painter.setPen(QPen(halo, 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, radius - 1.0, radius - 1.0)
    elif mark.shape == "target":  # the selected case: a ring with ticks, like no other mark
        painter.setPen(QPen(color, 3.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inner, outer = radius * 0.6, radius - 1.5
        painter.drawEllipse(centre, inner, inner)
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            painter.drawLine(
                centre + QPointF(dx * inner, dy * inner), centre + QPointF(dx * outer, dy * outer)
            )
    else:
        raise ValueError(f"unknown mark shape {mark.shape!r}")


class CityBackdrop(QGraphicsItem):
    """District fills and outlines, unit grid lines and roads: drawn once per zoom level.

    Qt keeps the drawing in a device-resolution cache and blits it each frame,
    redrawing only when the zoom changes.
    """

    def __init__(self, strokes: Sequence[tuple[QPainterPath, QPen, QBrush]]) -> None:
        super().__init__()
        self._strokes = strokes
        self.extent = QRectF()  # of the city, in metres
        for path, _pen, _brush in strokes:
            self.extent = self.extent.united(path.boundingRect())
        margin_x, margin_y = 0.01 * self.extent.width(), 0.01 * self.extent.height()  # room for outlines
        self._bounds = self.extent.adjusted(-margin_x, -margin_y, margin_x, margin_y)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, *_args: object) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for path, pen, brush in self._strokes:
            painter.setPen(pen)
            painter.setBrush(brush)
            painter.drawPath(path)


def _cosmetic_pen(color: QColor | str, width: float) -> QPen:
    pen = QPen(QColor(color), width)
    pen.setCosmetic(True)  # width in pixels at every zoom
    return pen


@dataclass
class Pins:
    """The cases on the map as arrays: where they are and what decides their look."""

    ids: list[str]
    x: np.ndarray
    y: np.ndarray
    deadline: np.ndarray
    limit_s: np.ndarray
    escalated: np.ndarray

    @classmethod
    def of(cls, cases: Iterable[Case], city: City) -> Pins:
        listed = list(cases)
        count = len(listed)
        x, y = city.project(
            np.fromiter((c.lon for c in listed), float, count),
            np.fromiter((c.lat for c in listed), float, count),
        )
        return cls(
            ids=[c.id for c in listed],
            x=x,
            y=y,
            deadline=np.fromiter((c.deadline for c in listed), float, count),
            limit_s=np.fromiter((c.limit_s for c in listed), float, count),
            escalated=np.fromiter((c.escalations > 0 for c in listed), bool, count),
        )


def nice_length(metres: float) -> float:
    """The longest 1, 2 or 5 × 10ⁿ metres not above ``metres``: a length read at a glance."""
    power = 10.0 ** math.floor(math.log10(metres))
    return max(step * power for step in (1, 2, 5) if step * power <= metres)


class QtCityMap(QWidget):
    """The city with its sensors, vehicles and case pins, redrawn on the console's frame clock."""

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
        self._draw_backdrop()
        self._label_districts()
        self.sensors = PointLayer(_sensor_marks(), z=20)
        self.vehicles = PointLayer(_vehicle_marks(), z=30)
        self.pins = PointLayer(_pin_marks(), z=40)
        self.selection = PointLayer([Mark(HallColors.TEXT, 46.0, shape="target")], z=50)
        for layer in (self.sensors, self.vehicles, self.pins, self.selection):
            self.plot.addItem(layer, ignoreBounds=True)
        self._pins = Pins.of([], city)
        self._pin_lights: np.ndarray | None = None  # light codes the pins are drawn with
        self._second = -1  # lights change on whole seconds, as in the case queue
        self._alarm_labels: list[pg.TextItem] = []
        self._selected: str | None = None
        self.scale_bar = self._scale_bar()
        self.legend = self._legend()
        self.plot.scene().sigMouseClicked.connect(self._on_click)

    # -- static layers ----------------------------------------------------------

    def _draw_backdrop(self) -> None:
        strokes: list[tuple[QPainterPath, QPen, QBrush]] = []
        for n, district in enumerate(self.city.districts):
            color = QColor(DISTRICT_COLORS[n % len(DISTRICT_COLORS)])
            fill = QColor(color)
            fill.setAlpha(30)
            color.setAlpha(200)
            strokes.append(
                (_polyline_path(self.city, [district.polygon]), _cosmetic_pen(color, 2), QBrush(fill))
            )
        no_fill = QBrush(Qt.BrushStyle.NoBrush)
        grid_lines = _polyline_path(self.city, (g.polygon for g in self.city.grids))
        roads = _polyline_path(self.city, (r.points for r in self.city.roads))
        strokes.append((grid_lines, _cosmetic_pen(GRID_COLOR, 1), no_fill))
        strokes.append((roads, _cosmetic_pen(ROAD_COLOR, 2), no_fill))
        backdrop = CityBackdrop(strokes)
        self.plot.addItem(backdrop)
        self.plot.setRange(backdrop.extent, padding=0.02)

    def _label_districts(self) -> None:
        for n, district in enumerate(self.city.districts):
            x, y = self.city.project(district.polygon[:, 0], district.polygon[:, 1])
            color = QColor(DISTRICT_COLORS[n % len(DISTRICT_COLORS)]).lighter(150)
            name = district.zh if i18n.chinese() else district.en
            label = pg.TextItem(name, color=color, anchor=(0.5, 0.5))
            label.setFont(QFont(LABEL_FONT, 16, QFont.Weight.Bold))
            label.setPos(float(np.mean(x[:-1])), float(np.mean(y[:-1])))
            label.setZValue(5)
            self.plot.addItem(label)

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
                [key(LIGHT_COLORS[light], light_names[light], "■") for light in LIGHTS]
                + [key(HallColors.TEXT, self.tr("Escalated"), "◯")],
            ),
            row(self.tr("Sensors"), (key(SENSOR_COLORS[s], name, "●") for s, name in state_names.items())),
            row(
                self.tr("Vehicles"),
                [key(VEHICLE_COLORS[k], i18n.vehicle_kind_name(k), "▲") for k in VEHICLE_KIND_CODES]
                + [key(HallColors.TEXT, self.tr("Idle or offline"), "▲", alpha=110)],
            ),
        ]
        legend = QLabel("<br>".join(rows), self.plot)
        legend.setObjectName("mapLegend")
        legend.setStyleSheet(f"background: rgba(11,18,32,215); color: {HallColors.TEXT}; padding: 6px 10px;")
        legend.setFont(QFont(LABEL_FONT, 11))
        legend.move(10, 10)
        legend.adjustSize()
        return legend

    # -- live layers ----------------------------------------------------------

    def refresh(self, changes: Changes, now: float) -> None:
        """Redraw what changed since the last frame; pins also when a light turns with time."""
        if changes.sensors or "sensors" in changes.reset:
            self._draw_sensors()
        if changes.vehicles or "vehicles" in changes.reset:
            self._draw_vehicles()
        cases_changed = bool(changes.cases) or "cases" in changes.reset
        if cases_changed:
            self._pins = Pins.of(self.state.cases.values(), self.city)
            self._pin_lights = None
            self._show_selection()
        second = math.floor(now)
        if cases_changed or second != self._second:
            self._second = second
            self._draw_pins()

    def _draw_sensors(self) -> None:
        table = self.state.sensor_points
        n = len(table)
        x, y = self.city.project(table.lon[:n], table.lat[:n])
        state = table.state[:n].astype(np.int64)
        order = np.argsort(_SENSOR_DRAW_RANK[state], kind="stable")  # alarms on top, offline under all
        self.sensors.set_points(x[order], y[order], state[order])
        self._label_alarms()

    def _label_alarms(self) -> None:
        alarmed = sorted(
            (s for s in self.state.sensors.values() if s.state == "alarm"),
            key=lambda s: (SENSOR_KINDS[s.kind].priority if s.kind in SENSOR_KINDS else 9, -(s.value or 0.0)),
        )[:MAX_ALARM_LABELS]  # the most urgent get the few labels there is room for
        while len(self._alarm_labels) < len(alarmed):
            label = pg.TextItem(color="#ffb4ab", anchor=(0, 1.2))
            label.setFont(QFont(LABEL_FONT, 11, QFont.Weight.Bold))
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

    def _draw_pins(self) -> None:
        """Pins in their light's style, red ones last (on top), rings of escalated cases over them."""
        pins = self._pins
        light = lights(pins.deadline, pins.limit_s, self._second).astype(np.int64)
        if self._pin_lights is not None and np.array_equal(light, self._pin_lights):
            return
        self._pin_lights = light
        order = np.argsort(-light, kind="stable")
        ring = np.flatnonzero(pins.escalated)
        self.pins.set_points(
            np.concatenate([pins.x[order], pins.x[ring]]),
            np.concatenate([pins.y[order], pins.y[ring]]),
            np.concatenate([light[order], np.full(len(ring), len(LIGHTS))]),
        )

    # -- selection ------------------------------------------------------------

    def select_case(self, case_id: str | None) -> None:
        """Ring the case's pin and bring it into view if it is not."""
        self._selected = case_id
        self._show_selection(center=True)

    def _show_selection(self, center: bool = False) -> None:
        case = self.state.cases.get(self._selected or "")
        if case is None:
            self.selection.set_points(np.zeros(0), np.zeros(0), np.zeros(0, np.int64))
            return
        x, y = self.city.project(np.array([case.lon]), np.array([case.lat]))
        self.selection.set_points(x, y, np.zeros(1, np.int64))
        view = self.plot.getViewBox()
        shown = view.viewRect()
        if center and not shown.contains(QPointF(float(x[0]), float(y[0]))):
            view.translateBy(x=float(x[0]) - shown.center().x(), y=float(y[0]) - shown.center().y())

    def _on_click(self, event: object) -> None:
        pins = self._pins
        if not pins.ids or event.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        view = self.plot.getViewBox()
        at = view.mapSceneToView(event.scenePos())  # type: ignore[attr-defined]
        metres_x, metres_y = view.viewPixelSize()
        distance_px = np.hypot((pins.x - at.x()) / metres_x, (pins.y - at.y()) / metres_y)
        nearest = int(np.argmin(distance_px))
        if distance_px[nearest] <= CLICK_RADIUS_PX:
            self.case_selected.emit(pins.ids[nearest])


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
    return [Mark(LIGHT_COLORS[light], PIN_PX[light], shape="square") for light in LIGHTS] + [
        Mark(HallColors.TEXT, RING_PX, 230, "ring")
    ]


def _polyline_path(city: City, lines: Iterable[np.ndarray]) -> QPainterPath:
    """Many lon/lat polylines as one path in metres (NaN rows break the line between them)."""
    parts = []
    for line in lines:
        x, y = city.project(line[:, 0], line[:, 1])
        parts.append(np.column_stack([x, y]))
        parts.append(np.full((1, 2), np.nan))
    points = np.concatenate(parts)
    path: QPainterPath = pg.arrayToQPath(points[:, 0], points[:, 1], connect="finite")
    return path
