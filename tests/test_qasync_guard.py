"""Guard against the PySide6 6.12.0 + qasync abort on CPython 3.11.

That pair aborts the interpreter ("none_dealloc: deallocating None") after a
few thousand event-loop callbacks.  pyproject.toml pins PySide6 below 6.12 on
3.11; these tests check the pin holds and that a long qasync run survives.
The run happens in a child process because the failure is an abort, not an
exception.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import version

CALLBACKS = 30_000

LOOP_WORKOUT = textwrap.dedent(
    f"""
    import asyncio, sys
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    ticks = []

    async def main():
        timer = QTimer()
        timer.setInterval(0)
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start()
        done = asyncio.Event()
        count = 0

        def callback():
            nonlocal count
            count += 1
            if count == {CALLBACKS}:
                done.set()
            else:
                loop.call_soon(callback)

        loop.call_soon(callback)
        await done.wait()
        for _ in range(5000):
            await asyncio.sleep(0)
        timer.stop()
        return count

    with loop:
        count = loop.run_until_complete(main())
    print("callbacks", count, "timer ticks", len(ticks) > 0)
    """
)


def test_pyside6_pin_avoids_the_broken_pair() -> None:
    major, minor = (int(part) for part in version("PySide6-Essentials").split(".")[:2])
    if sys.version_info < (3, 12):
        assert (major, minor) < (6, 12), "PySide6 6.12 with qasync aborts CPython 3.11"


def test_many_thousand_loop_callbacks_run_to_the_end() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-c", LOOP_WORKOUT], capture_output=True, text=True, timeout=120, env=env
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"callbacks {CALLBACKS} timer ticks True" in run.stdout
