"""What the hall hears: a sound for each new alarm by priority, never for an update, the critical
sound again while a critical alarm stands unacknowledged, a mute that always ends; the sounds
made and started; the critical alarm kept in front of everything until someone acknowledges it."""

from __future__ import annotations

from pathlib import Path

from msgspec.structs import replace

from console.annunciator import MUTE_MAX_S, REPEAT_S, Annunciator
from console.state import HallState
from feeds.records import Alarm, Sensor
from widgets.critical_alert import QtCriticalAlert
from widgets.sounds import TONES, QtAlarmSounds

NOW = 1_795_000_000.0


def alarm(n: int, priority: int = 1, **fields: object) -> Alarm:
    return Alarm(f"AL{n}", "water_level", priority, 30.0, 25.0, NOW, **fields, sensor_id=f"S{n}")  # type: ignore[arg-type]


def test_a_new_alarm_sounds_once_by_its_priority_and_an_update_does_not() -> None:
    ears = Annunciator()
    flood, tilt = alarm(1, 1), alarm(2, 2)
    assert ears.hear([flood, tilt], [flood, tilt], NOW) == [1, 2]
    updated = replace(flood, value=38.0, version=2)
    assert ears.hear([updated], [updated, tilt], NOW + 1) == []  # the water rose: no new sound
    again = replace(flood, raised=2, raised_at=NOW + 2)
    assert ears.hear([again], [again, tilt], NOW + 2) == [1]  # raised again: heard again
    quiet = [alarm(3, 2, acked=True), alarm(4, 1, shelved_until=NOW + 600), alarm(5, 1, state="cleared")]
    assert ears.hear(quiet, quiet, NOW + 3) == []


def test_an_unacknowledged_critical_alarm_sounds_again_until_acknowledged() -> None:
    ears = Annunciator()
    flood = alarm(1, 1)
    assert ears.hear([flood], [flood], NOW) == [1]
    assert ears.hear([], [flood], NOW + REPEAT_S - 1) == []
    assert ears.hear([], [flood], NOW + REPEAT_S) == [1]
    acked = replace(flood, acked=True, version=2)
    assert ears.hear([acked], [acked], NOW + 3 * REPEAT_S) == []
    tilt = alarm(2, 2)
    ears.hear([tilt], [tilt], NOW + 4 * REPEAT_S)
    assert ears.hear([], [tilt], NOW + 9 * REPEAT_S) == []  # only critical ones repeat


def test_a_mute_silences_for_a_while_and_never_for_the_night() -> None:
    ears = Annunciator()
    until = ears.mute(NOW, 8 * 3600)
    assert until == NOW + MUTE_MAX_S and ears.muted(NOW + 10)
    assert ears.hear([alarm(1, 1)], [alarm(1, 1)], NOW + 10) == []
    assert ears.hear([], [alarm(1, 1)], NOW + MUTE_MAX_S) == [1]  # back, and still unacknowledged


def test_the_sounds_are_made_once_per_priority_and_started(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sounds = QtAlarmSounds(folder=tmp_path)
    assert sorted(f.name for f in tmp_path.iterdir()) == [f"alarm-{p}.wav" for p in sorted(TONES)]
    critical, low = (tmp_path / "alarm-1.wav").stat().st_size, (tmp_path / "alarm-4.wav").stat().st_size
    assert critical > 2 * low  # four beeps against one
    sounds.play([1, 3])
    assert sounds.played == [1, 3]


def test_the_critical_alert_stays_until_acknowledged_and_the_wall_only_shows_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    state = HallState()
    state.sensors["S1"] = Sensor("S1", "water_level", "汉中路下穿隧道积水点", 118.8, 32.0, "cm")
    desk, wall = QtCriticalAlert(state, False, read_only=False), QtCriticalAlert(state, True, read_only=True)
    for widget in (desk, wall):
        qtbot.addWidget(widget)
    flood = replace(alarm(1, 1, to_lead=True), value=41.5)  # of sensor S1
    desk.show_alarm(flood)
    wall.show_alarm(flood)
    assert desk.isVisible() and desk.source.text() == "汉中路下穿隧道积水点"
    assert (
        "41.5 cm" in desk.details.text()
        and "25 cm" in desk.details.text()
        and "shift lead" in desk.details.text()
    )
    assert desk.ack_button.isVisible() and not wall.ack_button.isVisible()
    with qtbot.waitSignal(desk.ack_requested) as asked:
        desk.ack_button.click()
    assert asked.args == ["AL1", 1]
    desk.show_alarm(None)
    assert not desk.isVisible()
