"""Signing in over the wire: passwords, tokens, lock-out, and what each kind of session may do."""

from __future__ import annotations

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from feeds import wire as p
from feeds.hub import policy
from tests.hubkit import PASSWORD, Clock, act, client, declare_and_report, receive, request, running_hub, send

NOW = 1_794_967_200.0


async def hello(ws: ClientConnection, kind: str = "console", **fields: object) -> p.Welcome | p.Error:
    await send(ws, p.Hello(p.PROTOCOL_VERSION, kind, **fields))  # type: ignore[arg-type]
    return await receive(ws, lambda m: isinstance(m, (p.Welcome, p.Error)))


async def test_a_signed_in_seat_learns_who_it_is_and_may_come_back_with_its_token(db_url: str) -> None:
    async with running_hub(db_url, clock=Clock(NOW)) as (_hub, url):
        async with connect(url) as ws:
            welcome = await hello(ws, user="drainage", password=PASSWORD)
        async with connect(url) as ws:
            again = await hello(ws, token=welcome.token)  # type: ignore[union-attr]
    assert isinstance(welcome, p.Welcome) and isinstance(again, p.Welcome)
    assert (welcome.name, welcome.roles, welcome.department) == ("赵磊", ["handler"], "drainage")
    assert welcome.expires == NOW + 12 * 3600 and len(welcome.token) >= 40
    assert again.user == "drainage"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"user": "drainage", "password": "wrong-password"}, p.ErrorCode.BAD_CREDENTIALS),
        ({"user": "nobody", "password": PASSWORD}, p.ErrorCode.BAD_CREDENTIALS),
        ({"user": "drainage"}, p.ErrorCode.BAD_CREDENTIALS),
        ({"token": "forged-" + "x" * 40}, p.ErrorCode.BAD_TOKEN),
    ],
    ids=["wrong password", "unknown login", "no password", "forged token"],
)
async def test_a_failed_sign_in_is_refused_and_the_connection_may_try_again(db_url, fields, code) -> None:  # type: ignore[no-untyped-def]
    async with running_hub(db_url) as (hub, url), connect(url) as ws:
        refused = await hello(ws, **fields)
        before = await request(ws, p.Ping("before"))
        welcome = await hello(ws, user="drainage", password=PASSWORD)
    assert isinstance(refused, p.Error) and refused.code == code
    assert (
        isinstance(before, p.Error) and before.code == p.ErrorCode.HELLO_REQUIRED
    )  # nothing but the handshake
    assert isinstance(welcome, p.Welcome)
    assert hub.errors[code] == 1


async def test_repeated_failures_lock_the_account_for_a_while(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url), connect(url) as ws:
        answers = [await hello(ws, user="lead", password=f"guess-{n}") for n in range(5)]
        locked = await hello(ws, user="lead", password=PASSWORD)
        clock.now += 16 * 60
        welcome = await hello(ws, user="lead", password=PASSWORD)
    assert [a.code for a in answers] == [p.ErrorCode.BAD_CREDENTIALS] * 5  # type: ignore[union-attr]
    assert (
        isinstance(locked, p.Error) and locked.code == p.ErrorCode.LOCKED and "locked until" in locked.message
    )
    assert isinstance(welcome, p.Welcome)


async def test_an_expired_token_is_refused(db_url: str) -> None:
    clock = Clock(NOW)
    async with running_hub(db_url, clock=clock) as (_hub, url):
        async with connect(url) as ws:
            welcome = await hello(ws, user="lead", password=PASSWORD)
        clock.now += 12 * 3600 + 1
        async with connect(url) as ws:
            expired = await hello(ws, token=welcome.token)  # type: ignore[union-attr]
    assert isinstance(expired, p.Error) and expired.code == p.ErrorCode.BAD_TOKEN


@pytest.mark.parametrize(
    ("kind", "user", "code"),
    [("console", "sim", p.ErrorCode.FORBIDDEN), ("producer", "dispatcher", p.ErrorCode.FORBIDDEN)],
    ids=["a producer key opens no console", "a dispatcher is no producer"],
)
async def test_accounts_open_only_their_kind_of_connection(
    db_url: str, kind: str, user: str, code: str
) -> None:
    async with running_hub(db_url) as (_hub, url), connect(url) as ws:
        refused = await hello(ws, kind, user=user, password=PASSWORD)
    assert isinstance(refused, p.Error) and refused.code == code


async def test_the_acting_user_comes_from_the_session_not_the_message(db_url: str) -> None:
    async with running_hub(db_url) as (hub, url):
        async with client(url, "producer", "sim") as producer:
            await declare_and_report(producer, reports=1)
        async with client(url, user="lead") as lead:
            snapshot = await receive(lead, lambda m: isinstance(m, p.Snapshot) and m.topic == "cases")
            case = snapshot.items[0]
            # A forged "user" field in the frame is no field of act: it is ignored.
            await lead.send(
                p.encode(act(case, "file")).replace(b'"type":"act"', b'"type":"act","user":"someone_else"')
            )
            answer = await receive(lead, lambda m: isinstance(m, (p.Result, p.Error)))
        timeline = hub.store.timeline(case.id)
    assert isinstance(answer, p.Result)
    assert [(e.action, e.actor) for e in timeline][-1] == ("file", "lead")


async def test_an_inspector_reports_but_sends_no_readings(db_url: str) -> None:
    async with running_hub(db_url) as (hub, url), client(url, "producer", "inspector") as inspector:
        told = await request(inspector, p.Batch("b1", [p.Reading("WL-01", 3.0, NOW)]))
        ack = await receive(inspector, lambda m: isinstance(m, p.Ack))
    assert isinstance(told, p.Error) and told.code == p.ErrorCode.FORBIDDEN and "Reading" in told.message
    assert (ack.accepted, ack.rejected) == (0, 1)
    assert hub.refused["forbidden"] == 1


async def test_a_console_sends_no_ingest(db_url: str) -> None:
    async with running_hub(db_url) as (_hub, url), client(url, user="lead") as lead:
        refused = await request(lead, p.Batch("b1", [p.Reading("WL-01", 3.0, NOW)]))
    assert isinstance(refused, p.Error) and refused.code == p.ErrorCode.FORBIDDEN


async def test_a_disabled_account_is_shown_out_of_its_open_connection(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(policy, "SESSION_CHECK_S", 0.05)
    async with running_hub(db_url) as (hub, url), client(url, user="lisi") as lisi:
        assert isinstance(await request(lisi, p.Ping("before")), p.Pong)
        hub.accounts.disable("lisi")
        told = await receive(lisi, lambda m: isinstance(m, p.Error))
        with pytest.raises(ConnectionClosed) as closed:
            await lisi.recv()
    assert told.code == p.ErrorCode.BAD_TOKEN and "sign in again" in told.message
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


async def test_a_producer_key_reads_nothing(db_url: str) -> None:
    async with running_hub(db_url) as (_hub, url):
        async with connect(url) as ws:
            wall = await hello(ws, "wall", user="sim", password=PASSWORD)
        async with client(url, "producer", "sim") as producer:
            history = await request(producer, p.GetTimeline("t1", "AJ0000001"))
    assert isinstance(wall, p.Error) and wall.code == p.ErrorCode.FORBIDDEN
    assert isinstance(history, p.Error) and history.code == p.ErrorCode.FORBIDDEN
