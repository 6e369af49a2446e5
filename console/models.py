"""Qt item models over the console's column stores: cases, alarms and vehicles.

The rows, keys, filters and orders live in :mod:`console.columns` (Qt-free,
numpy); a model turns them into cells and signals.  The window's frame
clock calls :meth:`LiveTableModel.refresh` once per frame with
:meth:`HallState.take_changes`; a frame emits at most one ``rowsInserted``,
one ``layoutChanged``, one ``dataChanged`` over the changed rows and one
over the clock column (DESIGN.md rule 5).
"""

from __future__ import annotations

import math
import time
from enum import IntEnum
from typing import Any, ClassVar

import numpy as np
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap

from console import names
from console.alarm_load import AlarmGroup, AlarmLoad, groups
from console.columns import (
    NO_SLOTS,
    RETURNED_UNACKED,
    SET_ASIDE,
    AlarmColumns,
    AlarmView,
    CaseColumns,
    CaseView,
    ColumnStore,
    RowView,
    VehicleColumns,
    VehicleView,
    alarm_source,
)
from console.palette import LIGHT_COLORS, HallColors
from console.state import Changes, HallState
from feeds.city.fleet import CONDITION_UNITS, MAX_SHELVE_S
from feeds.domain import LIGHTS, OFF, Light
from feeds.wire import Alarm, Case, Vehicle

Index = QModelIndex | QPersistentModelIndex
Role = Qt.ItemDataRole
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter


def duration_text(seconds: float, days: bool = True) -> str:
    """A span in whole minutes, rounded up: "22 min", "1 h 5 min", "2 d 3 h" (no days on the
    working-hour clock, whose day is 8 hours: "剩 2 天" would be misread)."""
    minutes = max(math.ceil(abs(seconds) / 60), 0)
    day, rest = divmod(minutes, 1440) if days else (0, minutes)
    hours, mins = divmod(rest, 60)
    if day:
        return QCoreApplication.translate("CaseTableModel", "{d} d {h} h").format(d=day, h=hours)
    if hours:
        return QCoreApplication.translate("CaseTableModel", "{h} h {m} min").format(h=hours, m=mins)
    return QCoreApplication.translate("CaseTableModel", "{m} min").format(m=mins)


def countdown_text(left_s: float, clock: str = "urgent", paused: bool = False) -> str:
    """What is left of a time limit, in words that cannot be read as a time of day:
    "剩 22 分", "超时 1 小时 5 分", "暂停 · 剩 3 小时"."""
    span = duration_text(left_s, days=clock != "working_hours")
    if paused:
        return QCoreApplication.translate("CaseTableModel", "paused · {span} left").format(span=span)
    if left_s > 0:
        return QCoreApplication.translate("CaseTableModel", "{span} left").format(span=span)
    return QCoreApplication.translate("CaseTableModel", "{span} over").format(span=span)


def place_text(case: Case) -> str:
    """Where a case is, as a dispatcher says it: street and community (the grid code is in the
    tooltip and the detail)."""
    codes = (case.street or case.district, case.community)
    return " ".join(names.area_name(code) for code in codes if code)


def clock_text(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


def _day_time_text(epoch: float) -> str:
    return time.strftime("%m-%d %H:%M", time.localtime(epoch))


def light_dot(light: Light) -> QPixmap:
    """A round lamp in the light's colour (needs the application: build it on first use)."""
    size = 14
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(LIGHT_COLORS[light]))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return pixmap


class LiveTableModel(QAbstractTableModel):
    """A table over one column store and a view of it (its own filter and order).

    Pass the console's shared store so that every table of a topic, and the
    map, read one set of columns updated once per frame; without one, the
    model keeps a store of its own.  Subclasses name their headers and say how
    a record looks (:meth:`_cell`).
    """

    #: Emitted after a refresh, sort or filter change: counts shown beside the table may have moved.
    summary_changed = Signal()

    STORE: ClassVar[type[ColumnStore]]
    VIEW: ClassVar[type[RowView]]
    TR_CONTEXT: ClassVar[str]  # translation context of the headers
    HEADERS: ClassVar[tuple[str, ...]]  # English source texts
    CLOCK_COLUMN: ClassVar[int | None] = None  # a column whose text changes every second

    def __init__(
        self,
        state: HallState,
        now: float | None = None,
        parent: QObject | None = None,
        store: ColumnStore | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self.store = store if store is not None else self.STORE(state, now)
        self.view = self.VIEW(self.store)
        self.view.rebuild()
        self._bold: QFont | None = None
        self._prepare()

    def _prepare(self) -> None:
        """What a subclass keeps beside the rows, made once they are there."""

    # -- Qt model interface ------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self.view.order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Role.DisplayRole:
            return QCoreApplication.translate(self.TR_CONTEXT, self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:
        if not index.isValid():
            return None
        slot = int(self.view.order[index.row()])
        record = self.store.record(slot)
        if record is None:  # a snapshot replaced the topic; the next refresh resets the rows
            return None
        return self._cell(record, slot, index.column(), role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: the model's natural order); ties keep the natural order."""
        self.view.set_sort(column, order == Qt.SortOrder.DescendingOrder)
        self._reorder()
        self.summary_changed.emit()

    # -- public ------------------------------------------------------------

    def refresh(self, changes: Changes, now: float) -> None:
        """Show one frame of changes from :meth:`HallState.take_changes` at time ``now``."""
        update = self.store.update(changes, now)
        if update.reset:
            self.beginResetModel()
            self.view.rebuild()
            self.endResetModel()
            self.summary_changed.emit()
            return
        if not update.applied:
            return
        self._insert(update.added)
        # Clocks run at different speeds (a working-hour clock stops at 18:00): the order by time
        # left may change in any second, not only when a light does.
        clock_refilters = (update.new_second or len(update.restyled)) and self.view.follows_clock()
        if len(update.added) or clock_refilters or not update.moved.isdisjoint(self.view.order_keys()):
            # Only some rows changed: the view may place just those (None: sort them all).
            self._reorder(None if len(update.added) or clock_refilters else self.view.placed(update.changed))
        self._emit_rows_changed(np.concatenate([update.changed, update.restyled]))
        if update.new_second:
            self._emit_clock_changed()
        self.summary_changed.emit()

    def id_at(self, row: int) -> str:
        return self.store.ids[self.view.order[row]]

    def record_at(self, row: int) -> Any:
        return self.store.record(int(self.view.order[row]))

    def row_of(self, entity_id: str) -> int | None:
        """The visible row of an entity, None when unknown or filtered out."""
        return self.view.row_of(entity_id)

    # -- for subclasses ------------------------------------------------------

    def _cell(self, record: Any, slot: int, column: int, role: int) -> Any:
        raise NotImplementedError

    def _bold_font(self) -> QFont:
        """Built on first use, like any font; kept by the model, which dies before the application."""
        if self._bold is None:
            self._bold = QFont()
            self._bold.setBold(True)
        return self._bold

    def _refilter(self) -> None:
        self._reorder()
        self.summary_changed.emit()

    # -- rows and signals ----------------------------------------------------

    def _insert(self, added: np.ndarray) -> None:
        """Append the new rows the filter shows; :meth:`_reorder` then moves them into place."""
        shown = self.view.sorted(self.view.visible(added))
        if not len(shown):
            return
        first = len(self.view.order)
        self.beginInsertRows(QModelIndex(), first, first + len(shown) - 1)
        self.view.set_order(np.concatenate([self.view.order, shown]))
        self.endInsertRows()

    def _reorder(self, order: np.ndarray | None = None) -> None:
        """Filter and sort again (or take ``order``) as one layout change, keeping selections on
        their entities."""
        view = self.view
        if order is None:
            order = view.sorted(view.visible(self.store.all_slots()))
        if np.array_equal(order, view.order):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        slots = [int(view.order[index.row()]) for index in persistent]
        view.set_order(order)
        rows = view.rows_by_slot()
        moved = [
            self._index_or_none(int(rows[slot]), index.column())
            for slot, index in zip(slots, persistent, strict=True)
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _index_or_none(self, row: int, column: int) -> QModelIndex:
        return self.index(row, column) if row >= 0 else QModelIndex()

    def _emit_rows_changed(self, slots: np.ndarray) -> None:
        """One dataChanged over the row range that holds every changed slot."""
        rows = self.view.rows_by_slot()[slots] if len(slots) else NO_SLOTS
        rows = rows[rows >= 0]
        if len(rows):
            last_column = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(int(rows.min()), 0), self.index(int(rows.max()), last_column))

    def _emit_clock_changed(self) -> None:
        if self.CLOCK_COLUMN is not None and len(self.view.order):
            column = self.CLOCK_COLUMN
            self.dataChanged.emit(self.index(0, column), self.index(len(self.view.order) - 1, column))


class CaseColumn(IntEnum):
    ID = 0
    CATEGORY = 1
    PLACE = 2
    SOURCE = 3
    STATUS = 4
    ASSIGNEE = 5
    ESCALATIONS = 6
    TIME_LEFT = 7


class CaseTableModel(LiveTableModel):
    """The case queue: one row per case, with its time-limit light."""

    STORE = CaseColumns
    VIEW = CaseView
    TR_CONTEXT = "CaseTableModel"
    HEADERS = (
        QT_TRANSLATE_NOOP("CaseTableModel", "Case"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Category"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Place"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Source"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Status"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Assignee"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Escalations"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Time left"),
    )
    CLOCK_COLUMN = CaseColumn.TIME_LEFT
    view: CaseView

    def _prepare(self) -> None:
        self._dots: dict[Light, QPixmap] = {}

    def case_at(self, row: int) -> Case:
        case: Case = self.record_at(row)
        return case

    def set_text_filter(self, text: str) -> None:
        """Show cases whose id, category, grid, street or description contains ``text``."""
        self.view.search = text.strip().casefold()
        self._refilter()

    def set_status_filter(self, statuses: frozenset[str] | None, with_raised: bool = False) -> None:
        """Show cases in these workflow states (None: all), and with them every case raised to
        the shift lead when ``with_raised`` (the lead's work)."""
        self.view.statuses = statuses
        self.view.with_raised = with_raised
        self._refilter()

    def set_text_filters(self, texts: dict[str, str]) -> None:
        """Show only cases whose text keys (department_code, inspector) are these."""
        self.view.text_filters = dict(texts)
        self._refilter()

    def set_filter(self, key: str, value: float | None) -> None:
        """Show cases whose numeric ``key`` (urgency, source, raised …) is ``value`` (None: any)."""
        if value is None:
            self.view.filters.pop(key, None)
        else:
            self.view.filters[key] = value
        self._refilter()

    def set_light_filter(self, light: Light | None) -> None:
        self.view.light = None if light is None else LIGHTS.index(light)
        self._refilter()

    def light_of(self, row: int) -> Light:
        return LIGHTS[self.store.codes[self.view.order[row]]]

    def counts(self) -> tuple[int, int]:
        """(cases shown, overdue among them): a stopped clock (挂账, an extension asked) is not
        running late, as in the header."""
        shown = self.view.order
        red = self.store.codes[shown] == LIGHTS.index(Light.RED)
        running = self.store.numbers["paused_left"][shown] < 0
        return len(shown), int(np.count_nonzero(red & running))

    def _cell(self, case: Case, slot: int, column: int, role: int) -> Any:
        light = LIGHTS[self.store.codes[slot]]
        if role == Role.DisplayRole:
            return self._text(case, column)
        if role == Role.DecorationRole and column == CaseColumn.TIME_LEFT:
            if light not in self._dots:
                self._dots[light] = light_dot(light)
            return self._dots[light]
        if role == Role.ForegroundRole and column == CaseColumn.TIME_LEFT:
            return QColor(LIGHT_COLORS[light])
        if role == Role.BackgroundRole and light is Light.RED:
            return QColor(HallColors.OVERDUE_TINT)
        if role == Role.FontRole and column == CaseColumn.TIME_LEFT and light is not Light.GREEN:
            return self._bold_font()
        if role == Role.TextAlignmentRole and column in (CaseColumn.ESCALATIONS, CaseColumn.TIME_LEFT):
            return RIGHT
        if role == Role.ToolTipRole:
            return self._tooltip(case)
        return None

    def _text(self, case: Case, column: int) -> str:
        if column == CaseColumn.ID:
            return case.id
        if column == CaseColumn.CATEGORY:
            return f"{case.category} {names.category_name(case.category)}"
        if column == CaseColumn.PLACE:
            return place_text(case)
        if column == CaseColumn.SOURCE:
            return names.source_name(case.source)
        if column == CaseColumn.STATUS:
            return names.status_name(case.status)
        if column == CaseColumn.ASSIGNEE:
            return names.department_name(case.department)
        if column == CaseColumn.ESCALATIONS:
            return str(case.escalations) if case.escalations else ""
        if self.store.codes[self.store.slots[case.id]] == OFF:
            return ""
        return countdown_text(float(self.store.left[self.store.slots[case.id]]), case.clock, case.paused)

    def _tooltip(self, case: Case) -> str:
        times = QCoreApplication.translate("CaseTableModel", "Reported {reported} · due {deadline}").format(
            reported=_day_time_text(case.reported_at), deadline=_day_time_text(case.deadline)
        )
        place = " ".join(
            names.area_name(code) for code in (case.district, case.street, case.community) if code
        )
        place = f"{place} {case.grid}".strip()
        return "\n".join((f"{case.id}  {names.category_name(case.category)}", place, case.description, times))


class AlarmColumn(IntEnum):
    PRIORITY = 0
    SOURCE = 1
    VALUE = 2
    THRESHOLD = 3
    RAISED = 4
    STATE = 5


class AlarmTableModel(LiveTableModel):
    """Sensor alarms: active unacknowledged first, then by priority, newest first."""

    STORE = AlarmColumns
    VIEW = AlarmView
    TR_CONTEXT = "AlarmTableModel"
    HEADERS = (
        QT_TRANSLATE_NOOP("AlarmTableModel", "Priority"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "Source"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "Value"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "Threshold"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "Raised"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "State"),
    )

    view: AlarmView

    def _prepare(self) -> None:
        self.load = AlarmLoad()  # alarms annunciated here per ten minutes (ISA-18.2)
        self.load.see(self._state.alarms.values())
        self.groups = AlarmGroupModel(self)  # what a flood is shown as
        self._grouped_at = -math.inf

    def refresh(self, changes: Changes, now: float) -> None:
        super().refresh(changes, now)
        alarms = self._state.alarms
        if "alarms" in changes.reset:
            self.load.see(alarms.values())
        else:
            self.load.see(alarms[i] for i in changes.alarms if i in alarms)
        if changes.alarms or "alarms" in changes.reset or now - self._grouped_at >= 1.0:
            self._grouped_at = now
            self.groups.set_groups(groups(alarms.values(), self._state.subject))
            self.summary_changed.emit()

    def load_rate(self) -> int:
        """Alarms annunciated here in the last ten minutes."""
        return self.load.rate(self.store.now)

    def unacknowledged_count(self) -> int:
        """Alarms nobody has acknowledged yet, standing or returned to normal."""
        return int(np.count_nonzero(self.store.numbers["attention"] <= RETURNED_UNACKED))

    def aside_count(self) -> int:
        """Alarms shelved or out of service."""
        return int(np.count_nonzero(self.store.numbers["attention"] == SET_ASIDE))

    def can_open_case(self, alarm: Alarm) -> bool:
        """Whether the alarm can become a case: its rule (a sensor's class, a vehicle's fence)
        names a category, and it has no open case."""
        city, case = self._state.city, self._state.cases.get(alarm.case_id)
        if city is None:
            return False
        if alarm.vehicle_id:
            category = next((f.category for f in city.fences if f.id == alarm.kind), "")
        else:
            spec = city.sensor_classes.get(alarm.kind)
            category = spec.category if spec else ""
        open_case = case is not None and not names.workflow().state(case.status).final
        return bool(category) and not open_case

    def longest_shelve_s(self, alarm: Alarm) -> float:
        """The longest its rule lets an operator shelve it (0 when the city has no such class)."""
        city = self._state.city
        if alarm.vehicle_id:
            return MAX_SHELVE_S
        if city is None or alarm.kind not in city.sensor_classes:
            return 0.0
        return city.sensor_class(alarm.sensor_id, alarm.kind).max_shelve_s

    def show_aside(self, aside: bool) -> None:
        """The standing alarms, or those set aside (shelved, out of service)."""
        self.view.aside = aside
        self._refilter()

    def _cell(self, alarm: Alarm, slot: int, column: int, role: int) -> Any:
        active = alarm.state == "active"
        if role == Role.DisplayRole:
            return self._text(alarm, column)
        if role == Role.BackgroundRole and active and alarm.priority == 1:
            return QColor(HallColors.RED_TINT)
        if role == Role.ForegroundRole:
            if not active:
                return QColor(HallColors.MUTED)
            if column == AlarmColumn.PRIORITY:
                return QColor(HallColors.PRIORITY.get(alarm.priority, HallColors.TEXT))
        if role == Role.FontRole and active and not alarm.acked:
            return self._bold_font()
        if role == Role.TextAlignmentRole and column in (AlarmColumn.VALUE, AlarmColumn.THRESHOLD):
            return RIGHT
        if role == Role.TextAlignmentRole and column == AlarmColumn.RAISED:
            return CENTER  # keeps the time clear of the threshold's unit
        if role == Role.ToolTipRole:
            return f"{alarm.id} · {alarm.source}"
        return None

    def _text(self, alarm: Alarm, column: int) -> str:
        if column == AlarmColumn.PRIORITY:
            return names.priority_name(alarm.priority)
        if column == AlarmColumn.SOURCE:
            return alarm_source(self._state, alarm)
        if column == AlarmColumn.VALUE:
            current = self._quantity(alarm, alarm.value)
            if alarm.peak is None or alarm.peak == alarm.value or alarm.condition == "comm":
                return current
            peak = QCoreApplication.translate("AlarmTableModel", "peak {value}")
            return f"{current} ({peak.format(value=f'{alarm.peak:.4g}')})"
        if column == AlarmColumn.THRESHOLD:
            return self._quantity(alarm, alarm.threshold)
        if column == AlarmColumn.RAISED:
            return clock_text(alarm.raised_at)
        return alarm_state_text(alarm)

    def _quantity(self, alarm: Alarm, value: float) -> str:
        return alarm_quantity(self._state, alarm, value)


def alarm_quantity(state: HallState, alarm: Alarm, value: float) -> str:
    """A value of an alarm with its unit: "34.1 cm"; a rise "6 cm/min"; a silence "900 s"; a
    vehicle's "120 m" off its route, "72 km/h"."""
    sensor = state.sensors.get(alarm.sensor_id)
    unit = sensor.unit if sensor else names.sensor_unit(alarm.kind)
    if alarm.condition == "rate":
        unit = QCoreApplication.translate("AlarmTableModel", "{unit}/min").format(unit=unit)
    elif alarm.condition == "comm" or alarm.condition in CONDITION_UNITS:
        unit = CONDITION_UNITS.get(alarm.condition, "s")
        words = {
            "s": QCoreApplication.translate("AlarmTableModel", "s"),
            "m": QCoreApplication.translate("AlarmTableModel", "m"),
        }
        unit = words.get(unit, unit)
    return f"{value:.4g} {unit}".strip()


class AlarmGroupColumn(IntEnum):
    PRIORITY = 0
    AREA = 1
    KIND = 2
    COUNT = 3
    UNACKED = 4
    NEWEST = 5


class AlarmGroupModel(QAbstractTableModel):
    """A flood of alarms as groups by district and class, the most urgent first."""

    HEADERS = (
        QT_TRANSLATE_NOOP("AlarmGroupModel", "Priority"),
        QT_TRANSLATE_NOOP("AlarmGroupModel", "Area"),
        QT_TRANSLATE_NOOP("AlarmGroupModel", "Class"),
        QT_TRANSLATE_NOOP("AlarmGroupModel", "Alarms"),
        QT_TRANSLATE_NOOP("AlarmGroupModel", "Unacknowledged"),
        QT_TRANSLATE_NOOP("AlarmGroupModel", "Newest"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AlarmGroup] = []

    def set_groups(self, rows: list[AlarmGroup]) -> None:
        if rows == self.rows:
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Role.DisplayRole:
            return QCoreApplication.translate("AlarmGroupModel", self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group, column = self.rows[index.row()], index.column()
        if role == Role.DisplayRole:
            return (
                names.priority_name(group.priority),
                names.area_name(group.district) or "—",
                names.alarm_kind_name(group.kind),
                str(group.count),
                str(group.unacked) if group.unacked else "",
                clock_text(group.newest),
            )[column]
        if role == Role.BackgroundRole and group.priority == 1:
            return QColor(HallColors.RED_TINT)
        if role == Role.ForegroundRole and column == AlarmGroupColumn.PRIORITY:
            return QColor(HallColors.PRIORITY.get(group.priority, HallColors.TEXT))
        if role == Role.TextAlignmentRole and column in (AlarmGroupColumn.COUNT, AlarmGroupColumn.UNACKED):
            return RIGHT
        return None


def alarm_state_text(alarm: Alarm) -> str:
    """The alarm's ISA-18.2 state in words, and why it is set aside or held."""
    if alarm.out_of_service:
        return QCoreApplication.translate("AlarmTableModel", "Out of service")
    if alarm.suppressed:
        return QCoreApplication.translate("AlarmTableModel", "Suppressed by design")
    if alarm.shelved_until:
        until = clock_text(alarm.shelved_until)[:5]
        return QCoreApplication.translate("AlarmTableModel", "Shelved until {time}").format(time=until)
    if alarm.state != "active":
        if alarm.acked:
            return QCoreApplication.translate("AlarmTableModel", "Cleared")
        return QCoreApplication.translate("AlarmTableModel", "Cleared, unacknowledged")
    if alarm.acked:
        text = QCoreApplication.translate("AlarmTableModel", "Acknowledged")
    else:
        text = QCoreApplication.translate("AlarmTableModel", "Active")
    if alarm.chattering:
        text += " · " + QCoreApplication.translate("AlarmTableModel", "chattering")
    if alarm.to_lead and not alarm.acked:
        text += " · " + QCoreApplication.translate("AlarmTableModel", "to the shift lead")
    return f"{text} · {alarm.case_id}" if alarm.case_id else text


class VehicleColumn(IntEnum):
    PLATE = 0
    KIND = 1
    STATUS = 2
    SPEED = 3
    FIX_AGE = 4
    TASK = 5  # the case an inspector is out on


class VehicleTableModel(LiveTableModel):
    """The fleet board: one row per vehicle, grouped by kind."""

    STORE = VehicleColumns
    VIEW = VehicleView
    TR_CONTEXT = "VehicleTableModel"
    HEADERS = (
        QT_TRANSLATE_NOOP("VehicleTableModel", "Plate"),
        QT_TRANSLATE_NOOP("VehicleTableModel", "Kind"),
        QT_TRANSLATE_NOOP("VehicleTableModel", "Status"),
        QT_TRANSLATE_NOOP("VehicleTableModel", "Speed"),
        QT_TRANSLATE_NOOP("VehicleTableModel", "Last fix"),
        QT_TRANSLATE_NOOP("VehicleTableModel", "Task"),
    )
    CLOCK_COLUMN = VehicleColumn.FIX_AGE
    store: VehicleColumns

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Vehicles of each kind in each status, e.g. ``counts["muck"]["moving"]``."""
        return self.store.status_counts()

    def _cell(self, vehicle: Vehicle, slot: int, column: int, role: int) -> Any:
        if role == Role.DisplayRole:
            return self._text(vehicle, column)
        dimmed = vehicle.status == "offline" or self.store.codes[slot]
        if role == Role.ForegroundRole and dimmed:
            return QColor(HallColors.MUTED)
        if role == Role.TextAlignmentRole and column in (VehicleColumn.SPEED, VehicleColumn.FIX_AGE):
            return RIGHT
        if role == Role.ToolTipRole:
            return f"{vehicle.id} · {vehicle.plate}"
        return None

    def _text(self, vehicle: Vehicle, column: int) -> str:
        if column == VehicleColumn.PLATE:
            return vehicle.plate
        if column == VehicleColumn.KIND:
            return names.vehicle_kind_name(vehicle.kind)
        if column == VehicleColumn.STATUS:
            return names.vehicle_status_name(vehicle.status)
        if column == VehicleColumn.SPEED:
            return f"{vehicle.speed:.0f} km/h"
        if column == VehicleColumn.TASK:
            return vehicle.task
        return "—" if vehicle.ts is None else fix_age_text(self.store.now - vehicle.ts)


def fix_age_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return QCoreApplication.translate("VehicleTableModel", "{n} s").format(n=seconds)
    if seconds < 3600:
        return QCoreApplication.translate("VehicleTableModel", "{n} min").format(n=seconds // 60)
    return QCoreApplication.translate("VehicleTableModel", "{n} h").format(n=seconds // 3600)
