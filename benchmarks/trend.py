"""A 24-hour trend of one sensor read once a second (aim: opens in under 200 ms): the store's
answer thinned to the points a screen shows, and the trend window drawing it, beside drawing
every raw reading.

The day is stored raw (86,400 readings in a real SQLite file), as the hub keeps the last 48 hours;
``measure_trend()`` is importable without side effects; ``python -m benchmarks.trend`` prints its
result.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from feeds.hub.batch import WriteBatch
from feeds.hub.store import Store
from feeds.wire import History, Sensor

DAY_S = 86_400
END = 1_795_000_000.0
POINTS = 1_000  # what the console asks for: about a point a pixel column of a wide chart


def _qt_application() -> object:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def measure_trend(repeats: int = 5) -> dict[str, float]:
    _qt_application()
    from console.state import HallState
    from widgets.trend import QtTrend

    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'hall.db'}")
        at = END - DAY_S + np.arange(DAY_S, dtype=np.float64)
        values = 5 + 3 * np.sin(at / 3600) + np.random.default_rng(1).normal(0, 0.3, DAY_S)
        batch = WriteBatch()
        batch.readings = [
            {"sensor_id": "WL-01", "ts": t, "value": v} for t, v in zip(at, values, strict=True)
        ]
        store.commit(batch)
        state = HallState()
        state.sensors["WL-01"] = Sensor("WL-01", "water_level", "积水点", 118.8, 32.0, "cm")
        query_ms, draw_ms, raw_draw_ms = [], [], []
        for _ in range(repeats):
            started = time.perf_counter()
            columns = store.history("WL-01", END - DAY_S, END, POINTS)
            history = History("WL-01", *(c.tolist() for c in columns), [])
            queried = time.perf_counter()
            trend = QtTrend(state)
            trend.add_sensor("WL-01")
            shown = time.perf_counter()
            trend.show_history(history)
            trend.grab()  # painted
            drawn = time.perf_counter()
            query_ms.append((queried - started) * 1000)
            draw_ms.append((drawn - shown) * 1000)
            raw = History("WL-01", *(c.tolist() for c in store.history("WL-01", END - DAY_S, END)), [])
            shown = time.perf_counter()
            trend.show_history(raw)
            trend.grab()
            raw_draw_ms.append((time.perf_counter() - shown) * 1000)
            trend.deleteLater()
        store.close()
    query, draw, raw_draw = (statistics.median(m) for m in (query_ms, draw_ms, raw_draw_ms))
    return {
        "trend_24h_open_ms": query + draw,
        "trend_24h_query_ms": query,
        "trend_24h_draw_ms": draw,
        "trend_24h_raw_draw_ms": raw_draw,
        "trend_24h_points": float(len(history.at)),
    }


if __name__ == "__main__":
    for name, value in measure_trend().items():
        print(f"{name:30} {value:>10,.1f}")
