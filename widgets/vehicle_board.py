"""The vehicle board: the fleet's live status, counted per kind above the table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from console import names
from console.models import VehicleColumn, VehicleTableModel
from console.palette import VEHICLE_STATUS_COLORS, HallColors
from feeds.domain import VEHICLE_KINDS, VEHICLE_STATUSES
from widgets.case_queue import QtLiveTable


class QtVehicleBoard(QWidget):
    """A kind × status count grid over the vehicle table."""

    def __init__(self, model: VehicleTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.count_labels: dict[tuple[str, str], QLabel] = {}
        self._counts: dict[str, dict[str, int]] = {}
        self.table = QtLiveTable(model, (150, 120, 90, 100, 100, 110), stretch_column=VehicleColumn.PLATE)
        self.table.enable_sorting(-1)  # the model's order: by kind, then plate

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Vehicles"), objectName="title"))
        layout.addLayout(self._count_grid())
        layout.addWidget(self.table)

        model.summary_changed.connect(self._on_summary_changed)
        self._on_summary_changed()

    def _count_grid(self) -> QGridLayout:
        grid = QGridLayout()
        for column, status in enumerate(VEHICLE_STATUSES, start=1):
            heading = QLabel(names.vehicle_status_name(status))
            heading.setStyleSheet(f"color: {VEHICLE_STATUS_COLORS[status]};")
            grid.addWidget(heading, 0, column, Qt.AlignmentFlag.AlignRight)
        for row, kind in enumerate(VEHICLE_KINDS, start=1):
            grid.addWidget(QLabel(names.vehicle_kind_name(kind)), row, 0)
            for column, status in enumerate(VEHICLE_STATUSES, start=1):
                label = self.count_labels[kind, status] = QLabel(objectName="counts")
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
                grid.addWidget(label, row, column)
        return grid

    def _on_summary_changed(self) -> None:
        counts = self._model.status_counts()
        if counts == self._counts:  # vehicles report every frame; restyling labels is not free
            return
        self._counts = counts
        for kind, by_status in counts.items():
            for status, count in by_status.items():
                label = self.count_labels[kind, status]
                label.setText(str(count))
                label.setStyleSheet(f"color: {VEHICLE_STATUS_COLORS[status] if count else HallColors.MUTED};")
