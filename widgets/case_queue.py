"""The case queue: every case with its light, most overdue first, with a filter bar.

Also home of :class:`QtLiveTable`, the table view shared by every
:class:`~console.models.LiveTableModel`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console import names
from console.models import CaseColumn, CaseTableModel, LiveTableModel, light_dot
from console.palette import HallColors
from feeds.domain import CaseStatus, Light


class QtLiveTable(QTableView):
    """A table over a :class:`LiveTableModel`: fixed widths and row heights (live columns must
    not be measured on every change), whole-row single selection, no editing."""

    ROW_HEIGHT = 34

    def __init__(
        self,
        model: LiveTableModel,
        widths: Sequence[int],
        stretch_column: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setIconSize(QSize(14, 14))
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.ROW_HEIGHT)
        columns = self.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(widths):
            columns.resizeSection(column, width)
        columns.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)

    def enable_sorting(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by header click, starting from ``column`` (-1: the model's natural order)."""
        self.horizontalHeader().setSortIndicator(column, order)
        self.setSortingEnabled(True)


class QtCaseQueue(QWidget):
    """The dispatcher's case list: filter bar, counts and the table."""

    case_selected = Signal(str)

    def __init__(self, model: CaseTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._selected: str | None = None
        self._counts: tuple[int, int] | None = None

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Search case, category, grid, street, description"))
        self.filter_edit.setClearButtonEnabled(True)
        self.status_combo = QComboBox()
        self.status_combo.addItem(self.tr("All statuses"), None)
        for status in CaseStatus:
            self.status_combo.addItem(names.status_name(status), status.value)
        self.light_combo = QComboBox()
        self.light_combo.addItem(self.tr("All lights"), None)
        for light, text in (
            (Light.RED, self.tr("Overdue")),
            (Light.YELLOW, self.tr("Due soon")),
            (Light.GREEN, self.tr("In time")),
        ):
            self.light_combo.addItem(QIcon(light_dot(light)), text, light.value)
        self.counts_label = QLabel(objectName="counts")

        # Widths fit the longest usual content in Chinese at 16 px: ids, "06010 暴露垃圾", "-12h30".
        widths = (120, 200, 220, 110, 90, 120, 60, 100)
        self.table = QtLiveTable(model, widths, stretch_column=CaseColumn.PLACE)
        self.table.enable_sorting(CaseColumn.TIME_LEFT)  # red first, longest overdue on top

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.light_combo)
        bar.addSpacing(12)
        bar.addWidget(self.counts_label)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)

        self.filter_edit.textChanged.connect(model.set_text_filter)
        self.status_combo.currentIndexChanged.connect(self._on_status_changed)
        self.light_combo.currentIndexChanged.connect(self._on_light_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        model.summary_changed.connect(self._on_summary_changed)
        self._on_summary_changed()

    def select_case(self, case_id: str) -> bool:
        """Select a case picked elsewhere (the map) without echoing ``case_selected``;
        False, and no row selected, when the filter hides it."""
        self._selected = case_id
        row = self._model.row_of(case_id)
        if row is None:
            self.table.selectionModel().clear()
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self._model.index(row, 0))
        return True

    def _on_status_changed(self) -> None:
        self._model.set_status_filter(self.status_combo.currentData())

    def _on_light_changed(self) -> None:
        light = self.light_combo.currentData()
        self._model.set_light_filter(None if light is None else Light(light))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        case_id = self._model.id_at(current.row())
        if case_id != self._selected:  # a re-sort moves the row, not the selection
            self._selected = case_id
            self.case_selected.emit(case_id)

    def _on_summary_changed(self) -> None:
        counts = self._model.counts()
        if counts == self._counts:  # asked every second; restyling the label is not free
            return
        self._counts = shown, overdue = counts
        text = self.tr("Cases {total} · Overdue {overdue}")
        self.counts_label.setText(text.format(total=shown, overdue=overdue))
        self.counts_label.setStyleSheet(f"color: {HallColors.RED if overdue else HallColors.TEXT};")
