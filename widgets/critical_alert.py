"""The newest critical alarm nobody has acknowledged, in front of everything until someone does: a
window of its own that stays on top of the others. Where someone may act it offers the
acknowledgement; before a video wall it is large; a read-only wall only shows it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.columns import subject_name
from console.models import alarm_quantity, clock_text
from console.state import HallState
from feeds.wire import Alarm


class QtCriticalAlert(QWidget):
    #: alarm id, the version seen
    ack_requested = Signal(str, int)

    def __init__(self, state: HallState, large: bool, read_only: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("criticalAlert")
        self.setWindowFlags(Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle(self.tr("Critical alarm"))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._state = state
        self.alarm: Alarm | None = None
        self.title = QLabel(self.tr("Critical alarm"), objectName="alertTitle")
        self.source = QLabel(objectName="alertSource")
        self.source.setWordWrap(True)
        self.details = QLabel(objectName="alertDetails")
        self.ack_button = QPushButton(self.tr("Acknowledge"), objectName="act-ack")
        self.ack_button.clicked.connect(self._on_ack)
        self.ack_button.setVisible(not read_only)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ack_button)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.source, self.details):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        if large:
            self.setProperty("wall", True)  # the theme makes it large
        self.resize(1400 if large else 560, 460 if large else 220)

    def show_alarm(self, alarm: Alarm | None) -> None:
        """Show this alarm (None: none stands unacknowledged, and the window goes)."""
        if alarm is None:
            self.alarm = None
            self.hide()
            return
        if alarm == self.alarm and self.isVisible():
            return
        fresh = self.alarm is None or alarm.id != self.alarm.id
        self.alarm = alarm
        self.source.setText(subject_name(self._state, alarm))
        details = self.tr("{value} (limit {limit}) since {time}").format(
            value=alarm_quantity(self._state, alarm, alarm.value),
            limit=alarm_quantity(self._state, alarm, alarm.threshold),
            time=clock_text(alarm.raised_at),
        )
        if alarm.to_lead:
            details += " · " + self.tr("gone to the shift lead")
        self.details.setText(details)
        self.show()
        if fresh:  # a new one comes to the front; an update does not steal the focus again
            self.raise_()

    def _on_ack(self) -> None:
        if self.alarm is not None:
            self.ack_requested.emit(self.alarm.id, self.alarm.version)
