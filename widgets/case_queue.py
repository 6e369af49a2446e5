"""The case queue: the most urgent case first (urgency class, then light, then time left),
with a filter bar: my work, state, district, category, source, light and a search.

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
from feeds import domain
from feeds.city import City
from feeds.city.workflow import Actor
from feeds.domain import Light


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
    #: The cases selected together (Ctrl/Shift+click), for a step on all of them at once.
    cases_selected = Signal(list)

    def __init__(self, model: CaseTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._selected: str | None = None
        self._counts: tuple[int, int] | None = None

        self._actor: Actor | None = None
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Search case, address, category, description"))
        self.filter_edit.setClearButtonEnabled(True)
        self.status_combo = QComboBox()
        self.district_combo = QComboBox()
        self.category_combo = QComboBox()
        self.source_combo = QComboBox()
        self.source_combo.addItem(self.tr("All sources"), None)
        for rank, code in enumerate(domain.SOURCES):
            self.source_combo.addItem(names.source_name(code), float(rank))
        self.light_combo = QComboBox()
        self.light_combo.addItem(self.tr("All lights"), None)
        for light, text in (
            (Light.RED, self.tr("Overdue")),
            (Light.YELLOW, self.tr("Due soon")),
            (Light.GREEN, self.tr("In time")),
        ):
            self.light_combo.addItem(QIcon(light_dot(light)), text, light.value)
        self._fill_statuses()
        self._fill_areas(None)
        self.counts_label = QLabel(objectName="counts")

        # Widths fit the longest usual content in Chinese at 16 px: ids, "06010 暴露垃圾", "-12h30".
        widths = (120, 200, 220, 110, 90, 120, 60, 150)
        self.table = QtLiveTable(model, widths, stretch_column=CaseColumn.PLACE)
        self.table.enable_sorting(-1)  # urgency, light, time left: the model's natural order

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        for combo in (
            self.status_combo,
            self.district_combo,
            self.category_combo,
            self.source_combo,
            self.light_combo,
        ):
            bar.addWidget(combo)
        bar.addSpacing(12)
        bar.addWidget(self.counts_label)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)

        self.filter_edit.textChanged.connect(model.set_text_filter)
        self.status_combo.currentIndexChanged.connect(self._on_status_changed)
        self.district_combo.currentIndexChanged.connect(
            lambda: model.set_filter("district", self.district_combo.currentData())
        )
        self.category_combo.currentIndexChanged.connect(
            lambda: model.set_filter("category", self.category_combo.currentData())
        )
        self.source_combo.currentIndexChanged.connect(
            lambda: model.set_filter("source", self.source_combo.currentData())
        )
        self.light_combo.currentIndexChanged.connect(self._on_light_changed)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
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
        if self.table.currentIndex().row() != row:  # picked here (maybe with Ctrl): as the user chose
            self.table.selectRow(row)
        self.table.scrollTo(self._model.index(row, 0))
        return True

    def set_city(self, city: City) -> None:
        """The city's states, districts and categories to filter by."""
        self._fill_statuses()
        self._fill_areas(city)

    def set_actor(self, actor: Actor | None) -> None:
        """Who sits here: "my work" becomes theirs, and is where the queue starts for someone
        new at the seat (a reconnect keeps the list the person chose)."""
        newcomer = actor is not None and (self._actor is None or self._actor.login != actor.login)
        self._actor = actor
        self._fill_statuses()
        if newcomer and actor is not None and names.workflow().work_states(actor.roles):
            self.status_combo.setCurrentIndex(1)

    def _fill_statuses(self) -> None:
        """All, my work (the signed-in user's), open, then every state of the workflow."""
        workflow = names.workflow()
        chosen = self.status_combo.currentIndex()
        self.status_combo.blockSignals(True)
        self.status_combo.clear()
        self.status_combo.addItem(self.tr("All cases"), None)
        mine = workflow.work_states(self._actor.roles) if self._actor else frozenset()
        self.status_combo.addItem(self.tr("My work"), mine)
        self.status_combo.addItem(self.tr("Open cases"), frozenset(workflow.open_states()))
        for code in workflow.states:
            self.status_combo.addItem(names.status_name(code), frozenset({code}))
        self.status_combo.setCurrentIndex(max(chosen, 0))
        self.status_combo.blockSignals(False)
        self._on_status_changed()

    def _fill_areas(self, city: City | None) -> None:
        self.district_combo.clear()
        self.district_combo.addItem(self.tr("All districts"), None)
        self.category_combo.clear()
        self.category_combo.addItem(self.tr("All categories"), None)
        if city is None:
            return
        for district in city.districts:
            self.district_combo.addItem(names.area_name(district.code), float(district.code))
        for code in city.categories:
            self.category_combo.addItem(f"{code} {names.category_name(code)}", float(code))

    def _on_status_changed(self) -> None:
        actor, my_work = self._actor, self.status_combo.currentIndex() == 1
        roles = actor.roles if actor is not None and my_work else frozenset()
        own: dict[str, str] = {}
        if actor is not None and roles == {"handler"}:  # a department's work is its own cases
            own["department_code"] = actor.department
        if actor is not None and roles == {"inspector"}:  # an inspector's, its own tasks
            own["inspector"] = actor.login
        self._model.set_text_filters(own)
        self._model.set_status_filter(self.status_combo.currentData(), with_raised="lead" in roles)

    def _on_light_changed(self) -> None:
        light = self.light_combo.currentData()
        self._model.set_light_filter(None if light is None else Light(light))

    def selected_cases(self) -> list[str]:
        """The ids of the selected rows, in the queue's order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self._model.id_at(row) for row in rows]

    def _on_selection_changed(self) -> None:
        self.cases_selected.emit(self.selected_cases())

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
        text = self.tr("Listed {total} · overdue among them {overdue}")
        self.counts_label.setText(text.format(total=shown, overdue=overdue))
        self.counts_label.setStyleSheet(f"color: {HallColors.OVERDUE if overdue else HallColors.TEXT};")
