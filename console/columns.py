"""Qt-free column stores: a topic's records as numpy key columns, sorted and filtered in numpy.

One :class:`ColumnStore` per topic per console holds a row (*slot*) for every
record, in arrival order, with its sortable keys and its time-dependent look
(a case's light, a vehicle's staleness) as arrays.  The frame clock updates
it once per frame (:meth:`ColumnStore.update` is idempotent for a frame), so
the lights of 100,000 cases are computed once, whatever number of tables and
maps show them.  A :class:`RowView` is one table's filter and order over a
store; the Qt models (:mod:`console.models`) only turn stores and views into
signals and cells (a ``QSortFilterProxyModel`` costs seconds at 100k rows,
DESIGN.md rule 7).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from console import names
from console.alarm_load import set_aside
from console.state import STALE_FIX_S, Changes, HallState, HallSummary
from feeds import domain
from feeds.city.model import CLOCK_KINDS
from feeds.city.workflow import Workflow
from feeds.domain import LIGHTS, OFF, Light, lights
from feeds.records import Alarm, Case, Vehicle

NO_SLOTS = np.zeros(0, np.int64)


def _ranks(codes: Iterable[str]) -> dict[str, int]:
    """Sort rank of each code in a vocabulary; unknown codes sort last."""
    return {code: n for n, code in enumerate(codes)}


SOURCE_RANK = _ranks(domain.SOURCES)
CLOCK_RANK = _ranks(CLOCK_KINDS)
VEHICLE_KIND_RANK = _ranks(domain.VEHICLE_KINDS)
VEHICLE_STATUS_RANK = _ranks(domain.VEHICLE_STATUSES)


@functools.cache
def status_ranks(workflow: Workflow) -> dict[str, int]:
    """States in the workflow table's order: the order of the loop, report to closure."""
    return _ranks(workflow.states)


def text_ranks(texts: list[str]) -> np.ndarray:
    """Sort rank of each text, equal texts sharing one (as ``np.unique``'s inverse, but faster)."""
    array = np.array(texts, dtype=str)
    order = np.argsort(array, kind="stable")
    ordered = array[order]
    ranks = np.empty(len(array), np.int64)
    ranks[order] = np.concatenate(([0], np.cumsum(ordered[1:] != ordered[:-1])))[: len(array)]
    return ranks


@dataclass
class Update:
    """What one frame changed in a store, for the views and models over it."""

    reset: bool = False  # every row is new (a snapshot, a new city): views rebuild
    changed: np.ndarray = field(default_factory=lambda: NO_SLOTS)  # slots whose record changed
    added: np.ndarray = field(default_factory=lambda: NO_SLOTS)  # slots new this frame
    moved: set[str] = field(default_factory=set)  # keys whose values changed
    restyled: np.ndarray = field(default_factory=lambda: NO_SLOTS)  # slots whose clock look changed
    new_second: bool = False
    applied: bool = False  # False: the store waits (it refreshes at most every REFRESH_EVERY_S)


class ColumnStore:
    """One topic of :class:`HallState` as key columns.

    Subclasses name their topic and keys and say how a record gives its keys
    (:meth:`key_values`) and how its look follows the clock (:meth:`clock_codes`).
    Every numeric key is float64; text keys are ranked when a sort needs them.
    """

    TOPIC: ClassVar[str]  # attribute name of the topic in HallState and Changes
    NUMERIC_KEYS: ClassVar[tuple[str, ...]]
    TEXT_KEYS: ClassVar[tuple[str, ...]]
    #: Apply changes at most this often; in between they gather (a board need not move at 20 Hz).
    REFRESH_EVERY_S: ClassVar[float] = 0.0

    def __init__(self, state: HallState, now: float | None = None) -> None:
        self.state = state
        self.now = math.floor(time.time() if now is None else now)  # whole seconds: texts and lights agree
        self._waiting: set[str] = set()
        self._last_applied = -np.inf
        self._frame: tuple[Changes, Update] | None = None
        self.load()

    # -- rows ----------------------------------------------------------------

    def load(self) -> None:
        """Every row afresh from the state."""
        self.ids: list[str] = []
        self.slots: dict[str, int] = {}
        self.numbers = {name: np.zeros(0) for name in self.NUMERIC_KEYS}
        self.texts: dict[str, list[str]] = {name: [] for name in self.TEXT_KEYS}
        self._text_ranks: dict[str, np.ndarray] = {}
        self.codes = np.zeros(0, np.int8)  # the clock-dependent look of each slot
        self.add(list(getattr(self.state, self.TOPIC)))

    def __len__(self) -> int:
        return len(self.ids)

    def record(self, slot: int) -> Any:
        """The record of a slot; None when a snapshot replaced it (until the next update)."""
        return getattr(self.state, self.TOPIC).get(self.ids[slot])

    def all_slots(self) -> np.ndarray:
        return np.arange(len(self.ids))

    def add(self, ids: list[str]) -> np.ndarray:
        """Give new records slots at the end and store their keys."""
        if not ids:
            return NO_SLOTS
        first = len(self.ids)
        for entity_id in ids:
            self.slots[entity_id] = len(self.ids)
            self.ids.append(entity_id)
        added = np.arange(first, len(self.ids))
        for name, array in self.numbers.items():
            self.numbers[name] = np.concatenate([array, np.zeros(len(ids))])
        for texts in self.texts.values():
            texts.extend([""] * len(ids))
        self.codes = np.concatenate([self.codes, np.zeros(len(ids), np.int8)])
        self._text_ranks.clear()
        self.store(added)
        return added

    def store(self, slots: np.ndarray) -> set[str]:
        """Copy the keys of ``slots`` from the state; the names of the keys that moved."""
        if not len(slots):
            return set()
        records = getattr(self.state, self.TOPIC)
        columns = list(zip(*(self.key_values(records[self.ids[s]]) for s in slots.tolist()), strict=True))
        moved = set()
        for name, values in zip(self.NUMERIC_KEYS, columns, strict=False):  # text keys follow
            array, fresh = self.numbers[name], np.array(values, np.float64)
            if np.any(array[slots] != fresh):
                moved.add(name)
                array[slots] = fresh
        for name, values in zip(self.TEXT_KEYS, columns[len(self.NUMERIC_KEYS) :], strict=True):
            texts = self.texts[name]
            for slot, value in zip(slots.tolist(), values, strict=True):
                if texts[slot] != value:
                    texts[slot] = value
                    moved.add(name)
            if name in moved:
                self._text_ranks.pop(name, None)
        self.codes[slots] = self.clock_codes(slots)
        return moved

    def key(self, name: str) -> np.ndarray:
        """A key column as numbers; text keys become their sort ranks."""
        if name in self.numbers:
            return self.numbers[name]
        ranks = self._text_ranks.get(name)
        if ranks is None:
            ranks = self._text_ranks[name] = text_ranks(self.texts[name])
        return ranks

    # -- one frame -----------------------------------------------------------

    def update(self, changes: Changes, now: float) -> Update:
        """Apply one frame of changes at time ``now``; the same answer for the same frame, so
        every table and map of a console may ask."""
        if self._frame is not None and self._frame[0] is changes:
            return self._frame[1]
        result = self._update(changes, now)
        self._frame = (changes, result)
        return result

    def _update(self, changes: Changes, now: float) -> Update:
        if self.TOPIC in changes.reset or changes.city:  # a new city renames every row
            self.now = math.floor(now)
            self._waiting.clear()
            self.load()
            return Update(reset=True, applied=True)
        self._waiting |= getattr(changes, self.TOPIC)
        if now - self._last_applied < self.REFRESH_EVERY_S:
            return Update()
        self._last_applied = now
        new_second = int(now) != int(self.now)
        self.now = math.floor(now)
        changed_ids, self._waiting = self._waiting, set()
        known = np.array([self.slots[i] for i in changed_ids if i in self.slots], np.int64)
        moved = self.store(known)
        added = self.add([i for i in changed_ids if i not in self.slots])
        restyled = self._restyle_all() if new_second else NO_SLOTS
        return Update(
            False, known, added, moved, restyled, new_second, applied=bool(changed_ids) or new_second
        )

    def _restyle_all(self) -> np.ndarray:
        """A new second: recompute the clock codes, return the slots whose look changed."""
        codes = self.clock_codes(self.all_slots())
        restyled = np.flatnonzero(codes != self.codes)
        self.codes = codes
        return restyled

    # -- hooks ---------------------------------------------------------------

    def key_values(self, record: Any) -> tuple[Any, ...]:
        """Values of NUMERIC_KEYS then TEXT_KEYS for one record."""
        raise NotImplementedError

    def clock_codes(self, slots: np.ndarray) -> np.ndarray:
        """Per-slot look that depends on the time (a light, staleness), as int8 codes."""
        return np.zeros(len(slots), np.int8)


class CaseColumns(ColumnStore):
    """Cases with their lights and the clock seconds left; also where the map's case layer
    reads positions from."""

    TOPIC = "cases"
    NUMERIC_KEYS = (
        *("category", "source", "status", "escalations", "deadline", "limit", "lon", "lat"),
        *("urgency", "clock", "paused_left", "over", "raised", "district", "reported"),
    )
    TEXT_KEYS = ("id", "grid", "department", "search", "department_code", "inspector")

    def load(self) -> None:
        self.left = np.zeros(0)  # clock seconds left of each slot's running stage, as of self.now
        super().load()

    def key_values(self, case: Case) -> tuple[Any, ...]:
        category = case.category
        search = " ".join(
            (
                case.id,
                category,
                names.category_name(category),
                case.grid,
                names.area_name(case.district),
                names.area_name(case.street),
                names.area_name(case.community),
                case.description,
            )
        )
        city = self.state.city
        known = city.categories.get(category) if city else None
        state = names.workflow().states.get(case.status)
        ranks = status_ranks(names.workflow())
        return (
            int(category) if category.isdigit() else math.inf,
            SOURCE_RANK.get(case.source, len(SOURCE_RANK)),
            ranks.get(case.status, len(ranks)),
            case.escalations,
            case.deadline,
            case.limit_s,
            case.lon,
            case.lat,
            known.urgency if known else 3,
            CLOCK_RANK.get(case.clock, 0),
            case.paused_left_s,
            float(state is None or state.final or not case.stage),
            float(case.raised),
            float(case.district) if case.district.isdigit() else math.inf,
            case.reported_at,
            case.id,
            case.grid or case.community or case.street or case.district,
            names.department_name(case.department),
            search.casefold(),
            case.department or "",
            case.inspector,
        )

    def key(self, name: str) -> np.ndarray:
        if name == "light":  # follows the clock: recomputed every second
            return self.codes
        if name == "left":
            return self.left
        return super().key(name)

    def clock_codes(self, slots: np.ndarray) -> np.ndarray:
        """Each case's light at the current second, as codes into LIGHTS (the clock seconds
        left are kept beside them, for the countdown texts)."""
        numbers = self.numbers
        left = numbers["paused_left"][slots].copy()  # a stopped clock keeps what was left
        running = left < 0
        kinds = numbers["clock"][slots]
        deadlines = numbers["deadline"][slots]
        clocks = self.state.clocks
        for rank, kind in enumerate(CLOCK_KINDS):
            chosen = running & (kinds == rank)
            if chosen.any():
                left[chosen] = clocks[kind].left(deadlines[chosen], self.now)
        if len(self.left) < len(self.ids):
            self.left = np.concatenate([self.left, np.zeros(len(self.ids) - len(self.left))])
        self.left[slots] = left
        codes = lights(left, numbers["limit"][slots], self.state.yellow_share)
        codes[numbers["over"][slots] > 0] = OFF
        return codes

    def light(self, slot: int) -> Light:
        return LIGHTS[self.codes[slot]]

    def repeats(self, case: Case, count: int = 3) -> list[tuple[str, float]]:
        """Open cases ``case`` may be a repeat report of, or they of it — the same category,
        within the city's duplicate distance and time — nearest first: (case id, metres)."""
        city, slot = self.state.city, self.slots.get(case.id)
        if city is None or slot is None:
            return []
        n = self.numbers
        near_in_time = np.abs(n["reported"] - case.reported_at) <= city.duplicate_s
        alike = (n["category"] == n["category"][slot]) & (n["over"] == 0) & near_in_time
        alike[slot] = False
        found = np.flatnonzero(alike)
        x, y = city.project(np.append(n["lon"][found], case.lon), np.append(n["lat"][found], case.lat))
        metres = np.hypot(x[:-1] - x[-1], y[:-1] - y[-1])
        order = np.argsort(metres, kind="stable")
        close = order[metres[order] <= city.duplicate_m][:count]
        return [(self.ids[found[i]], float(metres[i])) for i in close.tolist()]


class AlarmColumns(ColumnStore):
    TOPIC = "alarms"
    NUMERIC_KEYS = ("priority", "value", "threshold", "raised_at", "newest", "attention", "to_lead")
    TEXT_KEYS = ("source",)

    def key_values(self, alarm: Alarm) -> tuple[Any, ...]:
        return (
            alarm.priority,
            alarm.value,
            alarm.threshold,
            alarm.raised_at,
            -alarm.raised_at,
            attention(alarm),
            float(alarm.to_lead),
            alarm_source(self.state, alarm),
        )


#: Where an alarm stands before the operator (ISA-18.2), most pressing first.
UNACKED, RETURNED_UNACKED, ACKED, SET_ASIDE, NORMAL = range(5)


def attention(alarm: Alarm) -> int:
    """Active and unacknowledged first, then returned to normal but unacknowledged, then active
    and acknowledged; shelved, out of service and suppressed alarms are set aside (their own
    list); a cleared, acknowledged alarm is normal again."""
    if set_aside(alarm):
        return SET_ASIDE
    if not alarm.acked:
        return UNACKED if alarm.state == "active" else RETURNED_UNACKED
    return ACKED if alarm.state == "active" else NORMAL


def subject_name(state: HallState, alarm: Alarm) -> str:
    """A sensor's name, a vehicle's plate; the id when the seat does not know it."""
    subject = state.subject(alarm)
    if subject is None:
        return alarm.source
    return subject.plate if isinstance(subject, Vehicle) else subject.name


def alarm_source(state: HallState, alarm: Alarm) -> str:
    """Where an alarm comes from, in words: the sensor's name and what it measures, or the
    vehicle's plate and the fence or rule it broke; and what is wrong when it is not a reading
    too high ("rising fast", "too low", "silent", "off its route")."""
    condition = names.alarm_condition_name(alarm.condition)
    kind = names.alarm_kind_name(alarm.kind)
    return f"{subject_name(state, alarm)} · {kind}" + (f" · {condition}" if condition else "")


class VehicleColumns(ColumnStore):
    TOPIC = "vehicles"
    REFRESH_EVERY_S = 1.0  # GPS fixes come every 10-30 s per vehicle; the map shows motion at frame rate
    NUMERIC_KEYS = ("kind", "status", "speed", "fix", "fix_age")
    TEXT_KEYS = ("plate", "task")

    def key_values(self, vehicle: Vehicle) -> tuple[Any, ...]:
        fix = -math.inf if vehicle.ts is None else vehicle.ts
        return (
            VEHICLE_KIND_RANK.get(vehicle.kind, len(VEHICLE_KIND_RANK)),
            VEHICLE_STATUS_RANK.get(vehicle.status, len(VEHICLE_STATUS_RANK)),
            vehicle.speed,
            fix,
            -fix,  # age order: the freshest fix first, vehicles never seen last
            vehicle.plate,
            vehicle.task,
        )

    def clock_codes(self, slots: np.ndarray) -> np.ndarray:
        stale = self.now - self.numbers["fix"][slots] > STALE_FIX_S
        return stale.astype(np.int8)

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Vehicles of each kind in each status, e.g. ``counts["muck"]["moving"]``."""
        kinds, statuses = list(domain.VEHICLE_KINDS), list(domain.VEHICLE_STATUSES)
        kind = self.numbers["kind"].astype(np.int64)
        status = self.numbers["status"].astype(np.int64)
        known = (kind < len(kinds)) & (status < len(statuses))
        cells = np.bincount(kind[known] * len(statuses) + status[known], minlength=len(kinds) * len(statuses))
        table = cells.reshape(len(kinds), len(statuses)).tolist()
        return {kind: dict(zip(statuses, row, strict=True)) for kind, row in zip(kinds, table, strict=True)}


def hall_summary(cases: CaseColumns, alarms: AlarmColumns, vehicles: VehicleColumns) -> HallSummary:
    """The header's counts from the column stores, a few array passes (a millisecond for 100,000
    cases): every frame that changed something, so the header never lags the panels below it."""
    case, alarm, vehicle = cases.numbers, alarms.numbers, vehicles.numbers
    open_cases = case["over"] == 0
    active = (alarm["attention"] == UNACKED) | (alarm["attention"] == ACKED)
    to_dispatch = status_ranks(names.workflow()).get("to_dispatch", -1)
    online = (vehicle["status"] != VEHICLE_STATUS_RANK["offline"]) & np.isfinite(vehicle["fix"])
    return HallSummary(
        to_dispatch=int(np.count_nonzero(case["status"] == to_dispatch)),
        # a stopped clock (hung, an extension asked) keeps what was left: not overdue
        overdue=int(np.count_nonzero(open_cases & (case["paused_left"] < 0) & (cases.left < 0))),
        escalated=int(np.count_nonzero(open_cases & (case["escalations"] > 0))),
        # cases urged and left alone, and critical alarms nobody acknowledged in time
        raised=int(np.count_nonzero(case["raised"] > 0))
        + int(np.count_nonzero((alarm["to_lead"] > 0) & (alarm["attention"] == UNACKED))),
        alarms_active=int(np.count_nonzero(active)),
        alarms_critical=int(np.count_nonzero(active & (alarm["priority"] == 1))),
        vehicles_online=int(np.count_nonzero(online)),
        vehicles=len(vehicles),
    )


def newest_critical(alarms: AlarmColumns) -> int | None:
    """The slot of the newest critical alarm standing unacknowledged (None: there is none)."""
    numbers = alarms.numbers
    critical = np.flatnonzero((numbers["attention"] == UNACKED) & (numbers["priority"] == 1))
    return int(critical[np.argmax(numbers["raised_at"][critical])]) if len(critical) else None


class RowView:
    """One table's filter and order over a store: the slots it shows, in the order it shows them."""

    COLUMN_KEYS: ClassVar[tuple[str, ...]]  # the key each column sorts by
    DEFAULT_KEYS: ClassVar[tuple[str, ...]]  # natural order (sort column -1), and the tie-break of every sort

    def __init__(self, store: ColumnStore) -> None:
        self.store = store
        self.sort_column = -1
        self.descending = False
        self.order = NO_SLOTS
        self._row_index: np.ndarray | None = None

    def rebuild(self) -> None:
        self.set_order(self.sorted(self.visible(self.store.all_slots())))

    def set_sort(self, column: int, descending: bool) -> None:
        self.sort_column = column if 0 <= column < len(self.COLUMN_KEYS) else -1
        self.descending = descending

    def order_keys(self) -> set[str]:
        """Keys that decide which rows show and where: a change in one means a new order."""
        sort_key = (self.COLUMN_KEYS[self.sort_column],) if self.sort_column >= 0 else ()
        return {*self.DEFAULT_KEYS, *sort_key, *self.filter_keys()}

    def visible(self, slots: np.ndarray) -> np.ndarray:
        mask = self.accepts(slots)
        return slots if mask is None else slots[mask]

    def sorted(self, slots: np.ndarray) -> np.ndarray:
        keys = [self.store.key(name)[slots] for name in reversed(self.DEFAULT_KEYS)]
        if self.sort_column >= 0:
            primary = self.store.key(self.COLUMN_KEYS[self.sort_column])[slots]
            keys.append(-primary if self.descending else primary)
        return slots[np.lexsort(keys)]

    def placed(self, changed: np.ndarray) -> np.ndarray | None:
        """The order with only the ``changed`` slots placed again among the others (which kept
        their keys), or None when only a full sort will do."""
        return None

    def set_order(self, order: np.ndarray) -> None:
        self.order = order
        self._row_index = None

    def rows_by_slot(self) -> np.ndarray:
        """Visible row of every slot, -1 when filtered out."""
        if self._row_index is None or len(self._row_index) != len(self.store):
            self._row_index = np.full(len(self.store), -1, np.int64)
            self._row_index[self.order] = np.arange(len(self.order))
        return self._row_index

    def row_of(self, entity_id: str) -> int | None:
        slot = self.store.slots.get(entity_id)
        if slot is None:
            return None
        row = int(self.rows_by_slot()[slot])
        return None if row < 0 else row

    # -- filters (none by default) -------------------------------------------

    def accepts(self, slots: np.ndarray) -> np.ndarray | None:
        """Mask of the slots the filter lets through; None when nothing is filtered."""
        return None

    def filter_keys(self) -> tuple[str, ...]:
        return ()

    def follows_clock(self) -> bool:
        """Whether the rows shown, or their order, change with the clock alone."""
        return False


class CaseView(RowView):
    COLUMN_KEYS = ("id", "category", "grid", "source", "status", "department", "escalations", "left")
    #: Open cases before closed ones; then urgency: a flooded underpass outranks an overdue
    #: flyer; then the light; then the time left as the countdown shows it.
    DEFAULT_KEYS = ("over", "urgency", "light", "left")

    def __init__(self, store: ColumnStore) -> None:
        super().__init__(store)
        self.search = ""
        self.statuses: frozenset[str] | None = None  # None: every state
        self.with_raised = False  # with the states, every case raised to the shift lead
        self.light: int | None = None
        self.filters: dict[str, float] = {}  # numeric key → the value a row must have
        self.text_filters: dict[str, str] = {}  # text key → the text a row must have

    def accepts(self, slots: np.ndarray) -> np.ndarray | None:
        if not (
            self.search
            or self.statuses is not None
            or self.light is not None
            or self.filters
            or self.text_filters
        ):
            return None
        mask = np.ones(len(slots), bool)
        if self.light is not None:
            mask &= self.store.codes[slots] == self.light
        if self.statuses is not None:
            ranks = status_ranks(names.workflow())
            wanted = [ranks[s] for s in self.statuses if s in ranks]
            chosen = np.isin(self.store.numbers["status"][slots], wanted)
            if self.with_raised:
                chosen |= self.store.numbers["raised"][slots] > 0
            mask &= chosen
        for key, value in self.filters.items():
            mask &= self.store.key(key)[slots] == value
        for key, text in self.text_filters.items():
            texts = self.store.texts[key]
            mask &= np.fromiter((texts[s] == text for s in slots.tolist()), bool, len(slots))
        if self.search:
            haystacks, needle = self.store.texts["search"], self.search
            mask &= np.fromiter((needle in haystacks[s] for s in slots.tolist()), bool, len(slots))
        return mask

    def filter_keys(self) -> tuple[str, ...]:
        # the time left (the order) moves with the deadline, a stopped clock and its kind
        return (
            "status",
            "search",
            "over",
            "raised",
            "deadline",
            "paused_left",
            "clock",
            *self.filters,
            *self.text_filters,
        )

    def follows_clock(self) -> bool:
        return True  # the order is by light and time left

    def placed(self, changed: np.ndarray) -> np.ndarray | None:
        """In the natural order, the changed cases are taken out and put back where their keys
        now belong: a thousand placed among 100,000 costs a few milliseconds, a full sort ten."""
        if self.sort_column >= 0 or not len(changed):
            return None
        out = np.zeros(len(self.store), bool)
        out[changed] = True
        keep = self.order[~out[self.order]]
        shown = self.sorted(self.visible(np.sort(changed)))  # equal keys by slot, as in a full sort
        kept, moved = self._natural(keep), self._natural(shown)
        at = np.searchsorted(kept, moved, side="left")
        ends = np.searchsorted(kept, moved, side="right")
        for n in np.flatnonzero(ends > at).tolist():  # equal keys: by slot, as a full sort leaves them
            at[n] += int(np.searchsorted(keep[at[n] : ends[n]], shown[n]))
        placed: np.ndarray = np.insert(keep, at, shown)
        return placed

    def _natural(self, slots: np.ndarray) -> np.ndarray:
        """The natural order's keys folded into one number per slot, in the same order: open
        before closed, urgency 1-3, light 0-3, then the clock seconds left (within ±4e9)."""
        key = self.store.key
        rank = (key("over")[slots] * 4 + key("urgency")[slots]) * 4 + key("light")[slots]
        folded: np.ndarray = rank * 1e10 + np.clip(key("left")[slots], -4e9, 4e9)
        return folded


class AlarmView(RowView):
    COLUMN_KEYS = ("priority", "source", "value", "threshold", "raised_at", "attention")
    DEFAULT_KEYS = ("attention", "priority", "newest")  # unacknowledged first, then priority, newest first

    def __init__(self, store: ColumnStore) -> None:
        super().__init__(store)
        self.aside = False  # the standing alarms, or those set aside (shelved, out of service)

    def accepts(self, slots: np.ndarray) -> np.ndarray | None:
        standing = self.store.key("attention")[slots]
        mask: np.ndarray = standing == SET_ASIDE if self.aside else standing < SET_ASIDE
        return mask

    def filter_keys(self) -> tuple[str, ...]:
        return ("attention",)


class VehicleView(RowView):
    COLUMN_KEYS = ("plate", "kind", "status", "speed", "fix_age", "task")
    DEFAULT_KEYS = ("kind", "plate")
