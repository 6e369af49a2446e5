"""The ISA-18.2 review of the alarms' record: floods (more than ten in ten minutes) and bad actors,
hand-computed; and `hall alarms review` over a real store."""

from __future__ import annotations

from datetime import datetime

import pytest

from console.cli import main
from feeds import wire as p
from feeds.hub.batch import WriteBatch
from feeds.hub.review import bad_actors, flood_periods
from feeds.hub.store import Store

T = 1_795_000_000.0


def test_eleven_alarms_within_ten_minutes_are_a_flood_until_the_first_leaves_the_window() -> None:
    assert flood_periods([T + 10 * n for n in range(10)]) == []  # ten is not more than ten
    eleven = [T + 10 * n for n in range(11)]
    assert flood_periods(eleven) == [(T + 100, T + 600)]  # from the 11th until the 1st is 10 min old
    spread = [T + 60 * n for n in range(11)]  # one a minute: the 11th comes as the 1st leaves
    assert flood_periods(spread) == []
    two = eleven + [T + 2000 + 10 * n for n in range(12)]
    assert flood_periods(two) == [(T + 100, T + 600), (T + 2100, T + 2610)]  # 12: it lasts longer
    joined = [*eleven, T + 590]
    assert flood_periods(joined) == [(T + 100, T + 610)]


def test_bad_actors_are_the_points_raised_most() -> None:
    raises = [("MH-0001", "high")] * 7 + [("GAS-01", "high")] * 3 + [("MH-0001", "comm")] * 5
    assert bad_actors(raises, top=2) == [("MH-0001", "high", 7), ("MH-0001", "comm", 5)]


def alarm_record(n: int, sensor: str, seq: int) -> p.Alarm:
    return p.Alarm(f"AL{n:07d}", "manhole_tilt", 2, 16.0, 15.0, T, seq=seq, sensor_id=sensor)


def test_hall_alarms_review_reads_the_record(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(db_url)
    batch = WriteBatch()
    batch.records["alarms"] = {
        "AL0000001": alarm_record(1, "MH-0007", 30),
        "AL0000002": alarm_record(2, "GAS-01", 31),
        "AL0000003": p.Alarm(
            "AL0000003", "F-ROUTE", 2, 180.0, 50.0, T, seq=32, vehicle_id="V-0091", condition="route"
        ),
    }
    batch.alarm_events = [
        {"seq": n, "alarm_id": "AL0000001" if n % 3 else "AL0000002", "at": T + 20 * n, "actor": "system",
         "role": "system", "action": "raise", "value": 16.0, "reason": "", "command_id": None}
        for n in range(1, 16)
    ] + [{"seq": 16, "alarm_id": "AL0000003", "at": T + 400, "actor": "system", "role": "system",
          "action": "raise", "value": 180.0, "reason": "", "command_id": None}]  # fmt: skip
    store.commit(batch)
    store.close()
    since = datetime.fromtimestamp(T - 3600).isoformat(sep=" ")
    until = datetime.fromtimestamp(T + 3600).isoformat(sep=" ")
    assert main(["alarms", "review", "--db", db_url, "--since", since, "--until", until]) == 0
    out = capsys.readouterr().out
    assert "alarms raised: 16" in out and "1 time(s)" in out
    assert out.index("MH-0007 high") < out.index("GAS-01 high") < out.index("V-0091 route")
    assert "   10  MH-0007" in out and "    1  V-0091 route" in out
    assert main(["alarms", "review", "--db", db_url, "--since", until, "--until", since]) == 2
