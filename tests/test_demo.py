"""The `hall` command as a user runs it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from console.demo import DEMO_USERS, demo_password
from layouts import load

pytestmark = pytest.mark.e2e


def hall(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console.cli", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def without_display() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


def test_without_a_display_the_demo_says_so_in_one_line() -> None:
    run = hall("demo", "--seconds", "5", env=without_display(), timeout=30)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "Traceback" not in run.stderr
    assert run.stderr.startswith("hall: no display found") and "--screenshot" in run.stderr


def test_screenshot_needs_seconds() -> None:
    run = hall("demo", "--screenshot", "somewhere", timeout=30)
    assert run.returncode == 2 and "--screenshot needs --seconds" in run.stderr


def test_an_unattended_console_needs_its_password_in_the_environment() -> None:
    env = {k: v for k, v in without_display().items() if k != "HALL_PASSWORD"}
    run = hall("console", "--seconds", "1", "--screenshot", "shots", env=env, timeout=30)
    assert run.returncode == 2 and "HALL_PASSWORD" in run.stderr and "Traceback" not in run.stderr


def test_an_unknown_layout_is_a_clear_error() -> None:
    run = hall("console", "--layout", "ballroom", env=without_display(), timeout=30)
    assert run.returncode == 2 and "no layout 'ballroom'" in run.stderr and "Traceback" not in run.stderr


def test_wall_demo_leaves_a_picture_of_every_screen(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    run = hall(
        "demo", "--layout", "wall", "--seconds", "8", "--screenshot", str(shots), env=without_display()
    )
    assert run.returncode == 0, run.stderr[-3000:]
    pictures = sorted(shots.glob("*.png"))
    assert [p.name for p in pictures] == [
        f"wall-{n}-{screen.id}.png" for n, screen in enumerate(load("wall").screens, start=1)
    ]
    for picture in pictures:
        image = QImage(str(picture))
        assert (image.width(), image.height()) == (1920, 1080), picture.name
        colours = {image.pixel(x, y) for x in range(0, 1920, 37) for y in range(0, 1080, 29)}
        assert len(colours) > 20, f"{picture.name} looks blank"
    assert "hub at ws://127.0.0.1:" in run.stdout
    for login, _name, _roles, _department in DEMO_USERS:  # a newcomer can sign in as anyone
        assert f"{login} " in run.stdout and demo_password(login) in run.stdout
    assert "signed in as dispatcher" in run.stdout  # this wall is driven from the duty desk
    database = Path(run.stdout.split("database sqlite:///", 1)[1].split()[0])
    assert database.name == "hall.db" and not database.parent.exists(), "the demo left its database behind"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("sim", "--rate", "-5"), "must be more than 0"),
        (("sim", "--hub", "http://example"), "starts with ws:// or wss://"),
        (("console", "--hub", "127.0.0.1:8765"), "starts with ws:// or wss://"),
    ],
)
def test_bad_arguments_get_a_short_message_not_a_traceback(args: tuple[str, ...], complaint: str) -> None:
    run = hall(*args, timeout=30)
    assert run.returncode == 2 and complaint in run.stderr and "Traceback" not in run.stderr


def test_ctrl_c_closes_the_demo_cleanly_with_its_hub_and_simulator(tmp_path: Path) -> None:
    env = {**without_display(), "QT_QPA_PLATFORM": "offscreen"}
    demo = subprocess.Popen(
        [sys.executable, "-m", "console.cli", "demo", "--db", f"sqlite:///{tmp_path / 'hall.db'}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert demo.stdout is not None
    lines = []
    for line in demo.stdout:  # blocks until the console says its windows are open
        lines.append(line)
        if line.startswith("console:"):
            break
    children = subprocess.run(["pgrep", "-P", str(demo.pid)], capture_output=True, text=True).stdout.split()
    demo.send_signal(signal.SIGINT)
    assert demo.wait(timeout=60) == 0, demo.stderr.read()[-3000:]  # type: ignore[union-attr]
    assert "console: 1 window(s) open" in lines[-1]
    assert len(children) == 2  # the hub and the simulator …
    for pid in children:  # … and both are gone
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
        )


def test_the_demo_runs_on_a_real_x11_display(tmp_path: Path) -> None:
    """As on a dispatcher's desktop: Qt's xcb plugin on an X server (Xvfb), not the offscreen one."""
    if shutil.which("xvfb-run") is None:
        message = "xvfb-run is not installed (Debian: apt-get install xvfb xauth)"
        if os.environ.get("HALL_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    shots = tmp_path / "shots"
    env = without_display()
    run = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, "-m", "console.cli", "demo",
         "--seconds", "6", "--screenshot", str(shots)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    (picture,) = shots.glob("*.png")
    image = QImage(str(picture))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert image.width() >= 1000 and len(colours) > 20
