"""Qt item models over the hall's live state: cases, alarms and vehicles.

Each model keeps its own row list (*slots*, in arrival order), the sortable
keys of every slot in numpy arrays, and its visible rows as an index array
into the slots.  Sorting and filtering happen here, on those arrays: a
``QSortFilterProxyModel`` costs seconds at 100k rows (DESIGN.md rule 7).

The window's frame clock calls :meth:`LiveTableModel.refresh` once per frame
with :meth:`HallState.take_changes`; a frame emits at most one
``rowsInserted``, one ``layoutChanged``, one ``dataChanged`` over the
changed rows and one over the clock column (DESIGN.md rule 5).
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

from console import i18n
from console.palette import LIGHT_COLORS, HallColors
from console.state import Changes, HallState
from feeds import domain
from feeds.domain import LIGHTS, Light, lights
from feeds.wire import Alarm, Case, Vehicle

Index = QModelIndex | QPersistentModelIndex
Role = Qt.ItemDataRole
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
_NO_SLOTS = np.zeros(0, np.int64)


#: A vehicle whose last GPS fix is older than this is shown as stale (fixes come every 10-30 s).
STALE_FIX_S = 90.0


def time_left_text(seconds: float) -> str:
    """``mm:ss`` under an hour, ``h:mm`` with an ``h`` beyond, ``-`` when overdue."""
    overdue = seconds <= 0
    whole = int(-seconds) if overdue else math.ceil(seconds)  # counts down to 00:00, then up as overdue
    sign = "-" if overdue else ""
    if whole < 3600:
        return f"{sign}{whole // 60:02d}:{whole % 60:02d}"
    return f"{sign}{whole // 3600}h{whole % 3600 // 60:02d}"


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


def _ranks(codes: Any) -> dict[str, int]:
    """Sort rank of each code in a domain table; unknown codes sort last."""
    return {code: n for n, code in enumerate(codes)}


_SOURCE_RANK = _ranks(domain.SOURCES)
_STATUS_RANK = _ranks(domain.CaseStatus)
_VEHICLE_KIND_RANK = _ranks(domain.VEHICLE_KINDS)
_VEHICLE_STATUS_RANK = _ranks(domain.VEHICLE_STATUSES)


def _text_ranks(texts: list[str]) -> np.ndarray:
    """Sort rank of each text, equal texts sharing one (as ``np.unique``'s inverse, but faster)."""
    array = np.array(texts, dtype=str)
    order = np.argsort(array, kind="stable")
    ordered = array[order]
    ranks = np.empty(len(array), np.int64)
    ranks[order] = np.concatenate(([0], np.cumsum(ordered[1:] != ordered[:-1])))[: len(array)]
    return ranks


class LiveTableModel(QAbstractTableModel):
    """A table over one topic of :class:`HallState`, sorted and filtered in numpy.

    Subclasses name their topic, headers and keys and say how a record looks
    (:meth:`_key_values`, :meth:`_cell`); this class keeps rows, order and
    signals right.  Every numeric key is float64; text keys are ranked when a
    sort needs them.
    """

    #: Emitted after a refresh, sort or filter change: counts shown beside the table may have moved.
    summary_changed = Signal()

    TOPIC: ClassVar[str]  # attribute name of the topic in HallState and Changes
    TR_CONTEXT: ClassVar[str]  # translation context of the headers
    HEADERS: ClassVar[tuple[str, ...]]  # English source texts
    NUMERIC_KEYS: ClassVar[tuple[str, ...]]
    TEXT_KEYS: ClassVar[tuple[str, ...]]
    COLUMN_KEYS: ClassVar[tuple[str, ...]]  # the key each column sorts by
    DEFAULT_KEYS: ClassVar[tuple[str, ...]]  # natural order (sort column -1), and the tie-break of every sort
    CLOCK_COLUMN: ClassVar[int | None] = None  # a column whose text changes every second
    #: Apply changes at most this often; in between they gather (a board need not move at 20 Hz).
    REFRESH_EVERY_S: ClassVar[float] = 0.0

    def __init__(self, state: HallState, now: float | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._now = math.floor(time.time() if now is None else now)  # whole seconds: texts and lights agree
        self._sort_column = -1
        self._descending = False
        self._bold: QFont | None = None
        self._waiting: set[str] = set()
        self._last_refresh = -np.inf
        self._load()

    # -- Qt model interface ------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Role.DisplayRole:
            return QCoreApplication.translate(self.TR_CONTEXT, self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Role.DisplayRole) -> Any:
        if not index.isValid():
            return None
        slot = int(self._order[index.row()])
        record = getattr(self._state, self.TOPIC).get(self._ids[slot])
        if record is None:  # a snapshot replaced the topic; the next refresh resets the rows
            return None
        return self._cell(record, slot, index.column(), role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: the model's natural order); ties keep the natural order."""
        self._sort_column = column if 0 <= column < len(self.COLUMN_KEYS) else -1
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._reorder()
        self.summary_changed.emit()

    # -- public ------------------------------------------------------------

    def refresh(self, changes: Changes, now: float) -> None:
        """Show one frame of changes from :meth:`HallState.take_changes` at time ``now``."""
        if self.TOPIC in changes.reset or changes.city:  # a new city renames every row
            self._now = math.floor(now)
            self._waiting.clear()
            self._reload()
            self.summary_changed.emit()
            return
        self._waiting |= getattr(changes, self.TOPIC)
        if now - self._last_refresh < self.REFRESH_EVERY_S:
            return
        self._last_refresh = now
        new_second = int(now) != int(self._now)
        self._now = math.floor(now)
        changed_ids, self._waiting = self._waiting, set()
        known = np.array([self._slots[i] for i in changed_ids if i in self._slots], np.int64)
        moved = self._store(known)
        added = self._add([i for i in changed_ids if i not in self._slots])
        restyled = self._restyle_all() if new_second else _NO_SLOTS
        self._insert(added)
        clock_refilters = len(restyled) and self._filter_follows_clock()
        if len(added) or clock_refilters or not moved.isdisjoint(self._order_keys()):
            self._reorder()
        self._emit_rows_changed(np.concatenate([known, restyled]))
        if new_second:
            self._emit_clock_changed()
        if changed_ids or new_second:
            self.summary_changed.emit()

    def id_at(self, row: int) -> str:
        return self._ids[self._order[row]]

    def record_at(self, row: int) -> Any:
        return self._record(int(self._order[row]))

    def row_of(self, entity_id: str) -> int | None:
        """The visible row of an entity, None when unknown or filtered out."""
        slot = self._slots.get(entity_id)
        if slot is None:
            return None
        row = int(self._rows_by_slot()[slot])
        return None if row < 0 else row

    # -- hooks for subclasses ----------------------------------------------

    def _key_values(self, record: Any) -> tuple:
        """Values of NUMERIC_KEYS then TEXT_KEYS for one record."""
        raise NotImplementedError

    def _cell(self, record: Any, slot: int, column: int, role: int) -> Any:
        raise NotImplementedError

    def _accepts(self, slots: np.ndarray) -> np.ndarray | None:
        """Mask of the slots the filter lets through; None when nothing is filtered."""
        return None

    def _filter_keys(self) -> tuple[str, ...]:
        """Keys the current filter reads: a change in one of them may show or hide a row."""
        return ()

    def _clock_codes(self, slots: np.ndarray) -> np.ndarray:
        """Per-slot look that depends on the time (a light, staleness), as int8 codes."""
        return np.zeros(len(slots), np.int8)

    def _filter_follows_clock(self) -> bool:
        return False

    def _bold_font(self) -> QFont:
        """Built on first use, like any font; kept by the model, which dies before the application."""
        if self._bold is None:
            self._bold = QFont()
            self._bold.setBold(True)
        return self._bold

    # -- rows and keys -------------------------------------------------------

    def _record(self, slot: int) -> Any:
        return getattr(self._state, self.TOPIC)[self._ids[slot]]

    def _load(self) -> None:
        """Build every row from the state, without signals."""
        self._ids: list[str] = []
        self._slots: dict[str, int] = {}
        self._numbers = {name: np.zeros(0) for name in self.NUMERIC_KEYS}
        self._texts: dict[str, list[str]] = {name: [] for name in self.TEXT_KEYS}
        self._text_ranks: dict[str, np.ndarray] = {}
        self._codes = np.zeros(0, np.int8)
        self._add(list(getattr(self._state, self.TOPIC)))
        self._set_order(self._sort(self._visible(self._all_slots())))

    def _reload(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def _all_slots(self) -> np.ndarray:
        return np.arange(len(self._ids))

    def _add(self, ids: list[str]) -> np.ndarray:
        """Give new entities slots at the end and store their keys."""
        if not ids:
            return _NO_SLOTS
        first = len(self._ids)
        for entity_id in ids:
            self._slots[entity_id] = len(self._ids)
            self._ids.append(entity_id)
        added = np.arange(first, len(self._ids))
        for name, array in self._numbers.items():
            self._numbers[name] = np.concatenate([array, np.zeros(len(ids))])
        for texts in self._texts.values():
            texts.extend([""] * len(ids))
        self._codes = np.concatenate([self._codes, np.zeros(len(ids), np.int8)])
        self._text_ranks.clear()
        self._row_index = None
        self._store(added)
        return added

    def _store(self, slots: np.ndarray) -> set[str]:
        """Copy the keys of ``slots`` from the state; return the names of the keys that moved."""
        if not len(slots):
            return set()
        columns = list(zip(*(self._key_values(self._record(int(s))) for s in slots), strict=True))
        moved = set()
        for name, values in zip(self.NUMERIC_KEYS, columns, strict=False):  # text keys follow
            array, fresh = self._numbers[name], np.array(values, np.float64)
            if np.any(array[slots] != fresh):
                moved.add(name)
                array[slots] = fresh
        for name, values in zip(self.TEXT_KEYS, columns[len(self.NUMERIC_KEYS) :], strict=True):
            texts = self._texts[name]
            for slot, value in zip(slots.tolist(), values, strict=True):
                if texts[slot] != value:
                    texts[slot] = value
                    moved.add(name)
            if name in moved:
                self._text_ranks.pop(name, None)
        self._codes[slots] = self._clock_codes(slots)
        return moved

    def _key(self, name: str) -> np.ndarray:
        """A key column as numbers; text keys become their sort ranks."""
        if name in self._numbers:
            return self._numbers[name]
        ranks = self._text_ranks.get(name)
        if ranks is None:
            ranks = self._text_ranks[name] = _text_ranks(self._texts[name])
        return ranks

    def _restyle_all(self) -> np.ndarray:
        """A new second: recompute the clock codes, return the slots whose look changed."""
        codes = self._clock_codes(self._all_slots())
        restyled = np.flatnonzero(codes != self._codes)
        self._codes = codes
        return restyled

    # -- order ---------------------------------------------------------------

    def _order_keys(self) -> set[str]:
        sort_key = (self.COLUMN_KEYS[self._sort_column],) if self._sort_column >= 0 else ()
        return {*self.DEFAULT_KEYS, *sort_key, *self._filter_keys()}

    def _visible(self, slots: np.ndarray) -> np.ndarray:
        mask = self._accepts(slots)
        return slots if mask is None else slots[mask]

    def _sort(self, slots: np.ndarray) -> np.ndarray:
        keys = [self._key(name)[slots] for name in reversed(self.DEFAULT_KEYS)]
        if self._sort_column >= 0:
            primary = self._key(self.COLUMN_KEYS[self._sort_column])[slots]
            keys.append(-primary if self._descending else primary)
        return slots[np.lexsort(keys)]

    def _set_order(self, order: np.ndarray) -> None:
        self._order = order
        self._row_index: np.ndarray | None = None

    def _rows_by_slot(self) -> np.ndarray:
        """Visible row of every slot, -1 when filtered out."""
        if self._row_index is None:
            self._row_index = np.full(len(self._ids), -1, np.int64)
            self._row_index[self._order] = np.arange(len(self._order))
        return self._row_index

    def _insert(self, added: np.ndarray) -> None:
        """Append the new rows the filter shows; :meth:`_reorder` then moves them into place."""
        shown = self._sort(self._visible(added))
        if not len(shown):
            return
        first = len(self._order)
        self.beginInsertRows(QModelIndex(), first, first + len(shown) - 1)
        self._set_order(np.concatenate([self._order, shown]))
        self.endInsertRows()

    def _reorder(self) -> None:
        """Filter and sort again as one layout change, keeping selections on their entities."""
        order = self._sort(self._visible(self._all_slots()))
        if np.array_equal(order, self._order):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        slots = [int(self._order[index.row()]) for index in persistent]
        self._set_order(order)
        rows = self._rows_by_slot()
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
        rows = self._rows_by_slot()[slots] if len(slots) else _NO_SLOTS
        rows = rows[rows >= 0]
        if len(rows):
            last_column = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(int(rows.min()), 0), self.index(int(rows.max()), last_column))

    def _emit_clock_changed(self) -> None:
        if self.CLOCK_COLUMN is not None and len(self._order):
            column = self.CLOCK_COLUMN
            self.dataChanged.emit(self.index(0, column), self.index(len(self._order) - 1, column))


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

    TOPIC = "cases"
    TR_CONTEXT = "CaseTableModel"
    HEADERS = (
        QT_TRANSLATE_NOOP("CaseTableModel", "Case"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Category"),
        QT_TRANSLATE_NOOP("CaseTableModel", "District / grid"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Source"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Status"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Assignee"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Escalations"),
        QT_TRANSLATE_NOOP("CaseTableModel", "Time left"),
    )
    NUMERIC_KEYS = ("category", "source", "status", "escalations", "deadline", "limit")
    TEXT_KEYS = ("id", "grid", "department", "search")
    COLUMN_KEYS = ("id", "category", "grid", "source", "status", "department", "escalations", "deadline")
    DEFAULT_KEYS = ("deadline",)  # least time left first: overdue cases lead, longest overdue on top
    CLOCK_COLUMN = CaseColumn.TIME_LEFT

    # Filters; class-level defaults because the base constructor already filters.
    _search = ""
    _status: str | None = None
    _light: int | None = None

    def __init__(self, state: HallState, now: float | None = None, parent: QObject | None = None) -> None:
        super().__init__(state, now, parent)
        self._dots: dict[Light, QPixmap] = {}

    def case_at(self, row: int) -> Case:
        case: Case = self.record_at(row)
        return case

    def set_text_filter(self, text: str) -> None:
        """Show cases whose id, category, grid, street or description contains ``text``."""
        self._search = text.strip().casefold()
        self._refilter()

    def set_status_filter(self, status: str | None) -> None:
        self._status = status
        self._refilter()

    def set_light_filter(self, light: Light | None) -> None:
        self._light = None if light is None else LIGHTS.index(light)
        self._refilter()

    def light_of(self, row: int) -> Light:
        return LIGHTS[self._codes[self._order[row]]]

    def counts(self) -> tuple[int, int]:
        """(cases shown, overdue among them)."""
        return len(self._order), int(np.count_nonzero(self._codes[self._order] == LIGHTS.index(Light.RED)))

    def _refilter(self) -> None:
        self._reorder()
        self.summary_changed.emit()

    def _key_values(self, case: Case) -> tuple:
        category = case.category
        search = " ".join(
            (
                case.id,
                category,
                i18n.category_name(category),
                case.grid,
                i18n.area_name(case.street),
                i18n.area_name(case.community),
                case.description,
            )
        )
        return (
            int(category) if category.isdigit() else math.inf,
            _SOURCE_RANK.get(case.source, len(_SOURCE_RANK)),
            _STATUS_RANK.get(case.status, len(_STATUS_RANK)),
            case.escalations,
            case.deadline,
            case.limit_s,
            case.id,
            case.grid or case.community or case.street or case.district,
            i18n.department_name(case.department),
            search.casefold(),
        )

    def _accepts(self, slots: np.ndarray) -> np.ndarray | None:
        if not (self._search or self._status is not None or self._light is not None):
            return None
        mask = np.ones(len(slots), bool)
        if self._light is not None:
            mask &= self._codes[slots] == self._light
        if self._status is not None:
            mask &= self._numbers["status"][slots] == _STATUS_RANK.get(self._status, -1)
        if self._search:
            haystacks, needle = self._texts["search"], self._search
            mask &= np.fromiter((needle in haystacks[s] for s in slots.tolist()), bool, len(slots))
        return mask

    def _clock_codes(self, slots: np.ndarray) -> np.ndarray:
        return lights(
            self._numbers["deadline"][slots],
            self._numbers["limit"][slots],
            self._now,
            self._state.yellow_share,
        )

    def _filter_follows_clock(self) -> bool:
        return self._light is not None

    def _filter_keys(self) -> tuple[str, ...]:
        return ("status", "search", "deadline", "limit")

    def _cell(self, case: Case, slot: int, column: int, role: int) -> Any:
        light = LIGHTS[self._codes[slot]]
        if role == Role.DisplayRole:
            return self._text(case, column)
        if role == Role.DecorationRole and column == CaseColumn.TIME_LEFT:
            if light not in self._dots:
                self._dots[light] = light_dot(light)
            return self._dots[light]
        if role == Role.ForegroundRole and column == CaseColumn.TIME_LEFT:
            return QColor(LIGHT_COLORS[light])
        if role == Role.BackgroundRole and light is Light.RED:
            return QColor(HallColors.RED_TINT)
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
            return f"{case.category} {i18n.category_name(case.category)}"
        if column == CaseColumn.PLACE:
            return f"{i18n.area_name(case.district)} {case.grid or i18n.area_name(case.street)}".strip()
        if column == CaseColumn.SOURCE:
            return i18n.source_name(case.source)
        if column == CaseColumn.STATUS:
            return i18n.status_name(case.status)
        if column == CaseColumn.ASSIGNEE:
            return i18n.department_name(case.department)
        if column == CaseColumn.ESCALATIONS:
            return str(case.escalations) if case.escalations else ""
        return time_left_text(case.deadline - self._now)

    def _tooltip(self, case: Case) -> str:
        times = QCoreApplication.translate("CaseTableModel", "Reported {reported} · due {deadline}").format(
            reported=_day_time_text(case.reported_at), deadline=_day_time_text(case.deadline)
        )
        place = " ".join(
            i18n.area_name(code) for code in (case.district, case.street, case.community) if code
        )
        place = f"{place} {case.grid}".strip()
        return "\n".join((f"{case.id}  {i18n.category_name(case.category)}", place, case.description, times))


class AlarmColumn(IntEnum):
    PRIORITY = 0
    SOURCE = 1
    VALUE = 2
    THRESHOLD = 3
    RAISED = 4
    STATE = 5


class AlarmTableModel(LiveTableModel):
    """Sensor alarms: active unacknowledged first, then by priority, newest first."""

    TOPIC = "alarms"
    TR_CONTEXT = "AlarmTableModel"
    HEADERS = (
        QT_TRANSLATE_NOOP("AlarmTableModel", "Priority"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "Source"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "Value"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "Threshold"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "Raised"),
        QT_TRANSLATE_NOOP("AlarmTableModel", "State"),
    )
    NUMERIC_KEYS = ("priority", "value", "threshold", "raised_at", "newest", "attention")
    TEXT_KEYS = ("source",)
    COLUMN_KEYS = ("priority", "source", "value", "threshold", "raised_at", "attention")
    DEFAULT_KEYS = ("attention", "priority", "newest")

    def unacknowledged_count(self) -> int:
        """Active alarms nobody has acknowledged yet."""
        return int(np.count_nonzero(self._numbers["attention"] == 0))

    def _key_values(self, alarm: Alarm) -> tuple:
        return (
            alarm.priority,
            alarm.value,
            alarm.threshold,
            alarm.raised_at,
            -alarm.raised_at,
            _attention(alarm),
            self._source_text(alarm),
        )

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
            return f"{alarm.id} · {alarm.sensor_id}"
        return None

    def _text(self, alarm: Alarm, column: int) -> str:
        if column == AlarmColumn.PRIORITY:
            return i18n.priority_name(alarm.priority)
        if column == AlarmColumn.SOURCE:
            return self._source_text(alarm)
        if column == AlarmColumn.VALUE:
            return self._quantity(alarm, alarm.value)
        if column == AlarmColumn.THRESHOLD:
            return self._quantity(alarm, alarm.threshold)
        if column == AlarmColumn.RAISED:
            return clock_text(alarm.raised_at)
        if alarm.state != "active":
            return QCoreApplication.translate("AlarmTableModel", "Cleared")
        if alarm.acked:
            return QCoreApplication.translate("AlarmTableModel", "Acknowledged")
        return QCoreApplication.translate("AlarmTableModel", "Active")

    def _source_text(self, alarm: Alarm) -> str:
        sensor = self._state.sensors.get(alarm.sensor_id)
        name = sensor.name if sensor else alarm.sensor_id
        return f"{name} · {i18n.sensor_kind_name(alarm.kind)}"

    def _quantity(self, alarm: Alarm, value: float) -> str:
        sensor = self._state.sensors.get(alarm.sensor_id)
        unit = sensor.unit if sensor else i18n.sensor_unit(alarm.kind)
        return f"{value:.4g} {unit}".strip()


def _attention(alarm: Alarm) -> int:
    """0 active and unacknowledged, 1 active and acknowledged, 2-3 the same for cleared alarms."""
    return (0 if alarm.state == "active" else 2) + int(alarm.acked)


class VehicleColumn(IntEnum):
    PLATE = 0
    KIND = 1
    STATUS = 2
    SPEED = 3
    FIX_AGE = 4


class VehicleTableModel(LiveTableModel):
    """The fleet board: one row per vehicle, grouped by kind."""

    TOPIC = "vehicles"
    TR_CONTEXT = "VehicleTableModel"
    REFRESH_EVERY_S = 1.0  # GPS fixes come every 10-30 s per vehicle; the map shows motion at frame rate
    HEADERS = (
        QT_TRANSLATE_NOOP("VehicleTableModel", "Plate"),
        QT_TRANSLATE_NOOP("VehicleTableModel", "Kind"),
        QT_TRANSLATE_NOOP("VehicleTableModel", "Status"),
        QT_TRANSLATE_NOOP("VehicleTableModel", "Speed"),
        QT_TRANSLATE_NOOP("VehicleTableModel", "Last fix"),
    )
    NUMERIC_KEYS = ("kind", "status", "speed", "fix", "fix_age")
    TEXT_KEYS = ("plate",)
    COLUMN_KEYS = ("plate", "kind", "status", "speed", "fix_age")
    DEFAULT_KEYS = ("kind", "plate")
    CLOCK_COLUMN = VehicleColumn.FIX_AGE

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Vehicles of each kind in each status, e.g. ``counts["muck"]["moving"]``."""
        kinds, statuses = list(domain.VEHICLE_KINDS), list(domain.VEHICLE_STATUSES)
        kind = self._numbers["kind"].astype(np.int64)
        status = self._numbers["status"].astype(np.int64)
        known = (kind < len(kinds)) & (status < len(statuses))
        cells = np.bincount(kind[known] * len(statuses) + status[known], minlength=len(kinds) * len(statuses))
        table = cells.reshape(len(kinds), len(statuses)).tolist()
        return {kind: dict(zip(statuses, row, strict=True)) for kind, row in zip(kinds, table, strict=True)}

    def _key_values(self, vehicle: Vehicle) -> tuple:
        fix = -math.inf if vehicle.ts is None else vehicle.ts
        return (
            _VEHICLE_KIND_RANK.get(vehicle.kind, len(_VEHICLE_KIND_RANK)),
            _VEHICLE_STATUS_RANK.get(vehicle.status, len(_VEHICLE_STATUS_RANK)),
            vehicle.speed,
            fix,
            -fix,  # age order: the freshest fix first, vehicles never seen last
            vehicle.plate,
        )

    def _clock_codes(self, slots: np.ndarray) -> np.ndarray:
        stale = self._now - self._numbers["fix"][slots] > STALE_FIX_S
        return stale.astype(np.int8)

    def _cell(self, vehicle: Vehicle, slot: int, column: int, role: int) -> Any:
        if role == Role.DisplayRole:
            return self._text(vehicle, column)
        dimmed = vehicle.status == "offline" or self._codes[slot]
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
            return i18n.vehicle_kind_name(vehicle.kind)
        if column == VehicleColumn.STATUS:
            return i18n.vehicle_status_name(vehicle.status)
        if column == VehicleColumn.SPEED:
            return f"{vehicle.speed:.0f} km/h"
        return "—" if vehicle.ts is None else fix_age_text(self._now - vehicle.ts)


def fix_age_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return QCoreApplication.translate("VehicleTableModel", "{n} s").format(n=seconds)
    if seconds < 3600:
        return QCoreApplication.translate("VehicleTableModel", "{n} min").format(n=seconds // 60)
    return QCoreApplication.translate("VehicleTableModel", "{n} h").format(n=seconds // 3600)
