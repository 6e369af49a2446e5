"""The store on the embedded SQLite file and on the real PostgreSQL."""

from __future__ import annotations

from feeds import wire as p
from feeds.hub.batch import WriteBatch
from feeds.hub.store import Store


def a_case(version: int = 1, seq: int = 1, department: str | None = None) -> p.Case:
    return p.Case(
        "AJ0000001",
        "06010",
        "320102001001001",
        "320102",
        "南湖街道",
        118.78,
        32.04,
        "inspector",
        "暴露垃圾",
        "filed",
        100.0,
        1900.0,
        1800.0,
        version,
        department=department,
        seq=seq,
    )


def event(seq: int, action: str, actor: str, command_id: str | None = None) -> dict[str, object]:
    return {
        "seq": seq,
        "case_id": "AJ0000001",
        "at": 100.0 + seq,
        "actor": actor,
        "action": action,
        "reason": "",
        "department": None,
        "command_id": command_id,
    }


def test_records_events_and_streams_survive_a_reopen(db_url: str) -> None:
    store = Store(db_url)
    streams = store.load().streams
    store.commit(
        WriteBatch(
            records={"cases": {"AJ0000001": a_case()}},
            report_ids={"AJ0000001": "R-1"},
            events=[event(1, "report", "监督员甲")],
        )
    )
    store.commit(
        WriteBatch(
            records={"cases": {"AJ0000001": a_case(version=2, seq=2, department="sanitation")}},
            events=[event(2, "assign", "李四", command_id="cmd-1")],
        )
    )
    store.close()

    reopened = Store(db_url)
    loaded = reopened.load()
    timeline = reopened.timeline("AJ0000001")
    reopened.close()
    assert loaded.streams == streams and all(loaded.streams.values())
    assert loaded.records["cases"] == [a_case(version=2, seq=2, department="sanitation")]
    assert loaded.report_ids == {"R-1": "AJ0000001"}  # the update kept the producer's report id
    assert loaded.command_ids == {"cmd-1": "AJ0000001"}
    assert [(e.seq, e.action, e.actor) for e in timeline] == [
        (1, "report", "监督员甲"),
        (2, "assign", "李四"),
    ]


def test_latest_sensor_and_vehicle_values_are_upserted(db_url: str) -> None:
    store = Store(db_url)
    sensor = p.Sensor("WL-01", "water_level", "中山路下穿隧道积水点", 118.78, 32.04, "cm")
    vehicle = p.Vehicle("V-0001", "sanitation", "苏A·D0001")
    store.commit(WriteBatch(records={"sensors": {"WL-01": sensor}, "vehicles": {"V-0001": vehicle}}))
    later_sensor = p.Sensor(
        "WL-01",
        "water_level",
        "中山路下穿隧道积水点",
        118.78,
        32.04,
        "cm",
        value=27.5,
        ts=50.0,
        state="alarm",
        seq=9,
    )
    later_vehicle = p.Vehicle(
        "V-0001", "sanitation", "苏A·D0001", 118.8, 32.0, 15.0, 90.0, "working", 51.0, seq=4
    )
    store.commit(
        WriteBatch(records={"sensors": {"WL-01": later_sensor}, "vehicles": {"V-0001": later_vehicle}})
    )
    loaded = store.load()
    store.close()
    assert loaded.records["sensors"] == [later_sensor]
    assert loaded.records["vehicles"] == [later_vehicle]
