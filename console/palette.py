"""The one palette of the hall, shared by the style sheet (``resources/theme/hall.qss``,
whose ``$names`` it fills in) and by the painters of the map and the tables.

A dark command-hall theme: dark surfaces so the wall does not glare, colour
kept for what is abnormal and one meaning to each colour (ISA-101): red,
orange and yellow are the alarms' (by priority), magenta the cases' time
running out (overdue, paler when due soon; green in time), hues no alert uses
for what merely moves (vehicles), grey for where they went (trails).  Plain
Python: no Qt.
"""

from __future__ import annotations

from string import Template
from typing import ClassVar

from feeds.domain import Light


class HallColors:
    BACKGROUND = "#0b1220"
    PANEL = "#111b2e"
    PANEL_ALT = "#14213a"
    SURFACE = "#16233b"  # inputs, headers
    BORDER = "#1e2b44"
    EDGE = "#2a3b5c"  # input borders
    TEXT = "#e6edf7"
    TEXT_SOFT = "#d8e2f0"
    MUTED = "#7d8ba3"
    MUTED_BLUE = "#9fb4d6"
    ACCENT = "#3b82f6"
    SELECTION = "#1d4ed8"
    GREEN = "#22c55e"
    YELLOW = "#facc15"
    ORANGE = "#fb923c"
    RED = "#ff4d4f"
    RED_TINT = "#4a161b"  # row background of critical alarms
    OVERDUE = "#e040fb"  # a case out of time: magenta, never an alarm's red …
    DUE_SOON = "#f0abfc"  # … nor its yellow
    OVERDUE_TINT = "#3a1242"  # row background of overdue cases
    GREEN_TINT = "#123d24"
    CRITICAL = "#b3261e"  # header counters of alarms that need someone now
    OVERDUE_STRONG = "#86198f"  # the header's count of overdue cases
    WARNING = "#8a5a00"
    PRIORITY: ClassVar[dict[int, str]] = {1: RED, 2: ORANGE, 3: YELLOW, 4: MUTED}


LIGHT_COLORS = {
    Light.RED: HallColors.OVERDUE,
    Light.YELLOW: HallColors.DUE_SOON,
    Light.GREEN: HallColors.GREEN,
    Light.OFF: HallColors.MUTED,
}
SENSOR_COLORS = {
    "normal": "#4b6a5a",
    "warning": HallColors.ORANGE,
    "alarm": HallColors.RED,
    "offline": "#6b7280",
    "unknown": "#6b7280",  # silent a while: drawn hollow
}
VEHICLE_COLORS = {
    "sanitation": "#22d3ee",
    "muck": "#b794f6",
    "enforcement": "#5b7cfa",
    "repair": "#f1f5f9",
    "plough": "#93c5fd",
    "inspector": "#bef264",
}
#: Where vehicles went: neutral, faded with age (a vehicle with an alarm standing: its alarm's colour).
TRAIL_COLOR = "#c3cddd"
#: Count colours on the fleet board: moving and working are good news, offline needs a look.
VEHICLE_STATUS_COLORS = {
    "moving": HallColors.GREEN,
    "working": HallColors.ACCENT,
    "idle": HallColors.MUTED,
    "offline": HallColors.TEXT,  # bright, not an alarm's orange: a look, not an alarm
}

#: Names the style sheet may use as ``$name``, with their colours.
STYLE_TOKENS = {
    "background": HallColors.BACKGROUND,
    "panel": HallColors.PANEL,
    "panel_alt": HallColors.PANEL_ALT,
    "surface": HallColors.SURFACE,
    "border": HallColors.BORDER,
    "edge": HallColors.EDGE,
    "text": HallColors.TEXT,
    "text_soft": HallColors.TEXT_SOFT,
    "muted": HallColors.MUTED,
    "muted_blue": HallColors.MUTED_BLUE,
    "accent": HallColors.ACCENT,
    "selection": HallColors.SELECTION,
    "green": HallColors.GREEN,
    "green_tint": HallColors.GREEN_TINT,
    "red_tint": HallColors.RED_TINT,
    "critical": HallColors.CRITICAL,
    "overdue_strong": HallColors.OVERDUE_STRONG,
    "warning": HallColors.WARNING,
    "ok": "#5fd38d",
    "stale": "#f2b233",
    "bad": "#ff6b5e",
    "header": "#101b33",
    "header_edge": "#1f3a66",
    "title": "#e8f0ff",
    "counter": "#17243f",
    "counter_text": "#c6d4ea",
    "status_bar": "#0e1830",
    "splitter": "#1b2740",
    "header_text": "#a9bbd6",
    "tab": "#16233e",
    "tab_selected": "#22345a",
    "hover": "#2a62bb",
    "disabled": "#26324a",
    "disabled_text": "#6b7a94",
    "refused_text": "#ffd5d6",
    "escalate": "#b45309",
    "white": "#ffffff",
}


def style_sheet(template: str) -> str:
    """The theme with the palette's colours in place of its ``$names``; a name the palette
    lacks raises KeyError, so a typo fails at start-up, not as a black button."""
    return Template(template).substitute(STYLE_TOKENS)
