"""Status bar: the hub link and how old each feed's data is."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from feeds.wire.client import LinkState
from widgets.restyle import restyle

#: Data older than this is shown as stale (the wall must not show a frozen city as live).
STALE_AFTER_S = 15.0


class QtFeedStatus(QStatusBar):
    def __init__(self, topics: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedStatus")
        self.link = QLabel()
        self.link.setObjectName("link")
        self.addWidget(self.link)
        self.ages: dict[str, QLabel] = {}
        for topic in topics:
            label = QLabel()
            label.setProperty("feed", topic)
            self.ages[topic] = label
            self.addWidget(label)
        self.outside = QLabel()
        self.outside.setObjectName("outside")
        self.addPermanentWidget(self.outside)
        self.note = QLabel()
        self.addPermanentWidget(self.note)
        self.show_link(LinkState.CONNECTING, "")

    def _topic_name(self, topic: str) -> str:
        names = {
            "cases": self.tr("Cases"),
            "alarms": self.tr("Alarms"),
            "sensors": self.tr("Sensors"),
            "vehicles": self.tr("Vehicles"),
        }
        return names.get(topic, topic)

    def show_link(self, state: LinkState, hub: str) -> None:
        text = {
            LinkState.CONNECTING: self.tr("Connecting to %1…"),
            LinkState.CONNECTED: self.tr("Connected to %1"),
            LinkState.DISCONNECTED: self.tr("Link to %1 lost — reconnecting"),
            LinkState.REFUSED: self.tr("%1 refused this console (protocol version)"),
        }[state]
        self.link.setText("● " + text.replace("%1", hub))
        restyle(self.link, "health", "ok" if state is LinkState.CONNECTED else "bad")

    def show_ages(self, ages: dict[str, float | None]) -> None:
        """Seconds since each feed's last frame; None when nothing arrived yet."""
        for topic, label in self.ages.items():
            age = ages.get(topic)
            if age is None:
                label.setText(self.tr("%1: waiting").replace("%1", self._topic_name(topic)))
                restyle(label, "health", "bad")
                continue
            label.setText(
                self.tr("%1: %2 s ago").replace("%1", self._topic_name(topic)).replace("%2", f"{age:.0f}")
            )
            restyle(label, "health", "ok" if age < STALE_AFTER_S else "stale")

    def show_outside(self, count: int) -> None:
        """Sensors and vehicles outside the city: never silently invisible ("Show all" on the map)."""
        self.outside.setText(self.tr("%n outside the city", "", count) if count else "")
        restyle(self.outside, "health", "stale" if count else "")

    def show_note(self, text: str) -> None:
        self.note.setText(text)
