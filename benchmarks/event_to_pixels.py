"""Event to pixels: readings at 5,000 a second, from leaving a producer to their colour on the map.

A ``hall hub`` process on SQLite on loopback; a producer process (``benchmarks/readings.py``)
sending the demo city's 550 sensors' readings, each stamped with the moment it leaves; in this
process a desk console signed in to the hub.  In the console's frame callback, after every model
and map has taken the frame's changes, the map is painted, and for each sensor whose reading the
frame brought the time since that reading left the producer is taken (the hub writes a sensor
once per commit, so it is the newest of its readings that reaches the screen).  Aim: p99 under
150 ms.  ``measure_event_to_pixels()`` is importable; ``python -m benchmarks.event_to_pixels``
prints.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.hub_ingest import CHEAP_HASHER, _start_hub
from feeds.city import demo
from feeds.hub.accounts import Accounts
from feeds.hub.store import Store

ROOT = Path(__file__).resolve().parent.parent
RATE = 5_000  # readings a second
PRODUCER, CONSOLE, PASSWORD = "bench-gw", "bench-desk", "bench-password"


def _accounts(db_url: str) -> None:
    store = Store(db_url)
    try:
        accounts = Accounts(store.engine, hasher=CHEAP_HASHER)
        accounts.add(PRODUCER, "网关", ["producer"], PASSWORD)
        accounts.add(CONSOLE, "派遣员", ["dispatcher"], PASSWORD)
    finally:
        store.close()


def measure_event_to_pixels(rate: float = RATE, seconds: float = 10.0) -> dict[str, float]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from console.app import load_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    load_theme(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{Path(folder) / 'hall.db'}"
        _accounts(db_url)
        hub, url = _start_hub(db_url)
        try:
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                return loop.run_until_complete(_measure(url, Path(folder), rate, seconds))
        finally:
            hub.terminate()
            hub.wait(timeout=30)


async def _measure(url: str, folder: Path, rate: float, seconds: float) -> dict[str, float]:
    from console.app import Console
    from console.state import Changes
    from feeds.city.cache import CityCache
    from layouts import load

    cache = CityCache(folder / "cache")
    cache.put(demo().city.content_hash, demo().bundle)  # a seat that has seen the city before
    console = Console(load("desk"), url, CONSOLE, "console", city_cache=cache, password=PASSWORD)
    latencies: list[float] = []
    seen: dict[str, float] = {}

    def on_frame(changes: Changes, _now: float) -> None:
        """After the frame's refreshers: paint the map, then time the readings it shows."""
        if not changes.sensors:
            return
        for city_map in console.maps:
            city_map.plot.viewport().repaint()
        painted = time.time()
        for sensor in console.state.sensors.values():
            if sensor.ts is not None and sensor.ts > seen.get(sensor.id, 0.0):
                seen[sensor.id] = sensor.ts
                latencies.append((painted - sensor.ts) * 1000)

    console.refreshers.append(on_frame)  # after every model and map
    console.start()
    while console.actor is None or console.state.city is None or "sensors" not in console.state.positions:
        await asyncio.sleep(0.05)
    producer = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "readings.py"),
            url,
            PRODUCER,
            PASSWORD,
            str(rate),
            str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        while not seen and producer.poll() is None:  # the producer signed in and its readings flow
            await asyncio.sleep(0.05)
        latencies.clear()
        console.frame_ms.clear()
        started = time.perf_counter()
        while producer.poll() is None:
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - started
        assert producer.stdout is not None
        accepted = int(producer.stdout.read().strip() or 0)
    finally:
        if producer.poll() is None:
            producer.terminate()
        producer.wait(timeout=10)
        await console.stop()
    latencies.sort()
    frames = sorted(console.frame_ms)
    return {
        "event_to_pixels_ms_median": statistics.median(latencies),
        "event_to_pixels_ms_p99": latencies[int(0.99 * (len(latencies) - 1))],
        "event_to_pixels_ms_max": latencies[-1],
        "event_to_pixels_readings_per_s": accepted / seconds,
        "event_to_pixels_shown_per_s": len(latencies) / elapsed,
        "event_to_pixels_frame_work_ms_median": statistics.median(frames),
    }


if __name__ == "__main__":
    print(measure_event_to_pixels())
