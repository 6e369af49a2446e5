"""How long the case queue takes to sort 100,000 cases (DESIGN.md rule 7: under 100 ms).

``measure_queue_sort()`` is importable without side effects; ``python -m
benchmarks.queue_sort`` prints its result.
"""

from __future__ import annotations

import os
import random
import statistics
import time

from console.models import CaseColumn, CaseTableModel
from console.state import HallState
from feeds import domain
from feeds.city import demo
from feeds.wire import Case, Snapshot

NOW = 1_760_000_000.0


def synthetic_cases(rows: int, seed: int = 1) -> list[Case]:
    """Cases spread over categories, sources and lights, in shuffled order."""
    rng = random.Random(seed)
    categories, sources = list(demo().city.categories), list(domain.SOURCES)
    cases = []
    for n in range(rows):
        district = f"3201{rng.randrange(10):02d}"
        cases.append(
            Case(
                id=f"C{rng.randrange(10**9):09d}",
                category=rng.choice(categories),
                grid=f"{district}{rng.randrange(10**9):09d}",
                district=district,
                street="南湖街道",
                lon=118.78,
                lat=32.05,
                source=rng.choice(sources),
                description=f"case {n}",
                status=rng.choice(list(domain.CaseStatus)),
                reported_at=NOW - 3600,
                deadline=NOW + rng.uniform(-8 * 3600, 24 * 3600),
                limit_s=4 * 3600.0,
                version=1,
            )
        )
    return cases


def _qt_application() -> object:
    """The running QApplication, or a new headless one (only when none exists)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


def measure_queue_sort(rows: int = 100_000, repeats: int = 7) -> dict:
    """Median milliseconds of one ``CaseTableModel.sort`` over ``rows`` cases, alternating
    time left and category so that every sort really moves rows."""
    _qt_application()
    state = HallState()
    state.apply(Snapshot(topic="cases", stream="bench", seq=rows, items=synthetic_cases(rows)))
    model = CaseTableModel(state, now=NOW)
    timings = []
    for _ in range(repeats):
        for column in (CaseColumn.CATEGORY, CaseColumn.TIME_LEFT):
            started = time.perf_counter()
            model.sort(column)
            timings.append((time.perf_counter() - started) * 1000)
    return {"queue_sort_ms_median": round(statistics.median(timings), 2), "queue_rows": rows}


if __name__ == "__main__":
    print(measure_queue_sort())
