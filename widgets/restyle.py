"""Dynamic properties that the theme (resources/theme/hall.qss) styles on."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def restyle(widget: QWidget, name: str, value: object) -> None:
    """Set a property the style sheet selects on, and repolish only when it changed (polish is not free)."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
