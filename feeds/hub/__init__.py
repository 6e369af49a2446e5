"""The hub: system of record and fan-out for every seat and the wall."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from feeds.city import demo_folder, open_folder
from feeds.hub.server import Hub
from feeds.hub.store import Store, default_url

log = logging.getLogger("hall.hub")


async def run_hub(
    host: str = "127.0.0.1",
    port: int = 8765,
    db_url: str | None = None,
    city: Path | None = None,
    on_ready: Callable[[str], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve ``city`` (a city folder; the demo city by default) until ``stop`` is set.

    ``on_ready`` gets the ws:// URL once listening.  An unusable city folder
    raises :class:`feeds.city.CityError` before anything listens."""
    folder = open_folder(city or demo_folder())
    for warning in folder.problems:
        log.warning("%s", warning)
    url = db_url or default_url()
    store = Store(url)
    hub = Hub(store, folder)
    server = await hub.serve(host, port)
    bound = server.sockets[0].getsockname()
    address = f"ws://{bound[0]}:{bound[1]}"
    log.info(
        "hub listening on %s, city %s (%s), database %s",
        address,
        folder.city.name,
        folder.city.content_hash[:12],
        store.engine.url.render_as_string(hide_password=True),
    )
    if on_ready:
        on_ready(address)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        server.close()
        await server.wait_closed()
        await hub.close()
