"""A stand-in hub that streams vehicle deltas at a set rate, or as fast as a client reads them.

Run as a separate process so that producing frames does not share the
measured process's interpreter.  It speaks just enough of protocol 4: it signs
in its one account (:data:`USER` with :data:`PASSWORD`, or the session
:data:`TOKEN` it hands out) and answers any other ``hello`` with the hub's
errors, keeping the connection; then it sends ``welcome``, snapshots, and
deltas with contiguous sequence numbers (unpaced, TCP backpressure limits it).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

import numpy as np
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from feeds import wire as p
from feeds.city import demo

#: The one account the stand-in knows; benchmarks/ingest.py signs in with it.
USER, PASSWORD, NAME = "bench", "bench-password", "基准坐席"
TOKEN = "blaster-session-token"  # what a later hello may send instead of the password
VEHICLES = 10_000
PER_FRAME = 1_000
#: Updates per second to send (the first argument; read when run, so that importing this module for
#: its account has no side effect); 0 sends as fast as the reader takes them.
RATE = 0.0


def fleet(rng: np.random.Generator) -> tuple[list[str], np.ndarray, np.ndarray]:
    west, south, east, north = demo().city.bounds
    lon = rng.uniform(west, east, VEHICLES)
    lat = rng.uniform(south, north, VEHICLES)
    return [f"V-{n:05d}" for n in range(VEHICLES)], lon, lat


async def stream(ws: ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed):  # the benchmark has its figures and hung up
        await _stream(ws)


def refusal(message: p.ClientMessage) -> p.Error | None:
    """What the hub answers a frame before sign-in, unless it is a hello that signs :data:`USER` in."""
    if not isinstance(message, p.Hello):
        return p.Error(p.ErrorCode.HELLO_REQUIRED, "sign in with hello first")
    if message.protocol != p.PROTOCOL_VERSION:
        return p.Error(
            p.ErrorCode.UNSUPPORTED_VERSION,
            f"this hub speaks protocol {p.PROTOCOL_VERSION}, not {message.protocol}",
        )
    if message.token:
        ok = message.token == TOKEN
        return None if ok else p.Error(p.ErrorCode.BAD_TOKEN, "not signed in: the session ended or never was")
    if (message.user, message.password) != (USER, PASSWORD):
        return p.Error(p.ErrorCode.BAD_CREDENTIALS, "wrong login or password")
    return None


async def sign_in(ws: ServerConnection) -> p.Hello:
    """Read frames until a hello signs in; each refusal is answered and the connection stays."""
    while True:
        message = p.decode_client(await ws.recv())
        error = refusal(message)
        if error is None:
            assert isinstance(message, p.Hello)
            return message
        await ws.send(p.encode(error), text=True)


async def _stream(ws: ServerConnection) -> None:
    hello = await sign_in(ws)
    welcome = p.Welcome(
        p.PROTOCOL_VERSION, "blaster", "s", "blaster", 0.0, hello.kind, USER,
        name=NAME, roles=["dispatcher", "intake", "lead"], token=TOKEN, expires=12 * 3600.0,
    )  # fmt: skip
    await ws.send(p.encode(welcome), text=True)
    rng = np.random.default_rng(7)
    ids, lon, lat = fleet(rng)
    kinds = ("sanitation", "muck", "enforcement", "repair")
    vehicles = [
        p.Vehicle(ids[n], kinds[n % 4], f"苏A·{n:05d}", float(lon[n]), float(lat[n]), status="moving", ts=0.0)
        for n in range(VEHICLES)
    ]
    for topic, items in (("cases", []), ("alarms", []), ("sensors", []), ("vehicles", vehicles)):
        await ws.send(p.encode(p.Snapshot(topic, "bench", 0, items)), text=True)  # type: ignore[arg-type]
    seq = 0
    start = 0
    loop = asyncio.get_running_loop()
    sent_at = loop.time()
    while True:
        rows = np.arange(start, start + PER_FRAME) % VEHICLES
        start += PER_FRAME
        lon[rows] += rng.normal(0, 2e-5, PER_FRAME)
        lat[rows] += rng.normal(0, 2e-5, PER_FRAME)
        items = [
            p.Vehicle(
                ids[r],
                kinds[r % 4],
                "",
                float(lon[r]),
                float(lat[r]),
                speed=20.0,
                heading=90.0,
                status="moving",
                ts=float(seq),
                seq=seq + i + 1,
            )
            for i, r in enumerate(rows)
        ]
        frame = p.Delta("vehicles", "bench", seq + 1, seq + PER_FRAME, items)  # type: ignore[arg-type]
        seq += PER_FRAME
        await ws.send(p.encode(frame), text=True)
        if RATE:  # paced: PER_FRAME updates every PER_FRAME / RATE seconds, on the loop's clock
            sent_at += PER_FRAME / RATE
            await asyncio.sleep(max(0.0, sent_at - loop.time()))


async def main() -> None:
    async with serve(stream, "127.0.0.1", 0, max_size=p.MAX_FRAME_BYTES) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    RATE = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
