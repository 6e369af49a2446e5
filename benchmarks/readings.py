"""A producer of the demo city's sensor readings at a set rate, each stamped with the time it leaves.

    python benchmarks/readings.py URL USER PASSWORD RATE SECONDS

Run as its own process (benchmarks/event_to_pixels.py starts it) so that producing does not share
the measured console's interpreter.  It declares every sensor, then sends a batch every 10 ms;
each reading's ``ts`` is the moment its batch is encoded.  One sensor in twenty reads above its
alarm limit, so that the map has colours to change; the others read about their normal value.
It reads the hub's answers as they come and prints how many readings were accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from feeds import wire as p
from feeds.city import demo

BATCHES_PER_S = 100


async def _acks(ws: ClientConnection, accepted: list[int]) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for frame in ws:
            message = p.decode_server(frame)
            if isinstance(message, p.Ack):
                accepted[0] += message.accepted


async def produce(url: str, user: str, password: str, rate: float, seconds: float) -> int:
    city = demo().city
    sites, classes = city.sensors, city.sensor_classes
    ids = itertools.count()
    async with connect(url, max_size=p.MAX_FRAME_BYTES) as ws:
        await ws.send(p.encode(p.Hello(p.PROTOCOL_VERSION, "producer", user, password=password)), text=True)
        while not isinstance(p.decode_server(await ws.recv()), p.Welcome):
            pass
        accepted = [0]
        reader = asyncio.create_task(_acks(ws, accepted))
        declared = [p.SensorInfo(s.id, s.kind, s.name, s.lon, s.lat, classes[s.kind].unit) for s in sites]
        await ws.send(p.encode(p.Batch(f"d-{next(ids)}", declared)), text=True)  # type: ignore[arg-type]
        values = [
            min(classes[s.kind].alarm * 1.1 + 1.0, classes[s.kind].high)
            if n % 20 == 0
            else classes[s.kind].normal
            for n, s in enumerate(sites)
        ]
        per_batch = max(1, round(rate / BATCHES_PER_S))
        loop = asyncio.get_running_loop()
        due = started = loop.time()
        sensor = itertools.cycle(range(len(sites)))
        while loop.time() - started < seconds:
            due += 1 / BATCHES_PER_S
            await asyncio.sleep(max(0.0, due - loop.time()))
            now = time.time()
            batch = [p.Reading(sites[n].id, values[n], now) for n in itertools.islice(sensor, per_batch)]
            await ws.send(p.encode(p.Batch(f"r-{next(ids)}", batch)), text=True)  # type: ignore[arg-type]
        await asyncio.sleep(0.5)  # the last answers
        reader.cancel()
        return accepted[0]


if __name__ == "__main__":
    hub, login, secret, per_s, lasting = sys.argv[1:6]
    print(asyncio.run(produce(hub, login, secret, float(per_s), float(lasting))), flush=True)
