"""Starting the console: the display check, the Qt + asyncio loop, timed runs and screenshots."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes.util
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

from layouts import Layout, LayoutError, load

NO_DISPLAY = (
    "hall: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). Run it on a desktop session, "
    "or add --seconds N --screenshot DIR to run offscreen and save a picture of every window."
)
SCREEN_SIZE = (1920, 1080)
#: Where unattended seats, the simulator and `hall status` read their password (never argv: ps shows it).
PASSWORD_VARIABLE = "HALL_PASSWORD"
#: Libraries Qt's xcb plugin loads (from 6.5), and the Debian packages holding them.
X11_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


def prepare_platform(layout: Layout, screenshot: bool) -> str | None:
    """Choose the Qt platform before Qt starts; returns a one-line problem, or None.

    Offscreen runs (``--screenshot`` without a display, or QT_QPA_PLATFORM=offscreen)
    get one virtual screen per layout screen, so every window lands on its own.
    """
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    has_display = (
        bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform != "linux"
    )
    if not platform and not has_display:
        if not screenshot:
            return NO_DISPLAY
        platform = "offscreen"
    if platform == "offscreen":
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screens_config(layout)}"
    elif sys.platform == "linux" and platform in ("", "xcb") and os.environ.get("DISPLAY"):
        return _missing_x11_libraries()
    return None


def _missing_x11_libraries() -> str | None:
    """Qt's X11 plugin aborts the process when these are absent; say what to install instead."""
    missing = [name for name in X11_LIBRARIES if ctypes.util.find_library(name) is None]
    if not missing:
        return None
    packages = " ".join(X11_LIBRARIES[name] for name in missing)
    return f"hall: Qt needs X11 libraries that are not installed: apt-get install {packages} (or `make demo`)"


def screens_config(layout: Layout) -> Path:
    """An offscreen-plugin config with one 1920×1080 screen per layout screen, side by side."""
    width, height = SCREEN_SIZE
    screens = [
        {
            "name": spec.id,
            "x": n * width,
            "y": 0,
            "width": width,
            "height": height,
            "logicalDpi": 96,
            "logicalBaseDpi": 96,
            "dpr": 1,
        }
        for n, spec in enumerate(layout.screens)
    ]
    path = Path(tempfile.gettempdir()) / f"hall-screens-{layout.name}-{len(screens)}.json"
    path.write_text(json.dumps({"screens": screens}), encoding="utf-8")
    return path


def checked_layout(args: argparse.Namespace) -> Layout | None:
    """The layout to open, with the Qt platform chosen for it; None after saying what is wrong."""
    try:
        layout = load(args.layout)
    except LayoutError as error:
        print(f"hall: {error}", file=sys.stderr)
        return None
    problem = prepare_platform(layout, bool(args.screenshot))
    if problem:
        print(problem, file=sys.stderr)
        return None
    return layout


def run_console(args: argparse.Namespace) -> int:
    layout = checked_layout(args)
    if layout is None:
        return 2

    import qasync
    from PySide6.QtWidgets import QApplication

    from console import i18n
    from console.app import Console, load_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    i18n.install(app, args.lang)  # type: ignore[arg-type]
    load_theme(app)  # type: ignore[arg-type]
    user = seat_user(args, layout)
    password = getattr(args, "password", "") or os.environ.get(PASSWORD_VARIABLE, "")
    interactive = args.seconds is None
    if not password and not interactive:
        print(f"hall: an unattended console signs in with {PASSWORD_VARIABLE} set", file=sys.stderr)
        return 2
    if not password:
        signed = ask_sign_in(args.hub, user)
        if signed is None:
            return 1
        user, password = signed
    console = Console(layout, args.hub, user, args.kind or layout.kind, password=password)
    if interactive:
        console.ask_sign_in = ask_sign_in
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(_run(console, args.seconds, args.screenshot))


def seat_user(args: argparse.Namespace, layout: Layout) -> str:
    """Who signs in: as asked, else the dispatcher at a desk and the wall account on a wall."""
    return str(args.user or ("wall" if layout.kind == "wall" else "dispatcher"))


def ask_sign_in(hub_url: str, login: str, problem: str = "") -> tuple[str, str] | None:
    """The sign-in dialog: (login, password), or None when the user cancels."""
    from PySide6.QtWidgets import QDialog

    from widgets.sign_in import QtSignIn

    dialog = QtSignIn(hub_url, login, problem)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    credentials = dialog.credentials() if accepted else None
    dialog.deleteLater()
    return credentials


#: With --screenshot, the trend of the most pressing alarm opens this long before the pictures.
SCREENSHOT_TREND_S = 3.0


async def _run(console: object, seconds: float | None, screenshot: str | None) -> int:
    from PySide6.QtWidgets import QApplication

    from console.app import Console

    assert isinstance(console, Console)
    closed = asyncio.Event()
    QApplication.instance().lastWindowClosed.connect(closed.set)  # type: ignore[union-attr]
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl+C or a service stop: close cleanly
        signal.signal(signum, lambda *_: closed.set())
    console.start()
    print(f"console: {len(console.windows)} window(s) open on {console.hub_url}", flush=True)
    if seconds is None:
        await closed.wait()
    else:
        before_trend = seconds - SCREENSHOT_TREND_S if screenshot else seconds
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed.wait(), max(before_trend, 0.0))
        sensor_alarms = [a for a in console.state.alarms.values() if a.sensor_id and a.state == "active"]
        if screenshot and sensor_alarms:  # the picture of the trend window too: the worst sensor's
            console.show_trend(min(sensor_alarms, key=lambda a: (a.priority, -a.raised_at)).sensor_id)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed.wait(), min(seconds, SCREENSHOT_TREND_S))
    if screenshot:
        for path in save_screenshots(console, Path(screenshot)):
            print(f"saved {path}", flush=True)
    await console.stop()
    return 0


def save_screenshots(console: object, folder: Path) -> list[Path]:
    from console.app import Console

    assert isinstance(console, Console)
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for n, window in enumerate(console.windows, start=1):
        path = folder / f"{console.layout.name}-{n}-{window.spec.id}.png"
        if not window.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        saved.append(path)
    extra = {"trend": console.trend, "alert": console.alert}  # the windows a console opens as it goes
    for name, window in extra.items():
        if window is not None and window.isVisible():
            path = folder / f"{console.layout.name}-{name}.png"
            if not window.grab().save(str(path)):
                raise OSError(f"could not write {path}")
            saved.append(path)
    return saved
