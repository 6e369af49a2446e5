"""A stand-in hub that streams vehicle deltas at a set rate, or as fast as a client reads them.

Run as a separate process so that producing frames does not share the
measured process's interpreter.  It speaks just enough of protocol v1: it
answers ``hello`` with ``welcome``, sends snapshots, then deltas with
contiguous sequence numbers (unpaced, TCP backpressure limits it).
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

VEHICLES = 10_000
PER_FRAME = 1_000
#: Updates per second to send (first argument); 0 sends as fast as the reader takes them.
RATE = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0


def fleet(rng: np.random.Generator) -> tuple[list[str], np.ndarray, np.ndarray]:
    west, south, east, north = demo().city.bounds
    lon = rng.uniform(west, east, VEHICLES)
    lat = rng.uniform(south, north, VEHICLES)
    return [f"V-{n:05d}" for n in range(VEHICLES)], lon, lat


async def stream(ws: ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed):  # the benchmark has its figures and hung up
        await _stream(ws)


async def _stream(ws: ServerConnection) -> None:
    hello = p.decode_client(await ws.recv())
    assert isinstance(hello, p.Hello)
    await ws.send(
        p.encode(p.Welcome(p.PROTOCOL_VERSION, "blaster", "s", "blaster", 0.0, hello.kind, hello.user)),
        text=True,
    )
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
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
