"""The codec: bytes in, typed messages or typed errors out."""

from __future__ import annotations

import msgspec
import pytest

from feeds import wire as p


def test_client_messages_round_trip() -> None:
    messages = [
        p.Hello(
            3, "console", "zhangsan", password="口令 with spaces", resume={"cases": p.Position("s1", 42)}
        ),
        p.Hello(3, "producer", token="DpDok0n8qxERBh9i8B41VFNyJBp023bjVlBIocEla1o", topics=[]),
        p.Act("cmd-1", "AJ0000001", 3, "dispatch", department="sanitation", reason="属地环卫"),
        p.Act("cmd-2", "AJ0000001", 4, "urge", reason="超期未处置"),
        p.Act("cmd-3", "AJ0000001", 5, "feedback", text="已清运", deadline=1_795_100_000.0),
        p.Act("cmd-4", "AJ0000001", 6, "close", reason="误报", closure="wrong"),
        p.Act("cmd-5", "AJ0000002", 1, "merge", target="AJ0000001", inspector="inspector"),
        p.Batch(
            "b-1", [p.Reading("WL-01", 12.5, 1_795_000_001.0), p.Fix("V-0001", 118.8, 32.0, 1_795_000_002.0)]
        ),
        p.Report("R-1", "06010", 118.78, 32.04, "hotline", 1_795_000_003.0, description="暴露垃圾"),
    ]
    for message in messages:
        assert p.decode_client(p.encode(message)) == message


def test_server_messages_round_trip() -> None:
    case = p.Case(
        "AJ1",
        "06010",
        "320102001001001",
        "320102",
        "南湖街道",
        118.8,
        32.0,
        "inspector",
        "",
        "to_file",
        1.0,
        2.0,
        3.0,
        1,
        stage="file",
        late="file,dispatch",
        reporter="inspector",
        verified="confirmed",
        paused_left_s=12.5,
        raised=True,
    )
    entry = p.TimelineEntry(
        4, 5.0, "lisi", "dispatch", department="sanitation", role="dispatcher", from_state="to_dispatch"
    )
    welcome = p.Welcome(
        3,
        "hub",
        "s1",
        "滨江市",
        1.0,
        "console",
        "lisi",
        city_hash="abc",
        name="李四",
        roles=["lead"],
        token="t",
    )
    messages = [
        welcome,
        p.Result("cmd-1", case=case, timeline=[entry]),
        p.Snapshot("cases", "s", 7, [case], part=0, final=True),
        p.Delta("alarms", "s", 8, 9, [p.Alarm("AL1", "water_level", 1, 30.0, 25.0, 5.0, sensor_id="WL-01")]),
        p.Error(p.ErrorCode.CONFLICT, "stale", id="cmd-1", current=case),
        p.Ack("b-1", 10, 1),
    ]
    for message in messages:
        assert p.decode_server(p.encode(message)) == message


def test_frames_are_json_text_with_a_type_field() -> None:
    frame = p.encode(p.Ping("x"))
    assert msgspec.json.decode(frame) == {"type": "ping", "id": "x"}


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b'{"type": "hello", ', p.ErrorCode.BAD_JSON),
        (b"not json at all", p.ErrorCode.BAD_JSON),
        (b'{"type": "launch_missiles"}', p.ErrorCode.UNKNOWN_TYPE),
        (b'{"no_type": 1}', p.ErrorCode.UNKNOWN_TYPE),
        (b"[1, 2, 3]", p.ErrorCode.UNKNOWN_TYPE),
        (
            b'{"type": "act", "id": "c1", "case_id": "AJ1", "expected_version": "3", "action": "file"}',
            p.ErrorCode.INVALID,
        ),
        (b'{"type": "act", "id": "c1", "case_id": "AJ1", "expected_version": 3}', p.ErrorCode.INVALID),
        (
            b'{"type": "act", "id": "c1", "case_id": "AJ1", "expected_version": 3, "action": "close", '
            b'"closure": "normal"}',
            p.ErrorCode.INVALID,
        ),
        (b'{"type": "hello", "protocol": 4, "kind": "console", "password": 7}', p.ErrorCode.INVALID),
        (
            b'{"type": "assign", "id": "c1", "case_id": "AJ1", "expected_version": 3, "department": "x"}',
            p.ErrorCode.UNKNOWN_TYPE,
        ),  # protocol 2's commands are gone
        (
            b'{"type": "escalate", "id": "c1", "case_id": "AJ1", "expected_version": 3, "reason": "x"}',
            p.ErrorCode.UNKNOWN_TYPE,
        ),
        (b'{"type": "reading", "sensor_id": "WL-01", "value": null, "ts": 1}', p.ErrorCode.INVALID),
    ],
)
def test_bad_frames_raise_typed_errors(frame: bytes, code: str) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.decode_client(frame)
    assert caught.value.code == code
    assert caught.value.message


def test_invalid_error_names_the_field_and_keeps_the_id() -> None:
    frame = b'{"type": "act", "id": "c9", "case_id": "AJ1", "expected_version": "3", "action": "file"}'
    with pytest.raises(p.ProtocolError) as caught:
        p.decode_client(frame)
    assert "expected_version" in caught.value.message
    assert caught.value.ref == "c9"
