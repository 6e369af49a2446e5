"""The alarm panel: sensor alarms, unacknowledged and critical ones on top and in red."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from console.models import AlarmColumn, AlarmTableModel
from console.palette import HallColors
from widgets.case_queue import QtLiveTable


class QtAlarmPanel(QWidget):
    """Alarm table under a header that counts the active alarms nobody has acknowledged."""

    def __init__(self, model: AlarmTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._count: int | None = None
        self.count_label = QLabel(objectName="counts")
        self.table = QtLiveTable(model, (80, 300, 110, 110, 100, 110), stretch_column=AlarmColumn.SOURCE)
        self.table.enable_sorting(-1)  # the model's order: unacknowledged, priority, newest

        header = QHBoxLayout()
        header.addWidget(QLabel(self.tr("Alarms"), objectName="title"))
        header.addStretch(1)
        header.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.table)

        model.summary_changed.connect(self._on_summary_changed)
        self._on_summary_changed()

    def _on_summary_changed(self) -> None:
        count = self._model.unacknowledged_count()
        if count == self._count:
            return
        self._count = count
        self.count_label.setText(self.tr("Unacknowledged {count}").format(count=count))
        self.count_label.setStyleSheet(f"color: {HallColors.RED if count else HallColors.GREEN};")
