"""A console's protocol session without a socket: bytes in, events and frames out."""

from __future__ import annotations

from feeds import wire as p
from feeds.records import Case
from feeds.wire.session import Answered, ClientSession, Refused, Welcomed
from tests.hubkit import Mirror


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def session(mirror: Mirror, clock: Clock | None = None) -> ClientSession:
    return ClientSession(
        kind="console",
        user="lisi",
        password="lisi-password",
        topics=p.TOPICS,
        apply=mirror.apply,
        positions=lambda: mirror.positions,
        clock=clock or Clock(),
    )


def welcome(token: str = "tok-1") -> bytes:
    return p.encode(
        p.Welcome(
            p.PROTOCOL_VERSION,
            "hub",
            "s1",
            "city",
            1.0,
            "console",
            "lisi",
            name="李四",
            token=token,
            expires=9.0,
        )
    )


def test_the_hello_resumes_from_what_the_mirror_holds() -> None:
    mirror = Mirror()
    mirror.positions["cases"] = p.Position("stream-a", 41)
    hello = p.decode_client(session(mirror).connected())
    assert isinstance(hello, p.Hello)
    assert hello.resume == {"cases": p.Position("stream-a", 41)} and hello.user == "lisi"
    assert (hello.password, hello.token) == ("lisi-password", "")


def test_after_the_welcome_a_reconnect_signs_in_with_the_token_not_the_password() -> None:
    s = session(Mirror())
    s.connected()
    s.receive(welcome(token="tok-1"))
    again = p.decode_client(s.connected())
    assert isinstance(again, p.Hello)
    assert (again.user, again.password, again.token) == ("lisi", "", "tok-1")
    assert s.password == ""  # not kept once it has served
    s.receive(welcome(token="tok-2"))  # a hub may hand out a fresh session
    assert p.decode_client(s.connected()).token == "tok-2"  # type: ignore[union-attr]


def test_a_refused_sign_in_is_a_refusal_with_its_code_and_later_errors_are_not() -> None:
    for code in (
        p.ErrorCode.BAD_CREDENTIALS,
        p.ErrorCode.LOCKED,
        p.ErrorCode.BAD_TOKEN,
        p.ErrorCode.DISABLED,
    ):
        s = session(Mirror())
        s.connected()
        (refused,) = s.receive(p.encode(p.Error(code, "no")))
        assert refused == Refused("no", code)
    s = session(Mirror())
    s.connected()
    s.receive(welcome())
    s.request("c3", b"{}")
    (answered,) = s.receive(p.encode(p.Error(p.ErrorCode.FORBIDDEN, "for lead", id="c3")))
    assert isinstance(answered, Answered) and answered.error is not None
    assert s.receive(p.encode(p.Error(p.ErrorCode.FORBIDDEN, "not yours"))) == []  # logged, not a refusal


def test_a_gap_asks_for_one_resync_until_the_snapshot_comes() -> None:
    mirror = Mirror()
    s = session(mirror)
    s.connected()
    s.receive(p.encode(p.Snapshot("alarms", "st", 5, [])))
    gap = p.encode(p.Delta("alarms", "st", 9, 9, []))
    s.receive(gap)
    s.receive(gap)
    assert [p.decode_client(f) for f in s.take_outgoing()] == [p.Resync("alarms")]
    s.receive(p.encode(p.Snapshot("alarms", "st", 9, [])))
    s.receive(p.encode(p.Delta("alarms", "st", 12, 12, [])))
    assert [p.decode_client(f) for f in s.take_outgoing()] == [p.Resync("alarms")]


def test_requests_wait_for_the_welcome_and_go_again_after_a_reconnect() -> None:
    s = session(Mirror())
    s.connected()
    frame = p.encode(p.Act("c1", "AJ1", 1, "urge", reason="超期"))
    assert s.request("c1", frame) is None  # not welcomed yet
    assert s.receive(welcome()) and s.take_outgoing() == [frame]
    s.connected()  # the link dropped before the answer
    events = s.receive(welcome())
    assert isinstance(events[0], Welcomed) and s.take_outgoing() == [frame]
    case = Case("AJ1", "06010", "g", "d", "s", 1.0, 1.0, "inspector", "", "to_dispatch", 1.0, 2.0, 3.0, 2)
    (answered,) = s.receive(p.encode(p.Result("c1", case=case)))
    assert answered == Answered("c1", result=p.Result("c1", case=case))


def test_an_error_answers_its_request_or_is_remembered() -> None:
    s = session(Mirror())
    s.connected()
    s.receive(welcome())
    s.request("c2", b"{}")
    (answered,) = s.receive(p.encode(p.Error(p.ErrorCode.CONFLICT, "stale", id="c2")))
    assert isinstance(answered, Answered) and answered.error is not None
    assert s.receive(p.encode(p.Error(p.ErrorCode.INVALID, "what?"))) == []
    assert s.errors[-1].message == "what?"


def test_a_heartbeat_marks_a_feed_current_only_when_the_mirror_has_all_of_it() -> None:
    mirror, clock = Mirror(), Clock()
    s = session(mirror, clock)
    s.connected()
    s.receive(p.encode(p.Snapshot("cases", "st", 7, [])))
    clock.now = 160.0
    s.receive(p.encode(p.Heartbeat(2.0, {"cases": 7, "alarms": 3})))
    assert s.last_current_at == {"cases": 160.0}
    clock.now = 170.0
    s.receive(p.encode(p.Heartbeat(3.0, {"cases": 8})))  # the hub is ahead: a delta is on its way
    assert s.last_current_at["cases"] == 160.0


def test_an_unknown_frame_is_skipped_and_an_unsupported_version_refuses() -> None:
    s = session(Mirror())
    assert s.receive(b'{"type": "weather", "rain": 80}') == []
    (refused,) = s.receive(p.encode(p.Error(p.ErrorCode.UNSUPPORTED_VERSION, "speaks 1, not 2")))
    assert refused == Refused("speaks 1, not 2")
