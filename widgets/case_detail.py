"""The case detail: the selected case, its clock, the suggested department, and the
workflow steps the signed-in user may take on it now, each with its shortcut (Ctrl+letter)
and the fields the workflow table requires (a reason, a department, a new deadline)."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QObject, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console import names
from console.models import countdown_text
from feeds.city import City, Place
from feeds.city.workflow import Action, Actor
from feeds.wire import Case, TimelineEntry
from widgets.restyle import restyle

#: Shortcuts of the workflow's actions: Ctrl and the action's key.
SHORTCUT_PREFIX = "Ctrl+"


def _time_text(epoch: float) -> str:
    return time.strftime("%m-%d %H:%M:%S", time.localtime(epoch))


class _PanelShortcutsFirst(QObject):
    """Let the action shortcuts reach the buttons while a reason field has focus: Qt's line
    edit would otherwise take some of them (Ctrl+D deletes forward on Linux)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.keys: set[str] = set()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            keys = QKeySequence(event.keyCombination()).toString()
            if keys in self.keys:
                event.ignore()
                return True
        return False


class QtCaseDetail(QWidget):
    """Shows one case; the actions emit requests, the caller sends them and reports back."""

    #: case id, expected version, action code, the fields the action carries
    act_requested = Signal(str, int, str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._case: Case | None = None
        self._city: City | None = None
        self._actor: Actor | None = None
        self._read_only = False
        self._shortcuts_first = _PanelShortcutsFirst(self)
        self._buttons: dict[str, QPushButton] = {}
        self._offered: list[Action] = []
        self._together = 0  # cases selected at once (0 or 1: just the shown one)
        self._repeats: list[tuple[str, float]] = []  # open cases it may be a repeat report of

        self.title = QLabel(objectName="title")
        self.title.setWordWrap(True)
        self.fields = {
            name: QLabel()
            for name in (
                *("status", "clock", "place", "source", "times", "assignee", "suggested"),
                *("inspector", "crews", "duplicate", "text"),
            )
        }
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

    def show_case(self, case: Case | None, now: float | None = None) -> None:
        """Show ``case`` (None: nothing selected); a newer version of the same case keeps the inputs."""
        if case is None or self._case is None or case.id != self._case.id:
            self._start_fresh(case)
        self._case = case
        if case is None:
            self.title.setText(self.tr("No case selected"))
            for label in self.fields.values():
                label.clear()
        else:
            self._fill(case, time.time() if now is None else now)
        self._offer()

    def show_clock(self, left_s: float) -> None:
        """The running stage's clock seconds left (the console knows the city's clocks)."""
        case = self._case
        if case is None or not case.stage:
            self.fields["clock"].setText(names.status_name(case.status) if case else "")
            return
        stage = self._stage_name(case.stage)
        late = self.tr(" · was late") if case.late else ""
        self.fields["clock"].setText(f"{stage}: {countdown_text(left_s, case.clock, case.paused)}{late}")
        restyle(self.fields["clock"], "overdue", left_s <= 0 and not case.paused)

    def show_together(self, count: int) -> None:
        """Several cases are selected: a step goes to each of them."""
        self._together = count
        for action in self._offered:
            self._label(action)

    def show_repeats(self, repeats: list[tuple[str, float]]) -> None:
        """Open cases the shown one may be a repeat report of, nearest first (case id, metres): it
        can be merged into the one chosen (the hub's own guess first)."""
        if repeats == self._repeats:
            return
        self._repeats = repeats
        self.fields["duplicate"].setText(
            "  ".join(f"{case_id} · {metres:,.0f} m" for case_id, metres in repeats) or "—"
        )
        restyle(self.fields["duplicate"], "alert", "warning" if repeats else "")
        self.target_combo.clear()
        for case_id, metres in repeats:
            self.target_combo.addItem(
                self.tr("into {case} ({metres:,.0f} m)").format(case=case_id, metres=metres), case_id
            )
        guess = self.target_combo.findData(self._case.duplicate_of if self._case else "")
        self.target_combo.setCurrentIndex(max(guess, 0))
        self._offer()

    def show_inspectors(self, nearest: list[tuple[str, float]]) -> None:
        """The case's inspector, or the nearest on duty, with how far they are: (name, metres)."""
        self.fields["inspector"].setText(_distances(nearest))

    def show_crews(self, nearest: list[tuple[str, float]]) -> None:
        """The nearest crews free to send, of a kind suited to the case: (plate and kind, metres)."""
        self.fields["crews"].setText(_distances(nearest))

    def _stage_name(self, stage: str) -> str:
        return {
            "verify": self.tr("verify"),
            "file": self.tr("file"),
            "dispatch": self.tr("dispatch"),
            "handle": self.tr("handle"),
            "check": self.tr("check"),
            "close": self.tr("close"),
        }.get(stage, stage)

    def show_timeline(self, entries: list[TimelineEntry]) -> None:
        self.timeline.clear()
        self.timeline.addItems([self._timeline_text(entry) for entry in entries])

    def show_outcome(self, text: str, ok: bool) -> None:
        """Show the hub's answer to the last action: green when done, red for errors and conflicts."""
        self.banner.setText(text)
        restyle(self.banner, "ok", ok)
        self.banner.show()

    def set_city(self, city: City) -> None:
        """The city's departments to send to, and its responsibility table to suggest from."""
        self._city = city
        self.department_combo.clear()
        for code in city.departments:
            self.department_combo.addItem(names.department_name(code), code)
        if self._case is not None:
            self._preselect(self._case)
            self._fill(self._case, time.time())
        self._offer()

    def set_actor(self, actor: Actor | None) -> None:
        """Who sits here: only the steps the workflow allows them are offered."""
        self._actor = actor
        self._offer()

    def set_read_only(self, read_only: bool) -> None:
        """A video wall shows cases but never acts on them."""
        self._read_only = read_only
        self.actions.setVisible(not read_only)
        self._offer()

    def offered(self) -> list[str]:
        """The codes of the actions offered now, in the workflow table's order."""
        return [action.code for action in self._offered]

    def button(self, action: str) -> QPushButton:
        return self._buttons[action]

    # -- building ------------------------------------------------------------

    def _build_fields(self) -> QFormLayout:
        form = QFormLayout()
        for name, text in (
            ("status", self.tr("Status")),
            ("clock", self.tr("Time limit")),
            ("place", self.tr("Place")),
            ("source", self.tr("Source")),
            ("times", self.tr("Reported / due")),
            ("assignee", self.tr("Assignee")),
            ("suggested", self.tr("Suggested")),
            ("inspector", self.tr("Inspector")),
            ("crews", self.tr("Nearest crews")),
            ("duplicate", self.tr("Duplicate?")),
            ("text", self.tr("Description")),
        ):
            form.addRow(QLabel(text, objectName="field"), self.fields[name])
        return form

    def _build_actions(self) -> QFrame:
        self.department_combo = QComboBox()
        # Names in full, also when the city (and so the list) arrives after the window is shown.
        self.department_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.reason_edit = QLineEdit(placeholderText=self.tr("Reason or note"))
        self.text_edit = QLineEdit(placeholderText=self.tr("What was found or done"))
        self.target_combo = QComboBox()  # which open case a repeat report is merged into
        self.target_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.deadline_edit = QDateTimeEdit(calendarPopup=True)
        self.deadline_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        for edit in (self.reason_edit, self.text_edit):
            edit.installEventFilter(self._shortcuts_first)
            edit.textChanged.connect(self._enable_buttons)
        self.buttons_row = QHBoxLayout()
        self.buttons_row.setSpacing(6)
        self.buttons_row.addStretch(1)

        frame = QFrame(objectName="actions")
        grid = QGridLayout(frame)
        inputs = QHBoxLayout()  # the ones the steps offered need are shown
        for widget in (self.department_combo, self.deadline_edit, self.target_combo):
            inputs.addWidget(widget)
        inputs.addStretch(1)
        grid.addLayout(inputs, 0, 0, 1, 2)
        grid.addWidget(self.reason_edit, 1, 0, 1, 2)
        grid.addWidget(self.text_edit, 2, 0, 1, 2)
        grid.addLayout(self.buttons_row, 3, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        return frame

    # -- showing -------------------------------------------------------------

    def _start_fresh(self, case: Case | None) -> None:
        """Another case: clear what was typed for the previous one and preselect its department."""
        self.reason_edit.clear()
        self.text_edit.clear()
        self.show_repeats([])
        self.banner.hide()
        self.timeline.clear()
        if case is not None:
            self._preselect(case)
            start = case.deadline if case.deadline > time.time() else time.time()
            self.deadline_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(start) + 86_400))

    def _suggestion(self, case: Case) -> str | None:
        if self._city is None:
            return None
        place = Place(case.district, case.street, case.community, case.grid)
        return self._city.responsible(case.category, place)

    def _preselect(self, case: Case) -> None:
        """The department the city's responsibility table names for the case, where it stands."""
        suggested = self._suggestion(case)
        if suggested is not None:
            self.department_combo.setCurrentIndex(self.department_combo.findData(suggested))

    def _fill(self, case: Case, now: float) -> None:
        self.title.setText(f"{case.id}  {case.category} {names.category_name(case.category)}")
        escalations = self.tr("urged {count}×").format(count=case.escalations) if case.escalations else ""
        raised = self.tr("raised to the shift lead") if case.raised else ""
        status = "  ".join(p for p in (names.status_name(case.status), escalations, raised) if p)
        self.fields["status"].setText(status)
        areas = " ".join(
            names.area_name(code) for code in (case.district, case.street, case.community) if code
        )
        self.fields["place"].setText(f"{areas} · {case.grid}" if case.grid else areas)
        self.fields["source"].setText(names.source_name(case.source))
        self.fields["times"].setText(f"{_time_text(case.reported_at)}  →  {_time_text(case.deadline)}")
        self.fields["assignee"].setText(names.department_name(case.department) or "—")
        suggested = self._suggestion(case)
        self.fields["suggested"].setText(
            self.tr("{department} (responsibility table: {category} here)").format(
                department=names.department_name(suggested), category=names.category_name(case.category)
            )
            if suggested
            else "—"
        )
        self.fields["text"].setText(case.description)

    def _timeline_text(self, entry: TimelineEntry) -> str:
        moved = (
            f"{names.status_name(entry.from_state)} → {names.status_name(entry.to_state)}"
            if entry.from_state and entry.from_state != entry.to_state
            else names.status_name(entry.to_state)
        )
        who = f"{entry.actor} ({names.role_name(entry.role)})" if entry.role else entry.actor
        parts = (
            _time_text(entry.at),
            who,
            self._action_text(entry.action),
            moved,
            names.department_name(entry.department) if entry.action in ("dispatch", "transfer") else "",
            self._reason_text(entry.reason),
            entry.text,
        )
        return "  ".join(part for part in parts if part)

    def _action_text(self, action: str) -> str:
        """A timeline action in words: the workflow's steps by their names, the hub's own too."""
        own = {
            "report": self.tr("Reported"),
            "raise": self.tr("Raised to the shift lead"),
            "merge_in": self.tr("Duplicate merged in"),
        }
        return own.get(action) or names.action_name(action)

    def _reason_text(self, reason: str) -> str:
        """The hub's own reasons are codes (timeout:<stage>, urged_unanswered): say them in words."""
        if reason.startswith("timeout:"):
            return self.tr("time ran out ({stage})").format(stage=self._stage_name(reason.split(":", 1)[1]))
        if reason == "urged_unanswered":
            return self.tr("urged, and nobody acted")
        return reason

    # -- actions -------------------------------------------------------------

    def _offer(self) -> None:
        """One button per step the signed-in user may take on the case now; the inputs the
        steps need are shown, the others hidden."""
        case, actor = self._case, self._actor
        workflow = names.workflow()
        offered = [] if case is None or actor is None or self._read_only else workflow.offered(case, actor)
        if not self._repeats:  # merging is offered for a probable repeat report
            offered = [a for a in offered if "target" not in a.requires]
        if [a.code for a in offered] != [a.code for a in self._offered]:
            self._offered = offered
            self._rebuild_buttons()
        needs = {field for action in offered for field in action.requires}
        self.department_combo.setVisible("department" in needs)
        self.deadline_edit.setVisible("deadline" in needs)
        self.target_combo.setVisible("target" in needs)
        self.text_edit.setVisible("text" in needs)
        self.reason_edit.setVisible(bool(offered))
        self._enable_buttons()

    def _rebuild_buttons(self) -> None:
        for button in self._buttons.values():
            self.buttons_row.removeWidget(button)
            button.deleteLater()
        self._buttons = {}
        self._shortcuts_first.keys = set()
        for action in self._offered:
            button = QPushButton(objectName=f"act-{action.code}")
            if action.shortcut:
                self._shortcuts_first.keys.add(QKeySequence(SHORTCUT_PREFIX + action.shortcut).toString())
            button.clicked.connect(lambda _=False, code=action.code: self._on_action(code))
            self.buttons_row.insertWidget(self.buttons_row.count() - 1, button)  # before the stretch
            self._buttons[action.code] = button
            self._label(action)

    def _label(self, action: Action) -> None:
        """The step's name, how many cases it goes to when several are selected, and its key.
        The shortcut is set after the text: Qt's setText replaces it with the text's mnemonic."""
        label = names.action_name(action.code)
        if self._together > 1:
            label += self.tr(" ({count} cases)").format(count=self._together)
        button = self._buttons[action.code]
        if not action.shortcut:
            button.setText(label)
            return
        keys = QKeySequence(SHORTCUT_PREFIX + action.shortcut)
        button.setText(f"{label}  {keys.toString(QKeySequence.SequenceFormat.NativeText)}")
        button.setShortcut(keys)

    def _missing(self, action: Action) -> list[str]:
        filled = {
            "reason": bool(self.reason_edit.text().strip()),
            "text": bool(self.text_edit.text().strip()),
            "department": self.department_combo.currentData() is not None,
            "deadline": True,
            "inspector": True,
            "target": self.target_combo.currentData() is not None,
        }
        return [field for field in action.requires if not filled.get(field, False)]

    def _enable_buttons(self) -> None:
        needs = {
            "reason": self.tr("a reason"),
            "text": self.tr("what was found or done"),
            "department": self.tr("a department"),
        }
        for action in self._offered:
            missing = self._missing(action)
            button = self._buttons[action.code]
            button.setEnabled(not missing)
            button.setToolTip(
                self.tr("Needs {what}").format(what=", ".join(needs.get(m, m) for m in missing))
                if missing
                else ""
            )

    def _on_action(self, code: str) -> None:
        case = self._case
        action = next((a for a in self._offered if a.code == code), None)
        if case is None or action is None or self._missing(action):
            return
        fields: dict[str, Any] = {"reason": self.reason_edit.text().strip()}
        if "text" in action.requires:
            fields["text"] = self.text_edit.text().strip()
        if "department" in action.requires:
            fields["department"] = self.department_combo.currentData()
        if "deadline" in action.requires:
            fields["deadline"] = float(self.deadline_edit.dateTime().toSecsSinceEpoch())
        if "target" in action.requires:
            fields["target"] = self.target_combo.currentData()
        self.act_requested.emit(case.id, case.version, code, fields)


def _distances(nearest: list[tuple[str, float]]) -> str:
    return "  ".join(f"{name} · {metres:,.0f} m" for name, metres in nearest) or "—"
