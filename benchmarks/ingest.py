"""Console ingest rate beside the raw WebSocket receive-and-decode rate, same machine, same feed."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from websockets.asyncio.client import connect

from benchmarks.blaster import PASSWORD, USER
from feeds import wire as p

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def blaster(rate: float = 0.0) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "blaster.py"), str(rate)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        yield f"ws://127.0.0.1:{process.stdout.readline().strip()}"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _raw(url: str, seconds: float) -> float:
    async with connect(url, max_size=p.MAX_FRAME_BYTES) as ws:
        await ws.send(p.encode(p.Hello(p.PROTOCOL_VERSION, "console", USER, password=PASSWORD)), text=True)
        updates = 0
        started = None
        while True:
            message = p.decode_server(await ws.recv(decode=False))
            if isinstance(message, p.Delta):
                if started is None:
                    started = time.perf_counter()
                    continue
                updates += len(message.items)
                elapsed = time.perf_counter() - started
                if elapsed >= seconds:
                    return updates / elapsed


def measure_raw_ingest(seconds: float = 5.0) -> dict[str, float]:
    """Vehicle updates per second a bare asyncio client receives and decodes."""
    with blaster() as url:
        return {"raw_decode_updates_per_s": asyncio.run(_raw(url, seconds))}


def measure_console_ingest(seconds: float = 8.0, rates: tuple[float, ...] = (20_000, 0)) -> dict[str, float]:
    """The desk console fed at each rate (0: as fast as it takes them): updates applied and frame costs."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from console import i18n
    from console.app import load_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    i18n.install(app)  # type: ignore[arg-type]
    load_theme(app)  # type: ignore[arg-type]
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    figures: dict[str, float] = {}
    with loop:
        for rate in rates:
            name = f"console_{int(rate / 1000)}k" if rate else "console_max"
            figures.update(
                {f"{name}_{k}": v for k, v in loop.run_until_complete(_console_at(rate, seconds)).items()}
            )
    return figures


async def _console_at(rate: float, seconds: float) -> dict[str, float]:
    from PySide6.QtCore import QTimer

    from console.app import Console
    from layouts import load

    with blaster(rate) as url:
        console = Console(load("desk"), url, USER, "console", password=PASSWORD)
        ticks: list[float] = []
        probe = QTimer()  # a 20 Hz timer beside the frame clock: its real intervals show a blocked loop
        probe.setInterval(50)
        probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
        console.start()
        probe.start()
        while console.state.updates < 10_000:  # the snapshot is in
            await asyncio.sleep(0.05)
        ticks.clear()
        console.frame_ms.clear()
        first, started = console.state.updates, time.perf_counter()
        await asyncio.sleep(seconds)
        elapsed = time.perf_counter() - started
        applied = console.state.updates - first
        probe.stop()
        await console.stop()
    intervals = sorted((b - a) * 1000 for a, b in itertools.pairwise(ticks))
    frames = sorted(console.frame_ms)
    return {
        "updates_per_s": applied / elapsed,
        "frames_per_s": len(frames) / elapsed,
        "frame_work_ms_median": statistics.median(frames),
        "frame_work_ms_p95": frames[int(0.95 * (len(frames) - 1))],
        "frame_interval_ms_p95": intervals[int(0.95 * (len(intervals) - 1))],
    }
