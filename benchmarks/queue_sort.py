"""The case queue at 100,000 open cases: sort, filter and one frame's work, beside the
typical Qt build (a ``QStandardItemModel`` behind a ``QSortFilterProxyModel``) on the same
cases in the same run.

- **sort**: ``CaseTableModel.sort`` by a column (category, time left) and in the natural
  order (open first, urgency class, light, time left); aim under 50 ms.
- **filter**: a text search (a street's name, "垃圾"), a status set (the dispatcher's
  "my work" ``{"to_dispatch"}``) and a light, each set on the unfiltered queue and then
  cleared; aim under 50 ms.
- **frames**: ``CaseColumns.update`` + ``CaseTableModel.refresh`` as the console's frame
  clock calls them (``Console._on_frame``): a frame in which 1,000 cases changed (versions
  bumped, a third changing state, a third their deadline; aim under 16 ms), and a frame in
  which nothing changed but a new second began (the queue re-sorts by the clocks every
  second; it must fit the 50 ms frame clock).
- **the proxy**: the same rows in a ``QStandardItemModel`` (the queue's texts, a numeric
  sort key on ``Qt.UserRole`` in every column, hidden columns for the search text, the light
  and the natural order) behind a ``QSortFilterProxyModel``: ``sort``,
  ``setFilterFixedString`` / ``setFilterRegularExpression``.  Both must show the same number
  of rows after every filter, or the figures mean nothing.

Models only, no view: both sides pay for their signals, neither for painting.  Figures are
medians and 95th percentiles over the repeats.  ``measure_queue_sort()`` is importable
without side effects; ``python -m benchmarks.queue_sort [ROWS]`` prints its result.
:func:`open_case_clocks` gives the clock fields of a hall's worth of open cases, for this and
the cold-start benchmark.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import numpy as np

from console import names
from console.columns import AlarmColumns, CaseColumns, VehicleColumns, hall_summary
from console.models import CaseColumn, CaseTableModel
from console.state import HallState
from feeds import domain
from feeds.city import City, demo
from feeds.city.clock import Clocks
from feeds.city.model import CLOCK_KINDS
from feeds.domain import LIGHTS, Light
from feeds.wire import Case, Delta, Snapshot

NOW = 1_760_000_000.0  # a Thursday, 16:53 in the demo city: the working-hours clocks still run
STREAM = "bench"

#: Open workflow states as a hall holds them: most cases sit with a department; a few wait
#: for an extension or stand hung, their clocks stopped.
OPEN_STATES = (
    *("to_dispatch", "to_dispatch", "dispatched", "dispatched"),
    *("handling", "handling", "handling", "handling", "handling"),
    *("extension_requested", "hung", "to_check", "to_close"),
)

#: The dispatcher's "my work" in the queue's state box.
MY_WORK = frozenset({"to_dispatch"})
#: Cases changed in the busy frame.
CHANGED = 1_000
#: Columns of the proxy's source model after the queue's own (hidden in a real table).
SEARCH_COLUMN, LIGHT_COLUMN, ORDER_COLUMN = len(CaseColumn), len(CaseColumn) + 1, len(CaseColumn) + 2


def open_case_clocks(city: City, categories: list[str], now: float, seed: int = 1) -> list[dict[str, Any]]:
    """For each case of ``categories`` (codes of the city's catalog): an open state and the
    clock of its stage as the hub keeps it: the stage's limit on the category's clock (urgent,
    working hours or working days), started some time before ``now`` (a mix of lights, some
    overdue), and what was left where the state stops the clock."""
    rng = np.random.default_rng(seed)
    clocks = Clocks(city.calendar)
    workflow = city.workflow
    count = len(categories)
    statuses = [OPEN_STATES[k] for k in rng.integers(len(OPEN_STATES), size=count)]
    limits = [
        city.categories[code].stage_limit(workflow.states[status].stage, city.stage_limits)
        for code, status in zip(categories, statuses, strict=True)
    ]
    kinds = np.array([CLOCK_KINDS.index(limit.clock) for limit in limits])
    limit_s = np.array([clocks.limit_seconds(limit.clock, limit.limit, limit.unit) for limit in limits])
    started = now - rng.uniform(0.0, 1.3, count) * np.minimum(limit_s, 3 * 86_400)
    deadlines = np.empty(count)
    for code, kind in enumerate(CLOCK_KINDS):
        chosen = kinds == code
        deadlines[chosen] = clocks[kind].add_many(started[chosen], limit_s[chosen])
    paused_left = rng.uniform(0.0, 1.0, count) * limit_s
    return [
        {
            "status": status,
            "stage": workflow.states[status].stage,
            "clock": limit.clock,
            "stage_started": float(started[n]),
            "deadline": float(deadlines[n]),
            "limit_s": float(limit_s[n]),
            "paused_left_s": float(paused_left[n]) if workflow.states[status].clock == "paused" else -1.0,
        }
        for n, (status, limit) in enumerate(zip(statuses, limits, strict=True))
    ]


def synthetic_cases(rows: int, seed: int = 1) -> list[Case]:
    """Open cases spread over categories, sources, states, clocks and lights, in shuffled
    order, each in a unit grid of the demo city (so that its street and community have names)."""
    rng = random.Random(seed)
    city = demo().city
    categories, sources = list(city.categories), list(domain.SOURCES)
    places = [city.place_of(grid) for grid in city.grids]
    picked = [rng.choice(categories) for _ in range(rows)]
    ids = rng.sample(range(10**9), rows)  # unique, in no order
    cases = []
    for n, (category, clock) in enumerate(
        zip(picked, open_case_clocks(city, picked, NOW, seed), strict=True)
    ):
        place = rng.choice(places)
        cases.append(
            Case(
                id=f"C{ids[n]:09d}",
                category=category,
                grid=place.grid,
                district=place.district,
                street=place.street,
                community=place.community,
                lon=118.78,
                lat=32.05,
                source=rng.choice(sources),
                description=f"case {n}",
                reported_at=NOW - 3600,
                version=1,
                escalations=rng.choice((0, 0, 0, 1, 2)),
                **clock,
            )
        )
    return cases


def changed_cases(state: HallState, count: int, now: float, seed: int) -> list[Case]:
    """``count`` open cases of ``state`` as a delta brings them back, each one version on: a
    third moved to another state (with that stage's clock, started before ``now``), a third
    with a new deadline (an extension, a correction), a third urged once more."""
    city = state.city
    assert city is not None
    rng = random.Random(seed)
    picked = [state.cases[i] for i in rng.sample(sorted(state.cases), count)]
    moved = picked[0::3]
    fresh = open_case_clocks(city, [case.category for case in moved], now, seed)
    changed = [
        msgspec.structs.replace(case, version=case.version + 1, **clock)
        for case, clock in zip(moved, fresh, strict=True)
    ]
    changed += [
        msgspec.structs.replace(
            case, version=case.version + 1, deadline=case.deadline + rng.uniform(-2 * 3600, 86_400)
        )
        for case in picked[1::3]
    ]
    changed += [
        msgspec.structs.replace(case, version=case.version + 1, escalations=case.escalations + 1)
        for case in picked[2::3]
    ]
    return changed


def _qt_application() -> object:
    """The running QApplication, or a new headless one (only when none exists)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


@contextmanager
def _named_after(city: City) -> Iterator[None]:
    """Names (search texts, place names) come from ``city`` as in a console it serves; the
    caller's city afterwards."""
    saved = getattr(names, "_city", None)
    names.use_city(city)
    try:
        yield
    finally:
        names.use_city(saved)


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _stats(prefix: str, timings: list[float]) -> dict[str, float]:
    return {
        f"{prefix}_ms_median": round(float(np.median(timings)), 2),
        f"{prefix}_ms_p95": round(float(np.percentile(timings, 95)), 2),
    }


def _filters(city: City) -> list[tuple[str, Any]]:
    """The filters a dispatcher sets: (kind, value)."""
    street = city.streets[0].name  # 南湖街道: 6 % of the cases
    return [("text", street), ("text", "垃圾"), ("status", MY_WORK), ("light", Light.RED)]


def _set_filter(model: CaseTableModel, kind: str, value: Any) -> None:
    if kind == "text":
        model.set_text_filter(value)
    elif kind == "status":
        model.set_status_filter(value)
    else:
        model.set_light_filter(value)


def _clear_filter(model: CaseTableModel, kind: str) -> None:
    _set_filter(model, kind, "" if kind == "text" else None)


def measure_queue_sort(
    rows: int = 100_000, repeats: int = 7, frames: int = 21, proxy: bool = True
) -> dict[str, float]:
    """Sort, filter and frame figures of the case queue over ``rows`` open cases (medians and
    95th percentiles over ``repeats`` of each sort and filter, ``frames`` of each frame kind),
    and with ``proxy`` the same sorts and filters on the typical Qt build, with the ratios."""
    _qt_application()
    city = demo().city
    with _named_after(city):
        state = HallState(city)
        state.apply(Snapshot(topic="cases", stream=STREAM, seq=rows, items=synthetic_cases(rows)))
        state.take_changes()  # the snapshot: the store below loads it whole
        store = CaseColumns(state, now=NOW)
        model = CaseTableModel(state, now=NOW, store=store)
        figures: dict[str, float] = {"queue_rows": len(model.view.order)}
        shown: dict[int, int] = {}  # filter number → rows it shows, for the proxy to match
        figures.update(_queue_sort_and_filter(model, _filters(city), repeats, shown))
        if proxy:
            figures.update(_proxy_sort_and_filter(model, _filters(city), repeats, shown))
            figures["queue_sort_speedup"] = figures["proxy_sort_ms_median"] / figures["queue_sort_ms_median"]
            figures["queue_filter_speedup"] = (
                figures["proxy_filter_ms_median"] / figures["queue_filter_ms_median"]
            )
        figures.update(_queue_frames(state, store, model, frames))
        figures.update(_header_counts(state, store, repeats))
    return figures


def _header_counts(state: HallState, store: CaseColumns, repeats: int) -> dict[str, float]:
    """The header's counts from the column stores (every frame that changed something), beside
    the typical way: one pass over every case record (what the header did once a second)."""
    stores = (store, AlarmColumns(state, now=NOW), VehicleColumns(state, now=NOW))
    columns = [_ms(lambda: hall_summary(*stores)) for _ in range(repeats)]

    def walk() -> tuple[int, ...]:
        cases = state.cases.values()
        return (
            sum(c.status == "to_dispatch" for c in cases),
            sum(c.deadline < NOW and c.stage != "" and not c.paused for c in cases),
            sum(c.escalations > 0 and c.stage != "" for c in cases),
            sum(c.raised for c in cases),
        )

    walked = [_ms(walk) for _ in range(repeats)]
    figures = {**_stats("header_counts", columns), **_stats("header_counts_walk", walked)}
    figures["header_counts_speedup"] = (
        figures["header_counts_walk_ms_median"] / figures["header_counts_ms_median"]
    )
    return figures


def _queue_sort_and_filter(
    model: CaseTableModel, filters: list[tuple[str, Any]], repeats: int, shown: dict[int, int]
) -> dict[str, float]:
    by_column: list[float] = []
    natural: list[float] = []
    for _ in range(repeats):
        for column in (CaseColumn.CATEGORY, CaseColumn.TIME_LEFT):  # every sort really moves rows
            by_column.append(_ms(lambda column=column: model.sort(column)))
        natural.append(_ms(lambda: model.sort(-1)))
    by_kind: dict[str, list[float]] = {"text": [], "status": [], "light": []}
    cleared: list[float] = []
    for _ in range(repeats):  # on the unfiltered queue in its natural order, as a seat starts
        for n, (kind, value) in enumerate(filters):
            by_kind[kind].append(_ms(lambda kind=kind, value=value: _set_filter(model, kind, value)))
            shown[n] = model.rowCount()
            cleared.append(_ms(lambda kind=kind: _clear_filter(model, kind)))
    figures = {**_stats("queue_sort", by_column), **_stats("queue_sort_natural", natural)}
    figures.update(_stats("queue_filter", [ms for timings in by_kind.values() for ms in timings]))
    for kind, timings in by_kind.items():
        figures[f"queue_filter_{kind}_ms_median"] = round(float(np.median(timings)), 2)
    figures.update(_stats("queue_filter_clear", cleared))
    return figures


def _proxy_sort_and_filter(
    model: CaseTableModel, filters: list[tuple[str, Any]], repeats: int, shown: dict[int, int]
) -> dict[str, float]:
    from PySide6.QtCore import QRegularExpression, QSortFilterProxyModel, Qt

    started = time.perf_counter()
    source = _standard_model(model)
    proxy = QSortFilterProxyModel()
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setSourceModel(source)
    proxy.sort(ORDER_COLUMN)
    build_s = time.perf_counter() - started

    by_column: list[float] = []
    natural: list[float] = []
    for _ in range(repeats):
        for column in (CaseColumn.CATEGORY, CaseColumn.TIME_LEFT):
            by_column.append(_ms(lambda column=column: proxy.sort(column)))
        natural.append(_ms(lambda: proxy.sort(ORDER_COLUMN)))

    def set_filter(kind: str, value: Any) -> None:
        if kind == "text":
            proxy.setFilterFixedString(value)
        elif kind == "status":  # a set of states: their names, whole
            words = "|".join(QRegularExpression.escape(names.status_name(s)) for s in sorted(value))
            proxy.setFilterRegularExpression(f"^(?:{words})$")
        else:
            proxy.setFilterFixedString(str(value))

    key_column = {"text": SEARCH_COLUMN, "status": int(CaseColumn.STATUS), "light": LIGHT_COLUMN}
    by_kind: dict[str, list[float]] = {"text": [], "status": [], "light": []}
    cleared: list[float] = []
    for _ in range(repeats):
        for n, (kind, value) in enumerate(filters):
            proxy.setFilterKeyColumn(key_column[kind])  # with no filter set: not timed
            by_kind[kind].append(_ms(lambda kind=kind, value=value: set_filter(kind, value)))
            if proxy.rowCount() != shown[n]:
                raise RuntimeError(
                    f"filter {kind} {value!r}: the proxy shows {proxy.rowCount()} rows, the queue {shown[n]}"
                )
            cleared.append(_ms(lambda: proxy.setFilterFixedString("")))
    figures: dict[str, float] = {"proxy_build_s": round(build_s, 2)}
    figures.update({**_stats("proxy_sort", by_column), **_stats("proxy_sort_natural", natural)})
    figures.update(_stats("proxy_filter", [ms for timings in by_kind.values() for ms in timings]))
    for kind, timings in by_kind.items():
        figures[f"proxy_filter_{kind}_ms_median"] = round(float(np.median(timings)), 2)
    figures.update(_stats("proxy_filter_clear", cleared))
    return figures


def _standard_model(model: CaseTableModel) -> Any:
    """The queue's rows as the typical Qt build holds them: one ``QStandardItem`` per cell with
    the queue's text, and the queue's sort key of that column on ``Qt.UserRole``; hidden columns
    with the search text, the light and a natural-order key."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    user = 256  # Qt.ItemDataRole.UserRole
    store, view = model.store, model.view
    keys = [store.key(name) for name in view.COLUMN_KEYS]
    # over, urgency, light, left as one number (left is under 10^9 s either way)
    natural = ((store.key("over") * 10 + store.key("urgency")) * 10 + store.key("light")) * 1e10 + store.key(
        "left"
    )
    source = QStandardItemModel(len(store), ORDER_COLUMN + 1)
    for slot in range(len(store)):
        case = store.record(slot)
        for column in range(len(CaseColumn)):
            item = QStandardItem(model._text(case, column))
            item.setData(float(keys[column][slot]), user)
            source.setItem(slot, column, item)
        search = QStandardItem(store.texts["search"][slot])
        light = QStandardItem(LIGHTS[store.codes[slot]].value)
        order = QStandardItem()
        order.setData(float(natural[slot]), user)
        source.setItem(slot, SEARCH_COLUMN, search)
        source.setItem(slot, LIGHT_COLUMN, light)
        source.setItem(slot, ORDER_COLUMN, order)
    return source


def _queue_frames(
    state: HallState, store: CaseColumns, model: CaseTableModel, frames: int
) -> dict[str, float]:
    """One frame's work as ``Console._on_frame`` does it, on the unfiltered queue in its
    natural order: a frame of :data:`CHANGED` cases within a second, a frame in which only a new
    second began, and a frame with both."""
    model.sort(-1)
    seq = state.positions["cases"].seq

    def apply_delta(now: float, seed: int) -> None:
        nonlocal seq
        items = changed_cases(state, min(CHANGED, len(state.cases)), now, seed)
        delta = Delta(topic="cases", stream=STREAM, from_seq=seq + 1, seq=seq + len(items), items=items)
        if not state.apply(delta):
            raise RuntimeError("the benchmark's delta does not follow its snapshot")
        seq = delta.seq

    def frame(now: float) -> tuple[float, float]:
        """Milliseconds of the whole frame and of its first part, ``CaseColumns.update`` (the
        rest is ``CaseTableModel.refresh``: the new order and the model's signals)."""
        changes = state.take_changes()
        started = time.perf_counter()
        store.update(changes, now)
        stored = time.perf_counter()
        model.refresh(changes, now)
        ended = time.perf_counter()
        return (ended - started) * 1000, (stored - started) * 1000

    second = NOW
    frame(second + 0.5)  # the first frame: nothing waits
    changed_ms, both_ms, changed_store_ms, second_ms, second_store_ms = [], [], [], [], []
    for n in range(frames + 1):  # the first round warms up
        second += 1
        quiet, quiet_store = frame(second)
        apply_delta(second, seed=2 * n)
        busy, busy_store = frame(second + 0.5)
        second += 1
        apply_delta(second, seed=2 * n + 1)
        both, _ = frame(second)
        if n:
            changed_ms.append(busy)
            changed_store_ms.append(busy_store)
            second_ms.append(quiet)
            second_store_ms.append(quiet_store)
            both_ms.append(both)
    figures = {
        **_stats("queue_frame_1000_changed", changed_ms),
        **_stats("queue_frame_new_second", second_ms),
        **_stats("queue_frame_1000_new_sec", both_ms),
        "queue_frame_1000_store_ms_median": round(float(np.median(changed_store_ms)), 2),
        "queue_frame_second_store_ms_median": round(float(np.median(second_store_ms)), 2),
    }
    figures["queue_frame_changed_cases"] = min(CHANGED, len(state.cases))
    return figures


if __name__ == "__main__":
    for name, value in measure_queue_sort(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000).items():
        print(f"{name:46} {value:>12,.2f}")
