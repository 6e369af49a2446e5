"""The case detail: the selected case, its history, and the dispatcher's actions
派遣 (assign, Ctrl+D) and 督办 (escalate, Ctrl+E)."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console import names
from feeds.city import City, Place
from feeds.wire import Case, TimelineEntry
from widgets.restyle import restyle

ASSIGN_KEYS = QKeySequence("Ctrl+D")
ESCALATE_KEYS = QKeySequence("Ctrl+E")


def _time_text(epoch: float) -> str:
    return time.strftime("%m-%d %H:%M:%S", time.localtime(epoch))


class _PanelShortcutsFirst(QObject):
    """Let Ctrl+D and Ctrl+E reach the buttons while a reason field has focus: Qt's
    line edit would otherwise take them (delete forward / end of line on Linux)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            keys = QKeySequence(event.keyCombination())
            if keys in (ASSIGN_KEYS, ESCALATE_KEYS):
                event.ignore()
                return True
        return False


class QtCaseDetail(QWidget):
    """Shows one case; the actions emit requests, the caller sends them and reports back."""

    assign_requested = Signal(str, int, str, str)  # case id, expected version, department, reason
    escalate_requested = Signal(str, int, str)  # case id, expected version, reason

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._case: Case | None = None
        self._city: City | None = None
        self._read_only = False
        self._shortcuts_first = _PanelShortcutsFirst(self)

        self.title = QLabel(objectName="title")
        self.title.setWordWrap(True)
        self.fields = {name: QLabel() for name in ("status", "place", "source", "times", "assignee", "text")}
        self.fields["text"].setWordWrap(True)
        self.banner = QLabel(objectName="banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.actions = self._build_actions()
        self.timeline = QListWidget()

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self._build_fields())
        layout.addWidget(self.banner)
        layout.addWidget(self.actions)
        layout.addWidget(QLabel(self.tr("History"), objectName="field"))
        layout.addWidget(self.timeline, 1)
        self.show_case(None)

    # -- public --------------------------------------------------------------

    def show_case(self, case: Case | None) -> None:
        """Show ``case`` (None: nothing selected); a newer version of the same case keeps the inputs."""
        if case is None or self._case is None or case.id != self._case.id:
            self._start_fresh(case)
        self._case = case
        if case is None:
            self.title.setText(self.tr("No case selected"))
            for label in self.fields.values():
                label.clear()
        else:
            self._fill(case)
        self._update_buttons()

    def show_timeline(self, entries: list[TimelineEntry]) -> None:
        self.timeline.clear()
        self.timeline.addItems([self._timeline_text(entry) for entry in entries])

    def show_outcome(self, text: str, ok: bool) -> None:
        """Show the hub's answer to the last action: green when done, red for errors and conflicts."""
        self.banner.setText(text)
        restyle(self.banner, "ok", ok)
        self.banner.show()

    def set_city(self, city: City) -> None:
        """The city's departments to assign to, and its responsibility table to preselect from."""
        self._city = city
        self.department_combo.clear()
        for code in city.departments:
            self.department_combo.addItem(names.department_name(code), code)
        if self._case is not None:
            self._preselect(self._case)
            self._fill(self._case)

    def set_read_only(self, read_only: bool) -> None:
        """A video wall shows cases but never acts on them."""
        self._read_only = read_only
        self.actions.setVisible(not read_only)
        self._update_buttons()

    # -- building ------------------------------------------------------------

    def _build_fields(self) -> QFormLayout:
        form = QFormLayout()
        for name, text in (
            ("status", self.tr("Status")),
            ("place", self.tr("Place")),
            ("source", self.tr("Source")),
            ("times", self.tr("Reported / due")),
            ("assignee", self.tr("Assignee")),
            ("text", self.tr("Description")),
        ):
            form.addRow(QLabel(text, objectName="field"), self.fields[name])
        return form

    def _build_actions(self) -> QFrame:
        self.department_combo = QComboBox()
        # Names in full, also when the city (and so the list) arrives after the window is shown.
        self.department_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.assign_reason = QLineEdit(placeholderText=self.tr("Note for the department (optional)"))
        self.assign_button = QPushButton(self.tr("Assign") + "  Ctrl+D")
        self.assign_button.setShortcut(ASSIGN_KEYS)
        self.escalate_reason = QLineEdit(placeholderText=self.tr("Reason for escalation (required)"))
        self.escalate_button = QPushButton(self.tr("Escalate") + "  Ctrl+E", objectName="escalate")
        self.escalate_button.setShortcut(ESCALATE_KEYS)
        for edit in (self.assign_reason, self.escalate_reason):
            edit.installEventFilter(self._shortcuts_first)

        self.assign_button.clicked.connect(self._on_assign_clicked)
        self.escalate_button.clicked.connect(self._on_escalate_clicked)
        self.escalate_reason.textChanged.connect(self._update_buttons)

        frame = QFrame(objectName="actions")
        grid = QGridLayout(frame)
        grid.addWidget(self.department_combo, 0, 0)
        grid.addWidget(self.assign_reason, 0, 1)
        grid.addWidget(self.assign_button, 0, 2)
        grid.addWidget(self.escalate_reason, 1, 0, 1, 2)
        grid.addWidget(self.escalate_button, 1, 2)
        grid.setColumnStretch(1, 1)
        return frame

    # -- showing -------------------------------------------------------------

    def _start_fresh(self, case: Case | None) -> None:
        """Another case: clear what was typed for the previous one and preselect its department."""
        self.assign_reason.clear()
        self.escalate_reason.clear()
        self.banner.hide()
        self.timeline.clear()
        if case is not None:
            self._preselect(case)

    def _preselect(self, case: Case) -> None:
        """The department the city's responsibility table names for the case, where it stands."""
        if self._city is None:
            return
        place = Place(case.district, case.street, case.community, case.grid)
        responsible = self._city.responsible(case.category, place)
        if responsible is not None:
            self.department_combo.setCurrentIndex(self.department_combo.findData(responsible))

    def _fill(self, case: Case) -> None:
        self.title.setText(f"{case.id}  {case.category} {names.category_name(case.category)}")
        escalations = self.tr("escalated {count}×").format(count=case.escalations) if case.escalations else ""
        self.fields["status"].setText(f"{names.status_name(case.status)}  {escalations}".strip())
        areas = " ".join(
            names.area_name(code) for code in (case.district, case.street, case.community) if code
        )
        self.fields["place"].setText(f"{areas} · {case.grid}" if case.grid else areas)
        self.fields["source"].setText(names.source_name(case.source))
        self.fields["times"].setText(f"{_time_text(case.reported_at)}  →  {_time_text(case.deadline)}")
        self.fields["assignee"].setText(names.department_name(case.department) or "—")
        self.fields["text"].setText(case.description)

    def _timeline_text(self, entry: TimelineEntry) -> str:
        actions = {
            "report": self.tr("Reported"),
            "assign": self.tr("Assigned"),
            "escalate": self.tr("Escalated"),
        }
        parts = (
            _time_text(entry.at),
            entry.actor,
            actions.get(entry.action, entry.action),
            names.department_name(entry.department),
            entry.reason,
        )
        return "  ".join(part for part in parts if part)

    def _update_buttons(self) -> None:
        can_act = self._case is not None and not self._read_only
        self.assign_button.setEnabled(can_act)
        self.escalate_button.setEnabled(can_act and bool(self.escalate_reason.text().strip()))

    # -- actions -------------------------------------------------------------

    def _on_assign_clicked(self) -> None:
        if self._case is None:
            return
        department = self.department_combo.currentData()
        reason = self.assign_reason.text().strip()
        self.assign_requested.emit(self._case.id, self._case.version, department, reason)

    def _on_escalate_clicked(self) -> None:
        reason = self.escalate_reason.text().strip()
        if self._case is None or not reason:
            return
        self.escalate_requested.emit(self._case.id, self._case.version, reason)
