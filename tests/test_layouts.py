"""Layouts as data, and which screen each window lands on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from console.screens import Physical, physical_screens, place, plan
from layouts import PANELS, LayoutError, available, load


def test_shipped_layouts_load() -> None:
    assert {"desk", "wall"} <= set(available())
    desk, wall = load("desk"), load("wall")
    assert len(desk.screens) == 1 and not desk.screens[0].fullscreen
    assert len(wall.screens) == 5 and [s.fullscreen for s in wall.screens] == [True] * 4 + [False]
    for layout in (desk, wall):
        for screen in layout.screens:
            assert set(screen.panels()) <= PANELS


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ({"panel": "weather"}, "unknown panel 'weather'"),
        ({"split": "diagonal", "items": [{"panel": "map"}]}, "expected a panel"),
        ({"tabs": ["map", "radar"]}, "unknown panel 'radar'"),
    ],
)
def test_a_broken_layout_names_the_file_and_the_problem(
    tmp_path: Path, content: dict, complaint: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        json.dumps({"version": 1, "kind": "console", "screens": [{"id": "s1", "content": content}]})
    )
    with pytest.raises(LayoutError, match=complaint) as caught:
        load(str(path))
    assert "broken.json:s1" in str(caught.value)


def test_an_unknown_layout_lists_the_available_ones() -> None:
    with pytest.raises(LayoutError, match="available: desk"):
        load("ballroom")


def screens(*names: str) -> list[Physical]:
    return [Physical(name, n * 1920, 0, 1920, 1080) for n, name in enumerate(names)]


def test_windows_go_to_the_screens_named_like_them_whatever_the_order() -> None:
    placements, note = plan(load("wall"), screens("desk", "wall-3", "wall-1", "wall-4", "wall-2"))
    assert [p.screen for p in placements] == [2, 4, 1, 3, 0]
    assert note is None and not any(p.shared for p in placements)
    assert [p.fullscreen for p in placements] == [True, True, True, True, False]


def test_with_fewer_screens_the_extra_windows_open_as_ordinary_windows_on_screen() -> None:
    present = screens("HDMI-1", "HDMI-2")
    placements, note = plan(load("wall"), present)
    assert note is not None and "5 screens but 2 are present: 3 window(s)" in note
    shared = [p for p in placements if p.shared]
    assert len(shared) == 3 and not any(p.fullscreen for p in shared)
    for p in placements:
        x, y, width, height = p.geometry
        screen = present[p.screen]
        assert screen.x <= x and x + width <= screen.x + screen.width
        assert screen.y <= y and y + height <= screen.y + screen.height
    assert len({p.geometry for p in shared}) == 3  # cascaded, not stacked exactly on top of each other


def test_each_window_of_the_wall_lands_on_its_own_virtual_screen(qtbot) -> None:  # type: ignore[no-untyped-def]
    layout = load("wall")
    present = physical_screens()
    assert sorted(s.name for s in present) == sorted(
        s.id for s in layout.screens
    )  # the offscreen configuration
    placements, _note = plan(layout, present)
    windows = []
    for spec, placement in zip(layout.screens, placements, strict=True):
        window = QMainWindow()
        qtbot.addWidget(window)
        place(window, placement)
        windows.append((spec, window))
    for spec, window in windows:
        qtbot.waitUntil(window.isVisible)
        assert window.screen().name() == spec.id
        geometry = window.screen().geometry()
        assert geometry.contains(window.geometry().center())
        if spec.fullscreen:
            assert window.isFullScreen() and window.geometry() == geometry
    assert len(QGuiApplication.screens()) == 5
