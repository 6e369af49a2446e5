"""Seat and wall layouts as data: which panels go on which screen.

A layout file names its screens in order; each screen's ``content`` is a tree
of ``split`` (horizontal or vertical, with ``items``), ``tabs`` (a list of
panel names) and ``panel`` leaves.  ``load`` checks a file against that shape
and the known panels, so a typo fails at start-up with the file and the path
in the message, not as a blank screen on the wall.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

SHIPPED = resources.files("layouts")  # the shipped layouts, installed or in a checkout
FORMAT_VERSION = 1
PANELS = frozenset({"map", "queue", "detail", "alarms", "vehicles"})


class LayoutError(ValueError):
    pass


@dataclass(frozen=True)
class ScreenSpec:
    id: str
    title: str
    fullscreen: bool
    content: dict[str, Any]

    def panels(self) -> list[str]:
        return list(_panels(self.content))


@dataclass(frozen=True)
class Layout:
    name: str
    kind: str  # the client kind the console connects as: console or wall
    screens: tuple[ScreenSpec, ...]


def available() -> list[str]:
    return sorted(p.name.removesuffix(".json") for p in SHIPPED.iterdir() if p.name.endswith(".json"))


def load(name_or_path: str) -> Layout:
    """A shipped layout by name (``desk``, ``wall``), or a layout file of the hall's own."""
    path: Path | Traversable = Path(name_or_path)
    if not Path(name_or_path).suffix:
        path = SHIPPED / f"{name_or_path}.json"
    if not path.is_file():
        raise LayoutError(f"no layout {name_or_path!r}; available: {', '.join(available())}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise LayoutError(f"{path}: not valid JSON: {error}") from error
    if data.get("version") != FORMAT_VERSION:
        raise LayoutError(f"{path}: layout format version {data.get('version')!r}, expected {FORMAT_VERSION}")
    if data.get("kind") not in ("console", "wall"):
        raise LayoutError(f"{path}: kind must be 'console' or 'wall'")
    screens = tuple(
        ScreenSpec(s["id"], s.get("title", s["id"]), bool(s.get("fullscreen")), s["content"])
        for s in data.get("screens", [])
    )
    if not screens:
        raise LayoutError(f"{path}: a layout needs at least one screen")
    for screen in screens:
        _check(screen.content, f"{path}:{screen.id}")
    return Layout(data.get("name", path.stem), data["kind"], screens)


def _check(node: dict[str, Any], where: str) -> None:
    if "panel" in node:
        if node["panel"] not in PANELS:
            raise LayoutError(f"{where}: unknown panel {node['panel']!r}; known: {', '.join(sorted(PANELS))}")
    elif "tabs" in node:
        for name in node["tabs"]:
            _check({"panel": name}, where)
    elif node.get("split") in ("horizontal", "vertical") and node.get("items"):
        for n, item in enumerate(node["items"]):
            _check(item, f"{where}/{n}")
    else:
        raise LayoutError(f"{where}: expected a panel, tabs or a horizontal/vertical split with items")


def _panels(node: dict[str, Any]):  # type: ignore[no-untyped-def]
    if "panel" in node:
        yield node["panel"]
    elif "tabs" in node:
        yield from node["tabs"]
    else:
        for item in node["items"]:
            yield from _panels(item)
