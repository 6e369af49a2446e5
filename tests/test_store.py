"""The store on the embedded SQLite file and on the real PostgreSQL."""

from __future__ import annotations

from msgspec.structs import replace

from feeds import wire as p
from feeds.hub.batch import WriteBatch
from feeds.hub.store import Store


def a_case(
    version: int = 1, seq: int = 1, department: str | None = None, status: str = "to_file", **fields: object
) -> p.Case:
    """An inspector's report waiting to be filed, unless ``status`` and ``fields`` say otherwise."""
    fields = {"stage": "file", "reporter": "inspector", "verified": "confirmed", **fields}
    return p.Case(  # type: ignore[arg-type]
        "AJ0000001",
        "06010",
        "320102001001001",
        "320102",
        "南湖街道",
        118.78,
        32.04,
        "inspector",
        "暴露垃圾",
        status,
        100.0,
        1900.0,
        1800.0,
        version,
        department=department,
        seq=seq,
        **fields,
    )


def event(
    seq: int, action: str, actor: str, command_id: str | None = None, **fields: object
) -> dict[str, object]:
    return {
        "seq": seq,
        "case_id": "AJ0000001",
        "at": 100.0 + seq,
        "actor": actor,
        "action": action,
        "reason": "",
        "department": None,
        "command_id": command_id,
        "role": "",
        "from_state": "",
        "to_state": "",
        "text": "",
        **fields,
    }


#: The case after a shift lead filed it and a dispatcher sent it to 环卫局, every new field set.
DISPATCHED = {
    "status": "dispatched",
    "stage": "handle",
    "clock": "working_hours",
    "stage_started": 150.0,
    "paused_left_s": 600.5,
    "late": "file",
    "inspector": "inspector",
    "returns": 1,
    "reworks": 2,
    "extensions": 1,
    "requested_deadline": 9000.0,
    "closure": "",
    "appeal": "pending",
    "urged_at": 160.0,
    "raised": True,
    "escalations": 3,
    "merged_into": "AJ0000009",
}


def test_records_events_and_streams_survive_a_reopen(db_url: str) -> None:
    store = Store(db_url)
    streams = store.load().streams
    store.commit(
        WriteBatch(
            records={"cases": {"AJ0000001": a_case()}},
            report_ids={"AJ0000001": "R-1"},
            events=[event(1, "report", "监督员甲", to_state="to_file", text="暴露垃圾")],
        )
    )
    store.commit(
        WriteBatch(
            records={"cases": {"AJ0000001": a_case(2, 2, "sanitation", **DISPATCHED)}},
            events=[
                event(
                    2,
                    "dispatch",
                    "lisi",
                    "cmd-1",
                    reason="属地环卫",
                    role="dispatcher",
                    from_state="to_dispatch",
                    to_state="dispatched",
                )
            ],
        )
    )
    store.close()

    reopened = Store(db_url)
    loaded = reopened.load()
    timeline = reopened.timeline("AJ0000001")
    reopened.close()
    assert loaded.streams == streams and all(loaded.streams.values())
    assert loaded.records["cases"] == [a_case(2, 2, "sanitation", **DISPATCHED)]
    assert loaded.report_ids == {"R-1": "AJ0000001"}  # the update kept the producer's report id
    assert loaded.command_ids == {"cmd-1": "AJ0000001"}
    assert timeline == [
        p.TimelineEntry(1, 101.0, "监督员甲", "report", to_state="to_file", text="暴露垃圾"),
        p.TimelineEntry(
            2,
            102.0,
            "lisi",
            "dispatch",
            "属地环卫",
            role="dispatcher",
            from_state="to_dispatch",
            to_state="dispatched",
        ),
    ]


def test_a_case_of_release_0_2_reads_back_in_the_workflows_states(db_url: str) -> None:
    """0.2 knew two statuses: ``filed`` waited for dispatch (now 待派遣), ``dispatched`` was with a
    department; both get the stage whose clock they were running."""
    store = Store(db_url)
    old = {"stage": "", "reporter": "", "verified": ""}
    store.commit(
        WriteBatch(
            records={
                "cases": {
                    "AJ0000001": a_case(status="filed", **old),
                    "AJ0000002": replace(
                        a_case(status="dispatched", department="gas", **old), id="AJ0000002"
                    ),
                }
            }
        )
    )
    store.close()
    reopened = Store(db_url)
    cases = {c.id: c for c in reopened.load().records["cases"]}
    reopened.close()
    assert (cases["AJ0000001"].status, cases["AJ0000001"].stage) == ("to_dispatch", "dispatch")
    assert (cases["AJ0000002"].status, cases["AJ0000002"].stage) == ("dispatched", "handle")


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


def test_readings_are_kept_raw_then_folded_into_intervals_late_ones_too(db_url: str) -> None:
    store = Store(db_url)
    start = 1_795_000_200.0  # a whole number of 5-minute intervals
    raw = [{"sensor_id": "WL-01", "ts": start + 10.0 * n, "value": float(n % 7)} for n in range(60)]  # 10 min
    batch = WriteBatch()
    batch.readings = raw + raw[:5]  # a producer's retry: stored once
    store.commit(batch)
    folded = store.roll_up(start + 3600, raw_s=1800, interval_s=300, keep_s=86_400)
    late = WriteBatch()
    late.readings = [{"sensor_id": "WL-01", "ts": start + 15.0, "value": 50.0}]  # out of order, long after
    store.commit(late)
    again = store.roll_up(start + 3600, raw_s=1800, interval_s=300, keep_s=86_400)
    recent = WriteBatch()
    recent.readings = [{"sensor_id": "WL-01", "ts": start + 3500, "value": 3.5}]
    store.commit(recent)
    at, mean, low, high = store.history("WL-01", start, start + 3600)
    few = store.history("WL-01", start, start + 3600, points=10)  # fewer than asked for: as they are
    gone = store.roll_up(start + 200 * 86_400, raw_s=1800, interval_s=300, keep_s=86_400)
    left = store.history("WL-01", 0, start + 200 * 86_400)[0]
    store.close()
    assert (folded, again) == (60, 1)
    values = [float(n % 7) for n in range(30)]
    assert list(at) == [start, start + 300, start + 3500]
    assert (low[0], high[0]) == (0.0, 50.0) and mean[0] == (sum(values) + 50.0) / 31  # merged late
    assert (low[2], mean[2], high[2]) == (3.5, 3.5, 3.5)  # raw: the value itself
    assert all(list(a) == list(b) for a, b in zip(few, (at, mean, low, high), strict=True))
    assert gone == 1 and len(left) == 0  # past retention: nothing kept
