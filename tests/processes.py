"""Real hub and simulator processes for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

READY = "hub listening on "


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: The password the test roster's accounts share (tests/hubkit.py); processes read it from the environment.
TEST_PASSWORD = "hall-test-pass"


def hall(*args: str, **options: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HALL_PASSWORD": TEST_PASSWORD}
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "console.cli", *args], text=True, env=env, **options
    )


class HubProcess:
    """``hall hub`` on loopback; ``url`` is known once it says it is listening."""

    def __init__(self, db_url: str, port: int | None = None, city: Path | None = None) -> None:
        self.db_url = db_url
        self.city = city
        self.port = port or free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> HubProcess:
        city = ("--city", str(self.city)) if self.city else ()
        self.process = hall(
            "hub", "--port", str(self.port), "--db", self.db_url, *city, stdout=subprocess.PIPE
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # blocks until the hub listens (or dies: empty line)
        assert line.startswith(READY), f"hub did not start: {line!r}, exit {self.process.poll()}"
        return self

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self.process = None
        return code


def sqlite_file(folder: Path) -> str:
    return f"sqlite:///{folder / 'hall.db'}"
