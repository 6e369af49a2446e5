"""The band across the top of every window: where we are, what is urgent, what time it is."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from console.state import HallSummary
from widgets.restyle import restyle


class QtHallHeader(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hallHeader")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 6)
        layout.setSpacing(28)
        self.title = QLabel(title)
        self.title.setObjectName("hallTitle")
        layout.addWidget(self.title)
        layout.addStretch(1)
        self.overdue = self._counter(layout, "overdue")
        self.alarms = self._counter(layout, "alarms")
        self.to_dispatch = self._counter(layout, "toDispatch")
        self.escalated = self._counter(layout, "escalated")
        self.raised = self._counter(layout, "raised")
        self.vehicles = self._counter(layout, "vehicles")
        self.user = QLabel()
        self.user.setObjectName("hallUser")
        layout.addWidget(self.user)
        self.clock = QLabel()
        self.clock.setObjectName("hallClock")
        layout.addWidget(self.clock)
        self.show_summary(HallSummary(), time.time())

    @staticmethod
    def _counter(layout: QHBoxLayout, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setProperty("counter", True)
        layout.addWidget(label)
        return label

    def show_user(self, text: str) -> None:
        """Who is signed in at this seat, and in which roles."""
        self.user.setText(text)

    def show_summary(self, summary: HallSummary, now: float) -> None:
        self.overdue.setText(self.tr("Overdue city-wide %n", "", summary.overdue))
        restyle(self.overdue, "alert", "overdue" if summary.overdue else "")  # a case's magenta, not red
        self.alarms.setText(
            self.tr("Alarms %1 (critical %2)")
            .replace("%1", str(summary.alarms_active))
            .replace("%2", str(summary.alarms_critical))
        )
        alarms_alert = "critical" if summary.alarms_critical else "warning" if summary.alarms_active else ""
        restyle(self.alarms, "alert", alarms_alert)
        self.to_dispatch.setText(self.tr("To dispatch %n", "", summary.to_dispatch))
        self.escalated.setText(self.tr("Urged %n", "", summary.escalated))
        self.raised.setText(self.tr("To the lead %n", "", summary.raised))
        restyle(self.raised, "alert", "warning" if summary.raised else "")
        self.vehicles.setText(
            self.tr("Vehicles online %1/%2")
            .replace("%1", str(summary.vehicles_online))
            .replace("%2", str(summary.vehicles))
        )
        self.clock.setText(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)))
