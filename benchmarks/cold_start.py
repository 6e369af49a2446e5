"""A console's cold start on a hub holding 100,000 open cases: how long from signing in
until every window shows them (the dispatcher's queue lists their work among them, the map
gathers every case into clusters), and how much memory the console then holds.  Aim: under 2 s.

``measure_cold_start()`` is importable; ``python -m benchmarks.cold_start`` prints.
"""

from __future__ import annotations

import asyncio
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from argon2 import PasswordHasher

from benchmarks.queue_sort import open_case_clocks
from feeds import domain
from feeds.city import demo
from feeds.hub.accounts import Accounts
from feeds.hub.batch import WriteBatch
from feeds.hub.store import Store
from feeds.records import Case

NOW = time.time()
#: The seat signs in as a dispatcher, the hall's usual desk; its password is hashed cheaply.
LOGIN, PASSWORD = "bench", "bench-password"


def _rss_mb() -> float:
    """This process's resident memory now (Linux: /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stored_cases(db_url: str, count: int) -> int:
    """``count`` open cases of the demo city, in a mix of states and clocks, written straight
    into a store for the hub to load, with the dispatcher who signs in; how many of the cases
    are the dispatcher's work."""
    city = demo().city
    rng = random.Random(5)
    grids = city.grids
    categories = [rng.choice(list(city.categories)) for _ in range(count)]
    clocks = open_case_clocks(city, categories, NOW, seed=5)
    points = [grid.shape.representative_point() for grid in grids]
    cases = {}
    for n in range(count):
        k = rng.randrange(len(grids))
        place = city.place_of(grids[k])
        cases[f"AJ{n + 1:07d}"] = Case(
            id=f"AJ{n + 1:07d}",
            category=categories[n],
            grid=place.grid,
            district=place.district,
            street=place.street,
            community=place.community,
            lon=points[k].x,
            lat=points[k].y,
            source=rng.choice(list(domain.SOURCES)),
            description=f"第{n + 1}号案件：暴露垃圾",
            reported_at=clocks[n]["stage_started"] - rng.uniform(0, 3600),
            version=1,
            seq=n + 1,
            **clocks[n],
        )
    store = Store(db_url)
    try:
        store.commit(WriteBatch(records={"cases": cases}))  # type: ignore[dict-item]
        accounts = Accounts(store.engine, hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
        accounts.add(LOGIN, "派遣员", ["dispatcher"], PASSWORD)
    finally:
        store.close()
    work = city.workflow.work_states(["dispatcher"])
    return sum(case.status in work for case in cases.values())


def measure_cold_start(count: int = 100_000, layout: str = "desk") -> dict[str, float]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from console.app import Console, load_theme
    from feeds.city.cache import CityCache
    from layouts import load

    app = QApplication.instance() or QApplication([sys.argv[0]])
    load_theme(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{Path(folder) / 'hall.db'}"
        work = stored_cases(db_url, count)
        hub = subprocess.Popen(
            [sys.executable, "-m", "console.cli", "hub", "--port", "0", "--db", db_url],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert hub.stdout is not None
            url = hub.stdout.readline().strip().removeprefix("hub listening on ")
            cache = CityCache(Path(folder) / "cache")
            cache.put(demo().city.content_hash, demo().bundle)  # a seat that has seen the city before
            before_mb = _rss_mb()
            console = Console(load(layout), url, LOGIN, "console", city_cache=cache, password=PASSWORD)
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                shown_s = loop.run_until_complete(_until_shown(console, count, work))
                loop.run_until_complete(console.stop())
            after_mb = _rss_mb()
        finally:
            hub.terminate()
            hub.wait(timeout=30)
    return {
        "cold_start_cases": float(count),
        "cold_start_queue_rows": float(work),
        "cold_start_shown_s": shown_s,
        "cold_start_console_mb": after_mb,
        "cold_start_console_added_mb": after_mb - before_mb,
    }


async def _until_shown(console: object, count: int, work: int) -> float:
    """Seconds until the seat is signed in, every queue shows the dispatcher's ``work`` and
    every map all ``count`` cases."""
    from console.app import Console

    assert isinstance(console, Console)
    started = time.perf_counter()
    console.start()
    while True:
        await asyncio.sleep(0.005)
        signed_in = console.actor is not None
        queues_shown = all(q.table.model().rowCount() == work for q in console.queues)
        clustered = all(int(np.sum(m.clusters.clusters.count)) == count for m in console.maps)
        if signed_in and console.state.city is not None and queues_shown and clustered:
            return time.perf_counter() - started


if __name__ == "__main__":
    print(measure_cold_start())
