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
  are too many to show one by one;
- :class:`TrailLayer`: every vehicle's trail of the last minutes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import ClassVar, NamedTuple

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from console.basemap import BaseMap, Clusters, Label
from console.palette import HallColors
from console.trails import TrailPicture, Trails, age_shades

LABEL_FONT = "Noto Sans CJK SC"


class Mark(NamedTuple):
    """How a point of one style looks: a shape of ``size`` pixels, whatever the zoom."""

    color: str
    size: float
    alpha: int = 255
    shape: str = "circle"  # circle, square, triangle, ring, halo (a ring around a glow), target


def metres_per_px(painter: QPainter) -> float:
    """The scale a painter draws at: metres of the city per device-independent pixel."""
    transform = painter.worldTransform()
    return 1.0 / max(math.hypot(transform.m11(), transform.m12()), 1e-12)


class Layer(pg.GraphicsObject):
    """A live layer over the map: its marks reach ``reach_px`` pixels around the points of its
    extent (None: nothing to draw), whatever the zoom."""

    def __init__(self, reach_px: float, z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self._reach_px = reach_px
        self._extent: QRectF | None = None
        self._pad: float | None = None  # metres covering reach_px at the current zoom

    def set_extent(self, extent: QRectF | None) -> None:
        self.prepareGeometryChange()
        self._extent = extent
        self.update()

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()
        self._pad = None
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        if self._extent is None:
            return QRectF()
        if self._pad is None:
            self._pad = (self.pixelLength(QPointF(1, 0)) or 0.0) * self._reach_px
        return self._extent.adjusted(-self._pad, -self._pad, self._pad, self._pad)


def _bounds(x: np.ndarray, y: np.ndarray) -> QRectF | None:
    """The rectangle around the finite points of ``x`` and ``y`` (None without any)."""
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return None
    left, bottom = float(x[finite].min()), float(y[finite].min())
    return QRectF(left, bottom, float(x[finite].max()) - left, float(y[finite].max()) - bottom)


class PointLayer(Layer):
    """Many points, one item: a style index per point picks its mark.

    Each mark is rendered once into an atlas pixmap; a paint maps all points
    to pixels with numpy and draws every sprite in one ``drawPixmapFragments``
    call.  Points are drawn in array order: later ones on top.
    """

    def __init__(self, marks: Sequence[Mark], z: float) -> None:
        super().__init__(max(mark.size for mark in marks) / 2 + 1, z)
        self._marks = list(marks)
        self._atlas, self._sources = sprite_atlas(self._marks, 1.0)
        self._fragments = np.zeros((0, 10))  # QPainter.PixmapFragment rows, reused between paints
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.style = np.zeros(0, np.int64)

    def set_points(self, x: np.ndarray, y: np.ndarray, style: np.ndarray) -> None:
        keep = np.isfinite(x) & np.isfinite(y)
        self.x, self.y, self.style = x[keep], y[keep], style[keep]
        self.set_extent(_bounds(self.x, self.y))

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
    elif mark.shape == "halo":  # an alarm standing: a ring in its colour around a glow of it
        glow = QColor(color)
        glow.setAlpha(60)
        painter.setBrush(glow)
        painter.setPen(QPen(color, 2.5))
        painter.drawEllipse(centre, radius - 1.5, radius - 1.5)
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


class ClusterLayer(Layer):
    """Counted circles standing for many case pins, in the colour of their most urgent pin."""

    def __init__(self, colors: Sequence[str], z: float) -> None:
        super().__init__(40.0, z)
        self._brushes = [QBrush(QColor(c)) for c in colors]
        self._font = QFont(LABEL_FONT, 10, QFont.Weight.Bold)
        self.clusters = Clusters(np.zeros(0), np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int64))

    def set_clusters(self, clusters: Clusters) -> None:
        self.clusters = clusters
        self.set_extent(_bounds(clusters.x, clusters.y))

    @staticmethod
    def radius_px(count: int) -> float:
        return 11.0 + 5.0 * math.log10(max(count, 1))

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


class TrailLayer(Layer):
    """Every vehicle's trail in one item (:mod:`console.trails`).

    The sampled trails are a picture of the view, coloured by age when a sample
    period begins and drawn anew only for a new view; while the view moves,
    the last picture moves along with it until the view rests ``SETTLE_S``
    (:attr:`waiting` then asks for a paint).  Over it, every paint: a line from
    each vehicle's newest sample to where it is now, and the whole trails of
    vehicles with an alarm standing, thicker, in the alarm's colour.
    """

    SETTLE_S = 0.25
    NEWEST_ALPHA, OLDEST_ALPHA = 150, 25  # faded with age: thin, grey, out of the way

    def __init__(self, trails: Trails, color: str, alarm_colors: Mapping[int, str], z: float) -> None:
        super().__init__(2.0, z)  # the alarmed trails' pen
        self.trails = trails
        self.x = self.y = np.zeros(0)  # where each vehicle row is now
        self.alarmed: dict[int, np.ndarray] = {}  # priority → rows of vehicles with such an alarm standing
        self._shades = age_shades(color, trails.size, self.NEWEST_ALPHA, self.OLDEST_ALPHA)
        fresh = QColor(color)
        fresh.setAlpha(self.NEWEST_ALPHA)
        self._end_pen = cosmetic_pen(fresh, 1.0)
        # Twice as wide as the others and opaque, without antialiasing (40 ms instead of 3 for 50 trails).
        self._alarm_pens = {priority: cosmetic_pen(c, 2.0) for priority, c in alarm_colors.items()}
        self.picture: TrailPicture | None = None
        self.to_picture = QTransform()  # view metres → pixels of the picture
        self._pixels = np.zeros((0, 0), np.uint32)  # the picture's colours, which the image shows
        self._image = QImage()
        self._drawn: int | None = None  # the sample period the picture shows
        self._seen: tuple[QTransform, tuple[int, int]] | None = None  # the view at the last paint …
        self._moved_at = -math.inf  # … and when it was first seen
        self.waiting = False  # the view has come to rest on a picture made for another
        self._history_extent: tuple[int | None, QRectF | None] = (None, None)
        self._alarmed_key: object = None  # the period and rows the alarmed paths were made for
        self._alarmed_paths: dict[int, QPainterPath] = {}

    def show_vehicles(self, x: np.ndarray, y: np.ndarray, alarmed: dict[int, np.ndarray]) -> None:
        """Where each vehicle row is now, and the rows with an alarm standing, by priority."""
        self.x, self.y, self.alarmed = x, y, alarmed
        here, history = _bounds(x, y), self._history()
        self.set_extent(history if here is None else here if history is None else here.united(history))

    def redraw(self) -> None:
        """Draw the picture anew at the next paint (the trails are of another city)."""
        self.picture = None
        self.update()

    def _history(self) -> QRectF | None:
        period, extent = self._history_extent
        if period != self.trails.period:
            extent = _bounds(self.trails.x, self.trails.y)
            self._history_extent = (self.trails.period, extent)
        return extent

    def paint(self, painter: QPainter, *_args: object) -> None:
        view = self.getViewBox()
        if view is None or self.trails.period is None or not len(self.x):
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # 10 times faster, as sharp
        transform = painter.transform()
        shown = transform.mapRect(view.viewRect()).toAlignedRect()
        to_picture = transform * QTransform.fromTranslate(-shown.left(), -shown.top())
        size = (shown.width(), shown.height())
        if (to_picture, size) != self._seen:  # the view moved since the last paint
            self._seen, self._moved_at = (to_picture, size), time.monotonic()
        picture = self.picture
        if picture is None or (self.to_picture, (picture.width, picture.height)) != self._seen:
            self.waiting = picture is not None and time.monotonic() - self._moved_at < self.SETTLE_S
            if not self.waiting:
                self._draw_all(to_picture, *size)
        elif self._drawn != self.trails.period:
            self._draw_new()
        painter.setTransform(self.to_picture.inverted()[0] * transform)
        painter.drawImage(QPointF(0, 0), self._image)
        painter.setTransform(transform)
        painter.setPen(self._end_pen)
        self._draw_ends(painter)
        self._draw_alarmed(painter)

    def _draw_all(self, to_picture: QTransform, width: int, height: int) -> None:
        self.picture, self.to_picture = TrailPicture(width, height), to_picture
        for period, *line in self.trails.steps():
            self.picture.draw(period, *self._in_picture(*line))
        self._colour()

    def _draw_new(self) -> None:
        assert self.picture is not None and self._drawn is not None and self.trails.period is not None
        if self.trails.period - self._drawn >= self.trails.size:
            self._draw_all(self.to_picture, self.picture.width, self.picture.height)
            return
        for period in range(self._drawn + 1, self.trails.period + 1):
            _period, *line = self.trails.step(period)
            self.picture.draw(period, *self._in_picture(*line))
        self._colour()

    def _in_picture(
        self, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Lines in view metres as lines in pixels of the picture."""
        t = self.to_picture

        def across(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return x * t.m11() + y * t.m21() + t.dx()

        def down(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return x * t.m12() + y * t.m22() + t.dy()

        return across(x0, y0), down(x0, y0), across(x1, y1), down(x1, y1)

    def _colour(self) -> None:
        assert self.picture is not None and self.trails.period is not None
        self._pixels = self.picture.colours(self.trails.period, self._shades)
        height, width = self._pixels.shape
        self._image = QImage(
            self._pixels.data, width, height, 4 * width, QImage.Format.Format_ARGB32_Premultiplied
        )
        self._drawn = self.trails.period

    def _draw_ends(self, painter: QPainter, rows: np.ndarray | slice = slice(None)) -> None:
        """Lines from the newest sample of each vehicle of ``rows`` to where it is now, those at
        least half a pixel long (a vehicle standing still has none)."""
        newest_x, newest_y = self.trails.newest()
        n = min(len(newest_x), len(self.x))
        lines = np.column_stack([v[:n][rows] for v in (newest_x, newest_y, self.x, self.y)])
        length = np.hypot(lines[:, 2] - lines[:, 0], lines[:, 3] - lines[:, 1])
        lines = lines[length >= 0.5 * metres_per_px(painter)]  # NaN ends compare False
        if len(lines):
            painter.drawLines(shiboken6.wrapInstance(lines.ctypes.data, QLineF), len(lines))

    def _draw_alarmed(self, painter: QPainter) -> None:
        """The vehicles with an alarm standing, the most urgent on top: their sampled trails (a path
        made when a period begins or the alarms change), then their ends."""
        key = (self.trails.period, [(p, rows.tobytes()) for p, rows in sorted(self.alarmed.items())])
        if key != self._alarmed_key:
            self._alarmed_key, self._alarmed_paths = key, {}
            for priority, rows in self.alarmed.items():
                x, y = self.trails.ordered(rows)
                gap = np.full((len(rows), 1), np.nan)
                self._alarmed_paths[priority] = pg.arrayToQPath(
                    np.hstack([x, gap]).ravel(), np.hstack([y, gap]).ravel(), connect="finite"
                )
        for priority, rows in sorted(self.alarmed.items(), reverse=True):
            painter.setPen(self._alarm_pens[priority])
            painter.drawPath(self._alarmed_paths[priority])
            self._draw_ends(painter, rows)
