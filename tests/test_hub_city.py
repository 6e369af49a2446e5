"""The hub on a city of its own: it places every report in the city's areas, tells a
producer plainly what lies outside, checks readings against the city's sensor classes,
and serves the city itself to consoles by content hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from citykit import SOUTH, STEP, WEST, tiny_city, write
from websockets.asyncio.client import connect

from feeds import wire as p
from feeds.city import CityFolder, demo, from_bundle, open_folder
from tests.hubkit import PASSWORD, client, new_id, receive, request, running_hub

AT = 1_795_000_000.0


@pytest.fixture
def tiny(tmp_path: Path) -> CityFolder:
    return open_folder(write(tmp_path / "city", tiny_city()))


def report(n: int, lon: float, lat: float, category: str = "06010") -> p.Report:
    return p.Report(f"R-{n}", category, lon, lat, "inspector", AT, description="暴露垃圾")


async def first_case(url: str) -> p.Case:
    async with client(url, topics=["cases"]) as console:
        snapshot = await receive(console, lambda m: isinstance(m, p.Snapshot))
    (case,) = snapshot.items
    return case  # type: ignore[no-any-return]


async def test_a_report_is_placed_in_the_grid_community_street_and_district_of_the_city_served(
    sqlite_url: str, tiny: CityFolder
) -> None:
    async with running_hub(sqlite_url, city=tiny) as (_hub, url):
        async with client(url, "producer", "12319") as hotline:
            ack = await request(hotline, report(1, WEST + 3.5 * STEP, SOUTH + 0.25 * STEP))
        case = await first_case(url)
    assert ack.accepted == 1
    assert (case.district, case.street, case.community, case.grid) == (
        "330102",
        "330102001",
        "330102001002",
        "330102001002004",
    )


async def test_a_report_outside_the_city_is_refused_in_plain_words(sqlite_url: str, tiny: CityFolder) -> None:
    async with running_hub(sqlite_url, city=tiny) as (hub, url), client(url, "producer", "app") as app:
        far = await request(app, report(1, WEST + 5 * STEP, SOUTH + STEP))  # 1 km east of 下城区
        swapped = await request(app, report(2, SOUTH + STEP, WEST + STEP))  # latitude first: 120° N
    assert far.code == p.ErrorCode.OUTSIDE_CITY and far.id == "R-1"
    assert "outside 测试市" in far.message and "km from 下城区" in far.message
    assert swapped.code == p.ErrorCode.INVALID and swapped.id == "R-2" and "$.lat" in swapped.message
    assert hub.errors[p.ErrorCode.OUTSIDE_CITY] == 1


async def test_categories_and_sensor_classes_come_from_the_city(sqlite_url: str, tiny: CityFolder) -> None:
    inside = (WEST + 0.5 * STEP, SOUTH + 0.5 * STEP)
    async with running_hub(sqlite_url, city=tiny) as (_hub, url), client(url, "producer", "gw") as gateway:
        unknown = await request(gateway, report(1, *inside, category="99001"))
        declarations = p.Batch(
            new_id("b"),
            [
                p.SensorInfo("WL-01", "water_level", "积水点", *inside, "cm"),
                p.SensorInfo("WL-99", "water_level", "河对岸积水点", 121.5, 31.2, "cm"),
                p.SensorInfo("TIDE-1", "tide", "潮位", *inside, "m"),
            ],
        )
        await gateway.send(p.encode(declarations), text=True)
        no_tide = await receive(gateway, lambda m: isinstance(m, p.Error))
        declared = await receive(gateway, lambda m: isinstance(m, p.Ack) and m.id == declarations.id)
        readings = p.Batch(new_id("b"), [p.Reading("WL-01", 12.0, AT), p.Reading("WL-01", 900.0, AT + 1)])
        await gateway.send(p.encode(readings), text=True)
        refused = await receive(gateway, lambda m: isinstance(m, p.Error))
        ack = await receive(gateway, lambda m: isinstance(m, p.Ack) and m.id == readings.id)
    assert unknown.code == p.ErrorCode.UNKNOWN_CATEGORY
    assert no_tide.id == declarations.id and "unknown sensor class 'tide'" in no_tide.message
    assert (declared.accepted, declared.rejected) == (2, 1)
    assert declared.notes == ["sensor WL-99 at (121.5, 31.2) lies outside the city; kept as outside"]
    assert refused.code == p.ErrorCode.INVALID and "outside the physical range [0, 300] cm" in refused.message
    assert (ack.accepted, ack.rejected) == (1, 1)


async def test_a_console_fetches_the_city_by_the_hash_the_welcome_names(sqlite_url: str) -> None:
    folder = demo()
    async with running_hub(sqlite_url) as (_hub, url), client(url) as console:
        # a second hello is refused (the first one's welcome held the hash) …
        await console.send(
            p.encode(p.Hello(p.PROTOCOL_VERSION, "console", "lisi", password=PASSWORD)), text=True
        )
        again = await receive(console, lambda m: isinstance(m, p.Error))
        await console.send(p.encode(p.GetCity("city-1")), text=True)
        parts = [await receive(console, lambda m: isinstance(m, p.CityPart))]
        while len(parts) < parts[0].parts:
            parts.append(await receive(console, lambda m: isinstance(m, p.CityPart)))
    assert again.code == p.ErrorCode.INVALID and again.message == "already signed in"
    assert [part.part for part in parts] == list(range(len(parts))) and len(
        parts
    ) >= 2  # over 1 MiB: in parts
    assert all(len(p.encode(part)) < p.MAX_FRAME_BYTES for part in parts)
    data = "".join(part.data for part in parts).encode("utf-8")
    assert (
        data == folder.bundle
        and hashlib.sha256(data).hexdigest() == parts[0].hash == folder.city.content_hash
    )
    assert [g.code for g in from_bundle(data).grids] == [g.code for g in folder.city.grids]


async def test_the_welcome_names_the_city_and_its_hash(sqlite_url: str, tiny: CityFolder) -> None:
    async with running_hub(sqlite_url, city=tiny) as (_hub, url), connect(url) as ws:
        await ws.send(p.encode(p.Hello(p.PROTOCOL_VERSION, "wall", "wall", password=PASSWORD)), text=True)
        welcome = await receive(ws, lambda m: isinstance(m, p.Welcome))
    assert (welcome.city, welcome.city_hash) == ("测试市", tiny.city.content_hash)
    assert (welcome.user, welcome.name, welcome.roles) == ("wall", "大屏", ["wall"])


async def test_a_vehicle_knows_the_district_it_is_in(sqlite_url: str, tiny: CityFolder) -> None:
    async with running_hub(sqlite_url, city=tiny) as (_hub, url):
        async with client(url, "producer", "gw") as gps:
            fixes = [
                p.VehicleInfo("V-1", "muck", "浙A·00001"),
                p.VehicleInfo("V-2", "muck", "浙A·00002"),
                p.Fix("V-1", WEST + 0.5 * STEP, SOUTH + 0.5 * STEP, AT),
                p.Fix("V-2", WEST + 9 * STEP, SOUTH + 0.5 * STEP, AT),  # on the motorway, out of town
            ]
            ack = await request(gps, p.Batch(new_id("b"), fixes))
        async with client(url, topics=["vehicles"]) as console:
            snapshot = await receive(console, lambda m: isinstance(m, p.Snapshot))
    assert ack.accepted == 4
    assert {v.id: v.district for v in snapshot.items} == {"V-1": "330101", "V-2": ""}
