"""Trend charts: any sensor's readings over time, several at once — the history from the hub, then
live — with the class's limits drawn and the times its alarms stood shaded; the wheel zooms and a
drag pans in time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from console import names
from console.palette import HallColors
from console.state import Changes, HallState
from feeds.city.model import SensorClass
from feeds.wire import History

#: The spans offered, in hours.
SPANS_H = (1, 6, 24, 24 * 7, 24 * 30)
#: One pen a sensor, in this order.
PENS = ("#38bdf8", "#a78bfa", "#34d399", "#f472b6", "#fbbf24", "#94a3b8")


@dataclass
class _Series:
    """One sensor on the chart: its mean line and low-high band, and what is drawn from it."""

    curve: pg.PlotDataItem
    band: pg.FillBetweenItem
    low: pg.PlotDataItem
    high: pg.PlotDataItem
    at: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lows: np.ndarray = field(default_factory=lambda: np.zeros(0))
    highs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    alarms: list[pg.LinearRegionItem] = field(default_factory=list)


class QtTrend(QWidget):
    """Trend of the sensors added; asks for their history with ``history_requested`` and takes it
    with :meth:`show_history`; :meth:`refresh` follows their live values once a frame."""

    #: sensor id, since, until (epoch s)
    history_requested = Signal(str, float, float)

    def __init__(self, state: HallState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Trends"))
        self._state = state
        self.series: dict[str, _Series] = {}
        self.limits: dict[str, list[pg.InfiniteLine]] = {}  # sensor class → its limit lines
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()}, background=HallColors.PANEL)
        self.plot.setMouseEnabled(x=True, y=False)  # zoom and pan in time; the values fit themselves
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.addLegend(offset=(10, 10))
        self.picker = QComboBox(editable=True)
        self.picker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.picker.setMinimumWidth(320)
        self.picker.lineEdit().setPlaceholderText(self.tr("Add a sensor: type its name"))
        self.span_combo = QComboBox()
        for hours in SPANS_H:
            text = self.tr("{n} h").format(n=hours) if hours < 24 else self.tr("{n} d").format(n=hours // 24)
            self.span_combo.addItem(text, hours)
        self.span_combo.setCurrentIndex(SPANS_H.index(6))
        self.span_combo.currentIndexChanged.connect(self._reload)
        add = QPushButton(self.tr("Add"))
        add.clicked.connect(lambda: self.add_sensor(str(self.picker.currentData() or "")))
        bar = QHBoxLayout()
        bar.addWidget(self.picker, 1)
        bar.addWidget(add)
        bar.addWidget(self.span_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.plot, 1)
        self.fill_picker()

    # -- public -----------------------------------------------------------------------

    def fill_picker(self) -> None:
        """Every sensor of the hall, by name and kind (typing filters the list)."""
        self.picker.clear()
        for sensor in sorted(self._state.sensors.values(), key=lambda s: (s.kind, s.name)):
            self.picker.addItem(f"{sensor.name} · {names.sensor_kind_name(sensor.kind)}", sensor.id)
        self.picker.setCurrentIndex(-1)  # nothing chosen: the field invites a name

    def set_city(self) -> None:
        """The city arrived (or changed): the sensors' names, and the limits of their classes."""
        for lines in self.limits.values():
            for line in lines:
                self.plot.removeItem(line)
        self.limits = {}
        for sensor_id in self.series:
            sensor = self._state.sensors.get(sensor_id)
            if sensor is not None:
                self._draw_limits(sensor.kind, sensor_id)
        self.fill_picker()

    def span_s(self) -> float:
        return 3600.0 * int(self.span_combo.currentData())

    def add_sensor(self, sensor_id: str) -> None:
        """Put a sensor on the chart and ask for its history over the chosen span."""
        sensor = self._state.sensors.get(sensor_id)
        if sensor is None or sensor_id in self.series:
            return
        pen = pg.mkPen(PENS[len(self.series) % len(PENS)], width=2)
        name = f"{sensor.name} ({sensor.unit})" if sensor.unit else sensor.name
        curve = self.plot.plot(name=name, pen=pen)
        low, high = pg.PlotDataItem(pen=None), pg.PlotDataItem(pen=None)
        band = pg.FillBetweenItem(
            low, high, brush=pg.mkBrush(pen.color().red(), pen.color().green(), pen.color().blue(), 50)
        )
        self.plot.addItem(band)
        self.series[sensor_id] = _Series(curve, band, low, high)
        self._draw_limits(sensor.kind, sensor_id)
        now = time.time()
        self.history_requested.emit(sensor_id, now - self.span_s(), now)

    def show_history(self, history: History) -> None:
        """The hub's answer: the readings, their band, and the alarm periods shaded."""
        series = self.series.get(history.sensor_id)
        if series is None:
            return
        series.at, series.mean = np.array(history.at), np.array(history.mean)
        series.lows, series.highs = np.array(history.low), np.array(history.high)
        for region in series.alarms:
            self.plot.removeItem(region)
        series.alarms = []
        for start, end in history.alarms:
            region = pg.LinearRegionItem(
                (start, end), movable=False, brush=pg.mkBrush(255, 77, 79, 45), pen=pg.mkPen(None)
            )
            region.setZValue(-10)
            self.plot.addItem(region)
            series.alarms.append(region)
        self._redraw(series)
        self._fit_time()

    def refresh(self, changes: Changes, now: float) -> None:
        """New live readings of the sensors shown join their lines."""
        if not changes.sensors:
            return
        for sensor_id, series in self.series.items():
            sensor = self._state.sensors.get(sensor_id)
            if sensor is None or sensor.ts is None or sensor.value is None:
                continue
            if len(series.at) and sensor.ts <= series.at[-1]:
                continue
            series.at = np.append(series.at, sensor.ts)
            series.mean = np.append(series.mean, sensor.value)
            series.lows = np.append(series.lows, sensor.value)
            series.highs = np.append(series.highs, sensor.value)
            self._redraw(series)

    # -- drawing ------------------------------------------------------------------------

    def _fit_time(self) -> None:
        """The chosen span, or less where the sensors have not been heard from that long."""
        now = time.time()
        first = min((float(s.at[0]) for s in self.series.values() if len(s.at)), default=now)
        start = max(now - self.span_s(), first - 0.05 * (now - first))
        self.plot.setXRange(start, now, padding=0.02)

    @staticmethod
    def _redraw(series: _Series) -> None:
        series.curve.setData(series.at, series.mean)
        series.low.setData(series.at, series.lows)
        series.high.setData(series.at, series.highs)

    def _draw_limits(self, kind: str, sensor_id: str) -> None:
        """The limits of a sensor's class (or its site's own), once a class: warnings amber,
        alarms red, dashed."""
        city = self._state.city
        if city is None or kind not in city.sensor_classes or kind in self.limits:
            return
        spec = city.sensor_class(sensor_id, kind)
        self.limits[kind] = [
            self._limit_line(value, color, label, spec)
            for value, color, label in (
                (spec.warning, HallColors.ORANGE, self.tr("warning")),
                (spec.alarm, HallColors.RED, self.tr("alarm")),
                (spec.low_warning, HallColors.ORANGE, self.tr("low warning")),
                (spec.low_alarm, HallColors.RED, self.tr("low alarm")),
            )
            if value is not None
        ]

    def _limit_line(self, value: float, color: str, label: str, spec: SensorClass) -> pg.InfiniteLine:
        text = f"{names.sensor_kind_name(spec.code)} {label} {value:g} {spec.unit}".strip()
        line = pg.InfiniteLine(
            pos=value,
            angle=0,
            movable=False,
            pen=pg.mkPen(color, width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
            label=text,
            labelOpts={"position": 0.02, "color": color, "anchors": [(0, 1), (0, 1)]},
        )
        self.plot.addItem(line)
        return line

    def _reload(self) -> None:
        """Another span: every sensor's history again."""
        now = time.time()
        for sensor_id in self.series:
            self.history_requested.emit(sensor_id, now - self.span_s(), now)
