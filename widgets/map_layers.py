"""The map's graphics items: one item per layer, never one per point, line or label.

- :class:`PointLayer`: numpy point arrays drawn as pre-rendered sprites in one
  ``drawPixmapFragments`` call (pyqtgraph's ScatterPlotItem technique), the
  sprites rendered at the screen's device pixel ratio so they stay crisp on
  high-DPI walls;
- :class:`CityBackdrop`: district fills, area outlines and roads, simplified
  for the zoom and cached by Qt at device resolution;
- :class:`LabelLayer`: area and road names for the zoom, placed so that none
  overlaps another;
- :class:`ClusterLayer`: case pins gathered into counted circles when there
  are too many to show one by one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar, NamedTuple

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from console.basemap import BaseMap, Clusters, Label
from console.palette import HallColors

LABEL_FONT = "Noto Sans CJK SC"


class Mark(NamedTuple):
    """How a point of one style looks: a shape of ``size`` pixels, whatever the zoom."""

    color: str
    size: float
    alpha: int = 255
    shape: str = "circle"  # circle, square, triangle, ring, beacon (a dot in a halo), target


def metres_per_px(painter: QPainter) -> float:
    """The scale a painter draws at: metres of the city per device-independent pixel."""
    transform = painter.worldTransform()
    return 1.0 / max(math.hypot(transform.m11(), transform.m12()), 1e-12)


class PointLayer(pg.GraphicsObject):
    """Many points, one item: a style index per point picks its mark.

    Each mark is rendered once into an atlas pixmap; a paint maps all points
    to pixels with numpy and draws every sprite in one ``drawPixmapFragments``
    call.  Points are drawn in array order: later ones on top.
    """

    def __init__(self, marks: Sequence[Mark], z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self._marks = list(marks)
        self._atlas, self._sources = sprite_atlas(self._marks, 1.0)
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
        ratio = painter.device().devicePixelRatioF()
        if ratio != self._atlas.devicePixelRatio():  # a screen of another density: sharp sprites for it
            self._atlas, self._sources = sprite_atlas(self._marks, ratio)
        if len(self._fragments) < count:
            self._fragments = np.zeros((2 * count, 10))
        table = self._fragments[:count]
        t = painter.transform()
        table[:, 0] = self.x * t.m11() + self.y * t.m21() + t.dx()
        table[:, 1] = self.x * t.m12() + self.y * t.m22() + t.dy()
        table[:, 2:6] = self._sources[self.style]
        scale = 1.0 / ratio  # sources are device pixels; targets are logical pixels
        table[:, 6:10] = (scale, scale, 0.0, 1.0)  # scale x, scale y, rotation, opacity
        painter.resetTransform()
        first = shiboken6.wrapInstance(table.ctypes.data, QPainter.PixmapFragment)
        painter.drawPixmapFragments(first, count, self._atlas)


def sprite_atlas(marks: Sequence[Mark], ratio: float) -> tuple[QPixmap, np.ndarray]:
    """One pixmap holding every mark side by side, rendered at ``ratio`` device pixels per
    pixel, and each mark's source rectangle (x, y, w, h) in device pixels."""
    cells = [math.ceil(mark.size) + 2 for mark in marks]
    atlas = QPixmap(math.ceil(sum(cells) * ratio), math.ceil(max(cells) * ratio))
    atlas.setDevicePixelRatio(ratio)
    atlas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(atlas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    sources = np.zeros((len(marks), 4))
    left = 0
    for n, (mark, cell) in enumerate(zip(marks, cells, strict=True)):
        _draw_mark(painter, mark, QPointF(left + cell / 2, cell / 2))
        sources[n] = (left * ratio, 0, cell * ratio, cell * ratio)
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
        painter.setPen(QPen(QColor(HallColors.BACKGROUND), 1.5))
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


def cosmetic_pen(color: QColor | str, width: float) -> QPen:
    pen = QPen(QColor(color), width)
    pen.setCosmetic(True)  # width in pixels at every zoom
    return pen


def lines_path(xy: np.ndarray) -> QPainterPath:
    """An (N, 2) array of lines broken by NaN rows as one path."""
    if not len(xy):
        return QPainterPath()
    path: QPainterPath = pg.arrayToQPath(xy[:, 0], xy[:, 1], connect="finite")
    return path


class CityBackdrop(QGraphicsItem):
    """District fills and outlines, finer area outlines and roads, for the zoom at hand.

    Each paint picks the outlines simplified to about half a pixel and the
    area levels big enough to see; paths are built once per level of detail.
    Qt keeps the drawing in a device-resolution cache and blits it each frame,
    so it is redrawn only when the zoom changes."""

    DISTRICT_COLORS = ("#3b82f6", "#8b5cf6", "#0891b2", "#6366f1", "#64748b", "#0ea5e9")
    OUTLINE: ClassVar[dict[str, tuple[str, float]]] = {  # level: (colour, width in px)
        "street": ("#3a5078", 1.2),
        "community": ("#25385a", 1.0),
        "grid": ("#1c2a44", 1.0),
    }
    ROAD_COLOR = "#50658c"

    def __init__(self, basemap: BaseMap) -> None:
        super().__init__()
        self.basemap = basemap
        left, bottom, right, top = basemap.extent
        self.extent = QRectF(left, bottom, right - left, top - bottom)  # of the city, in metres
        margin_x, margin_y = 0.01 * self.extent.width(), 0.01 * self.extent.height()  # room for outlines
        self._bounds = self.extent.adjusted(-margin_x, -margin_y, margin_x, margin_y)
        self._paths: dict[tuple[str, float], QPainterPath | list[QPainterPath]] = {}
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _path(self, what: str, tolerance: float) -> QPainterPath:
        key = (what, tolerance)
        if key not in self._paths:
            xy = self.basemap.roads(tolerance) if what == "roads" else self.basemap.outlines(what, tolerance)
            self._paths[key] = lines_path(xy)
        return self._paths[key]  # type: ignore[return-value]

    def _districts(self, tolerance: float) -> list[QPainterPath]:
        key = ("district-fills", tolerance)
        if key not in self._paths:
            self._paths[key] = [lines_path(rings) for rings in self.basemap.district_rings(tolerance)]
        return self._paths[key]  # type: ignore[return-value]

    def paint(self, painter: QPainter, *_args: object) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        scale = metres_per_px(painter)
        tolerance = self.basemap.tolerance(scale)
        shown = self.basemap.levels_shown(scale)
        for n, path in enumerate(self._districts(tolerance)):
            color = QColor(self.DISTRICT_COLORS[n % len(self.DISTRICT_COLORS)])
            fill = QColor(color)
            fill.setAlpha(30)
            color.setAlpha(200)
            painter.setPen(cosmetic_pen(color, 2))
            painter.setBrush(QBrush(fill))
            painter.drawPath(path)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # Thin dense lines need no antialiasing (it costs most of a big city's first frame).
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for level in reversed(shown):  # finest under coarser
            if level in self.OUTLINE:
                color, width = self.OUTLINE[level]
                painter.setPen(cosmetic_pen(color, width))
                painter.drawPath(self._path(level, tolerance))
        painter.setPen(cosmetic_pen(self.ROAD_COLOR, 2 if scale < 20 else 1))
        painter.drawPath(self._path("roads", tolerance))


class LabelLayer(QGraphicsItem):
    """Area and road names for the zoom, each drawn upright at its anchor, biggest first,
    skipping any that would overlap a label already placed."""

    STYLE: ClassVar[dict[str, tuple[int, bool, str]]] = {  # level: (point size, bold, colour)
        "district": (16, True, "#a5c8ff"),
        "street": (12, False, "#8ea4c8"),
        "community": (10, False, "#6f84a8"),
        "road": (10, False, "#9fb3d6"),
    }

    def __init__(self, basemap: BaseMap) -> None:
        super().__init__()
        self.basemap = basemap
        left, bottom, right, top = basemap.extent
        self._bounds = QRectF(left, bottom, right - left, top - bottom).adjusted(-2000, -2000, 2000, 2000)
        self._fonts = {
            level: QFont(LABEL_FONT, size, QFont.Weight.Bold if bold else -1)
            for level, (size, bold, _) in self.STYLE.items()
        }
        self.placed: list[tuple[str, QRectF]] = []  # what the last paint showed, for tests and the curious
        self.reserved: list[QRectF] = []  # device boxes of more urgent labels (alarms): names yield to them
        self.setZValue(8)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, *_args: object) -> None:
        labels = self.basemap.labels_shown(metres_per_px(painter))
        transform = painter.transform()
        visible = transform.mapRect(option.exposedRect)  # type: ignore[attr-defined]
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.placed = []
        for label in labels:
            box = self._box(label, transform.map(QPointF(label.x, label.y)))
            taken = (other for _, other in self.placed)
            if not visible.intersects(box) or any(
                box.intersects(other) for other in (*self.reserved, *taken)
            ):
                continue
            self.placed.append((label.text, box))
            self._draw(painter, label, box)

    def reserve(self, boxes: list[QRectF]) -> None:
        if boxes != self.reserved:
            self.reserved = boxes
            self.update()

    def _box(self, label: Label, at: QPointF) -> QRectF:
        metrics = QFontMetricsF(self._fonts[label.level])
        width, height = metrics.horizontalAdvance(label.text) + 6, metrics.height() + 2
        return QRectF(at.x() - width / 2, at.y() - height / 2, width, height)

    def _draw(self, painter: QPainter, label: Label, box: QRectF) -> None:
        font = self._fonts[label.level]
        path = QPainterPath()
        baseline = box.center().y() + QFontMetricsF(font).ascent() / 2 - 1
        path.addText(QPointF(box.left() + 3, baseline), font, label.text)
        painter.setPen(QPen(QColor(HallColors.BACKGROUND), 3.0))  # a dark halo: readable over roads
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self.STYLE[label.level][2]))
        painter.drawPath(path)


class ClusterLayer(pg.GraphicsObject):
    """Counted circles standing for many case pins, in the colour of their most urgent pin."""

    def __init__(self, colors: Sequence[str], z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self._brushes = [QBrush(QColor(c)) for c in colors]
        self._font = QFont(LABEL_FONT, 10, QFont.Weight.Bold)
        self.clusters = Clusters(np.zeros(0), np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int64))
        self._extent = QRectF()

    def set_clusters(self, clusters: Clusters) -> None:
        self.clusters = clusters
        self.prepareGeometryChange()
        if len(clusters.x):
            left, bottom = float(clusters.x.min()), float(clusters.y.min())
            self._extent = QRectF(
                left, bottom, float(clusters.x.max()) - left, float(clusters.y.max()) - bottom
            )
        else:
            self._extent = QRectF()
        self.update()

    @staticmethod
    def radius_px(count: int) -> float:
        return 11.0 + 5.0 * math.log10(max(count, 1))

    def boundingRect(self) -> QRectF:
        if not len(self.clusters.x):
            return QRectF()
        pad = (self.pixelLength(QPointF(1, 0)) or 0.0) * 40
        return self._extent.adjusted(-pad, -pad, pad, pad)

    def paint(self, painter: QPainter, *_args: object) -> None:
        c = self.clusters
        if not len(c.x):
            return
        transform = painter.transform()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(self._font)
        order = np.argsort(-c.worst, kind="stable")  # the most urgent drawn last, on top
        for k in order.tolist():
            at = transform.map(QPointF(float(c.x[k]), float(c.y[k])))
            radius = self.radius_px(int(c.count[k]))
            painter.setPen(QPen(QColor(HallColors.BACKGROUND), 2.0))
            painter.setBrush(self._brushes[min(int(c.worst[k]), len(self._brushes) - 1)])
            painter.drawEllipse(at, radius, radius)
            painter.setPen(QColor(HallColors.BACKGROUND))
            painter.drawText(
                QRectF(at.x() - radius, at.y() - radius, 2 * radius, 2 * radius),
                Qt.AlignmentFlag.AlignCenter,
                str(int(c.count[k])),
            )
