"""The alarm panel: sensor alarms, unacknowledged and critical ones on top and in red; the
operator acknowledges, shelves and takes them out of service here (ISA-18.2)."""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from console.alarm_load import FLOOD, MANAGEABLE
from console.models import AlarmColumn, AlarmTableModel
from console.palette import HallColors
from feeds.city.workflow import Actor
from feeds.domain import ALARM_ROLES
from feeds.wire import Alarm
from widgets.case_queue import QtLiveTable
from widgets.restyle import restyle

#: A mute, in minutes (the annunciator ends any mute after ten at most).
MUTE_MINUTES = 5
#: How long a shelf lasts, as offered (minutes); a class's longest shelf cuts the list.
SHELVE_MINUTES = (15, 30, 60, 120, 240, 480)


class QtAlarmPanel(QWidget):
    """Alarm table under a header that counts the alarms nobody has acknowledged; beneath it the
    actions the signed-in user may take on the selected alarm."""

    #: alarm id, expected version, action, fields (reason, until)
    alarm_act_requested = Signal(str, int, str, dict)
    #: sensor id: show its trend
    trend_requested = Signal(str)
    #: seconds of silence asked for (0: sound again)
    mute_requested = Signal(float)
    #: alarm id: the operator chose it (the console shows where it is)
    alarm_selected = Signal(str)

    def __init__(self, model: AlarmTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._actor: Actor | None = None
        self._read_only = False
        self._counts: tuple[int, int] | None = None
        self._load: tuple[int, bool, bool] | None = None
        self._selected: str | None = None
        self.count_label = QLabel(objectName="counts")
        self.aside_box = QCheckBox()  # the alarms set aside: shelved, out of service
        self.aside_box.toggled.connect(self._on_aside_toggled)
        self.table = QtLiveTable(model, (60, 260, 190, 80, 90, 110), stretch_column=AlarmColumn.SOURCE)
        self.table.enable_sorting(-1)  # the model's order: unacknowledged, priority, newest
        # In a flood: the standing alarms by district and class, most urgent first (ISA-18.2).
        self.group_table = QtLiveTable(model.groups, (60, 140, 160, 70, 90, 90), stretch_column=2)
        self.tables = QStackedWidget()
        self.tables.addWidget(self.table)
        self.tables.addWidget(self.group_table)
        self.load_label = QLabel(objectName="counts")  # alarms in the last ten minutes
        self.flood_banner = QLabel(objectName="flood")
        self.flood_banner.setWordWrap(True)
        self.flood_banner.hide()
        self.each_box = QCheckBox(self.tr("One by one"))  # the alarms themselves, even in a flood
        self.each_box.toggled.connect(lambda _: self._on_summary_changed())
        self.each_box.hide()
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._on_selected())
        self.table.doubleClicked.connect(lambda *_: self._on_trend())

        header = QHBoxLayout()
        header.addWidget(QLabel(self.tr("Alarms"), objectName="title"))
        header.addStretch(1)
        self.mute_button = QPushButton(objectName="mute")
        self.mute_button.clicked.connect(self._on_mute)
        self._muted_until = 0.0
        self.show_mute(0.0)
        header.addWidget(self.mute_button)
        header.addWidget(self.load_label)
        header.addWidget(self.each_box)
        header.addWidget(self.aside_box)
        header.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.flood_banner)
        layout.addWidget(self.tables)
        layout.addLayout(self._build_actions())
        self.outcome = QLabel(objectName="banner")
        self.outcome.hide()
        layout.addWidget(self.outcome)

        model.summary_changed.connect(self._on_summary_changed)
        model.modelReset.connect(self._reselect)
        model.dataChanged.connect(lambda *_: self._enable())
        self._on_summary_changed()
        self._enable()

    def _build_actions(self) -> QHBoxLayout:
        self.reason_edit = QLineEdit(placeholderText=self.tr("Reason (to shelve or take out of service)"))
        self.reason_edit.textChanged.connect(self._enable)
        self.shelve_combo = QComboBox()
        self.buttons = {
            "open_case": QPushButton(self.tr("Open a case"), objectName="act-open_case"),
            "ack": QPushButton(self.tr("Acknowledge"), objectName="act-ack"),
            "shelve": QPushButton(self.tr("Shelve"), objectName="act-shelve"),
            "unshelve": QPushButton(self.tr("Unshelve"), objectName="act-unshelve"),
            "remove": QPushButton(self.tr("Out of service"), objectName="act-remove"),
            "restore": QPushButton(self.tr("Back in service"), objectName="act-restore"),
        }
        self.trend_button = QPushButton(self.tr("Trend"), objectName="trend")
        self.trend_button.clicked.connect(self._on_trend)
        row = QHBoxLayout()
        row.addWidget(self.trend_button)
        row.addWidget(self.buttons["ack"])
        row.addWidget(self.buttons["open_case"])
        row.addWidget(self.reason_edit, 1)
        row.addWidget(self.shelve_combo)
        for action in ("shelve", "unshelve", "remove", "restore"):
            row.addWidget(self.buttons[action])
        for action, button in self.buttons.items():
            button.clicked.connect(lambda _=False, action=action: self._on_action(action))
        return row

    # -- public ----------------------------------------------------------------

    def set_actor(self, actor: Actor | None) -> None:
        self._actor = actor
        self._enable()

    def set_read_only(self, read_only: bool) -> None:
        """The wall: it shows alarms and takes no action on them."""
        self._read_only = read_only
        self._enable()

    def show_mute(self, muted_until: float) -> None:
        """Whether the sounds are silenced, and until when: always in sight."""
        self._muted_until = muted_until
        if muted_until > time.time():
            until = time.strftime("%H:%M", time.localtime(muted_until))
            self.mute_button.setText(self.tr("Muted until {time} · sound on").format(time=until))
        else:
            self.mute_button.setText(self.tr("Mute {n} min").format(n=MUTE_MINUTES))
        restyle(self.mute_button, "alert", "warning" if muted_until > time.time() else "")

    def _on_mute(self) -> None:
        self.mute_requested.emit(0.0 if self._muted_until > time.time() else MUTE_MINUTES * 60.0)

    def selected_alarm(self) -> Alarm | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        alarm: Alarm | None = self._model.record_at(index.row())
        return alarm

    def show_outcome(self, text: str, ok: bool) -> None:
        self.outcome.setText(text)
        restyle(self.outcome, "ok", ok)
        self.outcome.show()

    # -- what may be done ---------------------------------------------------------

    def offered(self) -> list[str]:
        """The actions the signed-in user may take on the selected alarm now."""
        alarm, actor = self.selected_alarm(), self._actor
        if alarm is None or actor is None or self._read_only:
            return []
        possible = {
            "open_case": self._model.can_open_case(alarm),
            "ack": not alarm.acked,
            "shelve": not alarm.out_of_service,
            "unshelve": bool(alarm.shelved_until),
            "remove": not alarm.out_of_service,
            "restore": alarm.out_of_service,
        }
        return [a for a, ok in possible.items() if ok and set(ALARM_ROLES[a]) & set(actor.roles)]

    def _enable(self) -> None:
        offered = self.offered()
        reason = bool(self.reason_edit.text().strip())
        for action, button in self.buttons.items():
            button.setVisible(action in offered)
            button.setEnabled(action in offered and (reason or action not in ("shelve", "remove")))
        self.reason_edit.setVisible(bool({"shelve", "remove"} & set(offered)))
        self.shelve_combo.setVisible("shelve" in offered)
        chosen = self.selected_alarm()
        self.trend_button.setEnabled(chosen is not None and bool(chosen.sensor_id))  # a vehicle has none
        self._fill_shelve_times()

    def _fill_shelve_times(self) -> None:
        alarm = self.selected_alarm()
        longest = self._model.longest_shelve_s(alarm) if alarm is not None else 0.0
        minutes = [m for m in SHELVE_MINUTES if m * 60 <= longest] or [SHELVE_MINUTES[0]]
        if [self.shelve_combo.itemData(i) for i in range(self.shelve_combo.count())] == minutes:
            return
        self.shelve_combo.clear()
        for m in minutes:
            text = self.tr("{n} min").format(n=m) if m < 60 else self.tr("{n} h").format(n=m // 60)
            self.shelve_combo.addItem(text, m)

    # -- events ---------------------------------------------------------------------

    def _on_selected(self) -> None:
        alarm = self.selected_alarm()
        if alarm is None or alarm.id != self._selected:
            self.reason_edit.clear()
            self.outcome.hide()
            if alarm is not None:
                self.alarm_selected.emit(alarm.id)
        self._selected = alarm.id if alarm else None
        self._enable()

    def _show_load(self) -> None:
        """The alarms of the last ten minutes against ISA-18.2's figures; in a flood, a banner and
        the alarms grouped (unless the operator asks for them one by one)."""
        rate, flooded = self._model.load_rate(), self.flooded()
        if (rate, flooded, self.each_box.isChecked()) == self._load:
            return
        self._load = rate, flooded, self.each_box.isChecked()
        self.load_label.setText(self.tr("{n} in 10 min").format(n=rate))
        color = HallColors.RED if flooded else HallColors.ORANGE if rate > MANAGEABLE else HallColors.MUTED
        self.load_label.setStyleSheet(f"color: {color};")
        self.flood_banner.setVisible(flooded)
        self.each_box.setVisible(flooded)
        if flooded:
            self.flood_banner.setText(
                self.tr(
                    "Alarm flood: {n} alarms in 10 minutes (about {manageable} is manageable). "
                    "Shown by area and class, the most urgent first."
                ).format(n=rate, manageable=MANAGEABLE)
            )
        grouped = flooded and not self.each_box.isChecked()
        self.tables.setCurrentWidget(self.group_table if grouped else self.table)

    def _reselect(self) -> None:
        """The rows came anew (a snapshot, the city arrived): the operator keeps the alarm chosen."""
        row = self._model.row_of(self._selected) if self._selected else None
        if row is not None:
            self.table.selectRow(row)
        self._enable()

    def _on_trend(self) -> None:
        alarm = self.selected_alarm()
        if alarm is not None and alarm.sensor_id:
            self.trend_requested.emit(alarm.sensor_id)

    def _on_aside_toggled(self, aside: bool) -> None:
        self._model.show_aside(aside)
        self._enable()

    def _on_action(self, action: str) -> None:
        alarm = self.selected_alarm()
        if alarm is None or action not in self.offered():
            return
        fields: dict[str, object] = {"reason": self.reason_edit.text().strip()}
        if action == "shelve":
            fields["until"] = time.time() + 60 * int(self.shelve_combo.currentData())
        self.alarm_act_requested.emit(alarm.id, alarm.version, action, fields)

    def flooded(self) -> bool:
        return self._model.load_rate() > FLOOD

    def _on_summary_changed(self) -> None:
        self._show_load()
        counts = self._model.unacknowledged_count(), self._model.aside_count()
        if counts == self._counts:
            return
        self._counts = unacked, aside = counts
        self.count_label.setText(self.tr("Unacknowledged {count}").format(count=unacked))
        self.count_label.setStyleSheet(f"color: {HallColors.RED if unacked else HallColors.GREEN};")
        self.aside_box.setText(self.tr("Set aside ({count})").format(count=aside))
