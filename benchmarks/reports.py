"""A monthly report (月评比) for 20,000 cases a month, written as xlsx and PDF (aim under 15 s).

The demo city's store holds two months of random walks through its workflow table (February and
March 2026, :func:`benchmarks.kpis.walk`), with the hall's people in its accounts; the figure is
``hall report monthly --month 2026-03`` from the store to the two files, the city already read.
``measure_reports()`` is importable without side effects; ``python -m benchmarks.reports``
prints its result.  :func:`store_stories` also fills the stores of ``tests/test_reports.py``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import msgspec
import numpy as np

from benchmarks.kpis import Cast, Story, _Seeded, walk
from feeds.city import demo
from feeds.city.clock import zone
from feeds.city.model import City
from feeds.hub.accounts import Accounts
from feeds.hub.batch import WriteBatch
from feeds.hub.reports import make_report, read_report
from feeds.hub.rules.kpis import Period
from feeds.hub.store import Store

STRIDE = 100  # a story's events are stored as seqs n·STRIDE + 1, + 2 …: longer than any walk
PASSWORD = "bench-password"


def store_stories(
    url: str, stories: Iterable[Story], since: float = -np.inf, until: float = np.inf, first: int = 0
) -> None:
    """The stories' cases and their events from ``since`` to ``until`` into the store at ``url``,
    as the hub stores them; story n (counted from ``first``) gets the seqs n·STRIDE + its own."""
    batch = WriteBatch(records={"cases": {}})
    for n, story in enumerate(stories, first):
        if len(story.events) >= STRIDE:
            raise ValueError(f"{story.id} has more than {STRIDE - 1} events")
        batch.put("cases", story.case())
        batch.events += [
            {**msgspec.structs.asdict(entry), "seq": n * STRIDE + entry.seq, "case_id": story.id}
            for entry in story.events
            if since <= entry.at < until
        ]
    store = Store(url)
    try:
        store.commit(batch)
    finally:
        store.close()


def demo_cast(city: City, inspectors: int = 60) -> Cast:
    kinds: dict[str, list[str]] = {}
    for department in city.departments.values():
        kinds.setdefault(department.kind, []).append(department.code)
    return Cast(
        grids=[grid.code for grid in city.grids],
        inspectors=[f"inspector-{n:02d}" for n in range(inspectors)],
        leads=[f"lead-{n}" for n in range(6)],
        dispatchers=[f"dispatcher-{n}" for n in range(10)],
        departments=kinds,
    )


def add_people(url: str, cast: Cast, city: City) -> None:
    """The cast as the hall's users, with Chinese names; inspectors patrol a district each."""
    districts = [district.code for district in city.districts]
    people = [
        (login, f"监督员{n + 1:02d}", ["inspector"], "", districts[n % len(districts)])
        for n, login in enumerate(cast.inspectors)
    ]
    people += [(login, f"派遣员{n + 1}", ["dispatcher"], "", "") for n, login in enumerate(cast.dispatchers)]
    people += [(login, f"值班长{n + 1}", ["lead"], "", "") for n, login in enumerate(cast.leads)]
    store = Store(url)
    try:
        Accounts(store.engine).add_crew(people, PASSWORD)
    finally:
        store.close()


def measure_reports(cases: int = 20_000) -> dict[str, float]:
    """``cases`` a month in February and March; the report of March made twice (the second
    time the operating system has the store's file in its cache, as an office's repeat would)."""
    city = demo().city
    tz = zone(city.calendar.timezone)
    march = Period.month(2026, 3, tz)
    february = march.previous(tz)
    cast = demo_cast(city)
    chooser = _Seeded(11)
    starts = np.sort(chooser.rng.uniform(february.start, march.end, 2 * cases))
    stories = [walk(city.workflow, cast, f"R{n:06d}", float(t), chooser) for n, t in enumerate(starts)]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/hall.db"
        store_stories(url, stories)
        add_people(url, cast, city)
        now = march.end + 86_400
        timings = []
        for attempt in range(2):
            t0 = time.perf_counter()
            written = make_report(city, url, "monthly", march.label, Path(folder) / f"out-{attempt}", now)
            timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        report = read_report(city, url, "monthly", march, march.end)
        read_s = time.perf_counter() - t0
        sizes = [path.stat().st_size / 1024 for path in written]
    return {
        "reports_cases": float(sum(march.start <= t < march.end for t in starts)),
        "reports_objects_ranked": float(sum(len(group.rows) for group in report.groups)),
        "reports_monthly_s": min(timings),
        "reports_monthly_first_s": timings[0],
        "reports_read_and_rank_s": read_s,
        "reports_xlsx_kb": sizes[0],
        "reports_pdf_kb": sizes[1],
    }


if __name__ == "__main__":
    print(f"Reports, {datetime.now():%Y-%m-%d %H:%M}")
    for name, value in measure_reports().items():
        print(f"{name:36} {value:>14,.2f}")
