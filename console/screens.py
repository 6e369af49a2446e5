"""Which physical screen each window of a layout opens on.

The plan is plain Python (testable without screens): a layout screen goes to
the physical screen of the same name if there is one, otherwise to the next
unused screen in order.  When the layout names more screens than are
present, the extra windows open as ordinary windows on the screens present,
cascaded so that none lands off-screen, and the plan says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from layouts import Layout

CASCADE_STEP = 40


@dataclass(frozen=True)
class Physical:
    name: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Placement:
    screen: int  # index into the physical screens
    fullscreen: bool
    geometry: tuple[int, int, int, int]  # x, y, width, height
    shared: bool  # True when this window had no screen of its own


def plan(layout: Layout, physical: list[Physical]) -> tuple[list[Placement], str | None]:
    """Placements for the layout's screens, and a note when screens are missing."""
    by_name = {p.name: n for n, p in enumerate(physical)}
    taken: set[int] = set()
    chosen: list[int | None] = []
    for spec in layout.screens:
        index = by_name.get(spec.id)
        chosen.append(index if index is not None and index not in taken else None)
        if chosen[-1] is not None:
            taken.add(index)  # type: ignore[arg-type]
    free = [n for n in range(len(physical)) if n not in taken]
    for n, index in enumerate(chosen):
        if index is None and free:
            chosen[n] = free.pop(0)
    placements: list[Placement] = []
    extra = 0
    for spec, index in zip(layout.screens, chosen, strict=True):
        if index is not None:
            p = physical[index]
            placements.append(Placement(index, spec.fullscreen, (p.x, p.y, p.width, p.height), False))
            continue
        extra += 1
        placements.append(_shared_window(physical, extra))
    note = None
    if extra:
        note = (
            f"layout {layout.name!r} names {len(layout.screens)} screens but {len(physical)} are present: "
            f"{extra} window(s) opened as ordinary windows"
        )
    return placements, note


def _shared_window(physical: list[Physical], n: int) -> Placement:
    """An ordinary window, cascaded inside the n-th screen present (round robin)."""
    index = (n - 1) % len(physical)
    p = physical[index]
    width, height = int(p.width * 0.7), int(p.height * 0.7)
    step = CASCADE_STEP * ((n - 1) // len(physical) + 1)
    x = p.x + min(step, p.width - width)
    y = p.y + min(step, p.height - height)
    return Placement(index, False, (x, y, width, height), True)


def physical_screens() -> list[Physical]:
    return [_physical(s) for s in QGuiApplication.screens()]


def _physical(screen: QScreen) -> Physical:
    g = screen.geometry()
    return Physical(screen.name(), g.x(), g.y(), g.width(), g.height())


def place(window: QWidget, placement: Placement) -> None:
    """Put a window on its screen and show it (full-screen on the wall)."""
    screen = QGuiApplication.screens()[placement.screen]
    window.setScreen(screen)
    window.setGeometry(QRect(*placement.geometry))
    if placement.fullscreen:
        window.showFullScreen()
    else:
        window.show()
