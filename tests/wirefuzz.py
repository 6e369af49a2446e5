"""A fuzzer for the wire: mutated client frames against a real hub, mutated server frames against the client.

Why: the hub promises (docs/protocol.md §9) that bad input never takes it down and never closes a
connection except as documented; the client promises to skip a frame it cannot decode.  Hand-written
tests pick the inputs their authors thought of; this drives both sides with many frames nobody picked.

- **Corpus** (grammar-aware): valid-shaped frames of every message type, drawn once by
  hypothesis-jsonschema from the msgspec schemas of ``ClientMessage`` and ``ServerMessage`` (plain, and
  narrowed to the demo city's codes, devices and cases so that frames also get past the semantic checks),
  seeded and cached on disk because drawing is slow.
- **Mutator**: a fast seeded byte- and structure-level mutator over that corpus (flips, splices, deep
  nesting, extreme numbers, wrong types, invalid UTF-8, lone surrogates, overlong strings, binary
  frames, now and then an oversize frame).
- **Hub**: several connections (some sign in as console, wall or producer with accounts of the test
  roster, ``tests/hubkit.py``; some never do, and sign-in is then fuzzed like any frame) send the
  frames, read every answer concurrently and keep at most ``WINDOW`` pings unanswered, so the hub's
  "too many unread answers" policy (1008) never applies.  A close other than 1009 after an oversize
  frame is a finding; triage
  replays the frames sent since the last answered ping one by one to name the culprit, then shrinks it.
- **Decoder**: mutated server frames go to ``decode_server`` (only ``ProtocolError`` may come out) and to
  ``ClientSession.receive`` (nothing may come out).

Run ``python tests/wirefuzz.py --help`` (``make fuzz`` runs a long one against a hub process);
``tests/test_fuzz.py`` runs a short one in ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
import math
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, get_args

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `python tests/wirefuzz.py`
    sys.path.insert(0, str(ROOT))

import msgspec  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import ConnectionClosed, InvalidHandshake  # noqa: E402
from websockets.frames import Frame as WsFrame  # noqa: E402
from websockets.frames import Opcode  # noqa: E402

from feeds import domain  # noqa: E402
from feeds import wire as p  # noqa: E402
from feeds.city import City, demo  # noqa: E402
from feeds.hub.store import Store  # noqa: E402
from feeds.wire.session import ClientSession  # noqa: E402
from tests.hubkit import PASSWORD, ROSTER, Mirror, seeded_accounts  # noqa: E402

# ---------------------------------------------------------------------------
# Corpus: valid-shaped frames drawn from the schemas

#: Devices and ids the city-aware frames use, so that readings meet declared sensors, fixes declared
#: vehicles and commands cases that exist (the hub numbers cases AJ0000001, AJ0000002, … on a fresh store).
SENSOR_IDS = [f"fz-s{n:02d}" for n in range(12)]
VEHICLE_IDS = [f"fz-v{n:02d}" for n in range(8)]
CASE_IDS = [f"AJ{n:07d}" for n in range(1, 41)]
REPORT_IDS = [f"fz-r{n:03d}" for n in range(400)]  # few, so that repeats are recognised, not new cases
PAST_TS = (1_700_000_000.0, 1_790_000_000.0)  # always behind the hub's clock
#: Logins of the test roster (every password is PASSWORD) and some that are no account at all.
LOGINS = [login for login, *_ in ROSTER] + ["fuzz", "nobody"]
PRIMED_CASES = 40
PROGRESS_EVERY_S = 10.0

#: How often each message type is picked, relative to 1: a city is megabytes and a resync a snapshot.
TYPE_WEIGHTS = {"get_city": 0.01, "resync": 0.3, "hello": 0.6}

CORPUS_VERSION = 2  # bump when the drawing changes, to leave old caches behind


def _components(union: Any) -> dict[str, Any]:
    (_,), components = msgspec.json.schema_components([union], ref_template="#/$defs/{name}")
    return components


def _tag(struct: Any) -> str:
    return str(struct.__struct_config__.tag)


def _small(defs: dict[str, Any]) -> dict[str, Any]:
    """Bound the collections so that drawing stays quick and frames small (mutation makes them big)."""
    defs = json.loads(json.dumps(defs))
    for definition in defs.values():
        for prop in definition.get("properties", {}).values():
            if prop.get("type") == "array":
                prop["maxItems"] = 6
            if prop.get("type") == "object":
                prop["maxProperties"] = 4
    return defs


def _city_aware(defs: dict[str, Any], city: City) -> dict[str, Any]:
    """The same messages narrowed to what the city and the primed hub know: these pass the semantics."""
    defs = json.loads(json.dumps(defs))
    lon0, lat0, lon1, lat1 = city.bounds
    lon = {"type": "number", "minimum": lon0 - 0.01, "maximum": lon1 + 0.01}
    lat = {"type": "number", "minimum": lat0 - 0.01, "maximum": lat1 + 0.01}
    ts = {"type": "number", "minimum": PAST_TS[0], "maximum": PAST_TS[1]}
    short = {"type": "string", "maxLength": 12}
    narrowed: dict[str, dict[str, Any]] = {
        "Hello": {
            "protocol": {"const": p.PROTOCOL_VERSION},
            "user": {"enum": LOGINS},
            "password": {"enum": [PASSWORD, "wrong-password"]},
            "token": short,
        },
        "Act": {
            "case_id": {"enum": CASE_IDS},
            "expected_version": {"type": "integer", "minimum": 1, "maximum": 4},
            "action": {"enum": sorted(city.workflow.actions)},
            "reason": short,
            "text": short,
            "department": {"enum": sorted(city.departments)},
            "deadline": {"type": "number", "minimum": PAST_TS[1], "maximum": 4_102_444_800.0},
            "inspector": {"enum": LOGINS},
            "target": {"enum": CASE_IDS},
        },
        "GetTimeline": {"case_id": {"enum": CASE_IDS}},
        "SensorInfo": {
            "id": {"enum": SENSOR_IDS},
            "kind": {"enum": sorted(city.sensor_classes)},
            "lon": lon,
            "lat": lat,
            "name": short,
        },
        "VehicleInfo": {"id": {"enum": VEHICLE_IDS}, "kind": {"enum": sorted(domain.VEHICLE_KINDS)}},
        "Reading": {"sensor_id": {"enum": SENSOR_IDS}, "ts": ts},
        "Fix": {
            "vehicle_id": {"enum": VEHICLE_IDS},
            "lon": lon,
            "lat": lat,
            "ts": ts,
            "status": {"enum": sorted(domain.VEHICLE_STATUSES)},
        },
        "Report": {
            "id": {"enum": REPORT_IDS},
            "category": {"enum": sorted(city.categories)},
            "source": {"enum": sorted(domain.SOURCES)},
            "lon": lon,
            "lat": lat,
            "ts": ts,
            "description": short,
            "reporter": short,
        },
    }
    low = min(c.low for c in city.sensor_classes.values())
    high = max(c.high for c in city.sensor_classes.values())
    narrowed["Reading"]["value"] = {"type": "number", "minimum": low, "maximum": high}
    for name, definition in defs.items():
        definition["additionalProperties"] = False
        definition.setdefault("properties", {}).update(narrowed.get(name, {}))
    return defs


def _draw(schema: dict[str, Any], count: int, seed: int) -> list[Any]:
    """``count`` examples of a JSON schema, the same ones for the same seed (no shrinking, no database)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis_jsonschema import from_schema

    drawn: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @hypothesis_seed(seed)
    @given(from_schema(schema))
    def collect(example: Any) -> None:
        drawn.append(example)

    collect()
    return drawn


@dataclass
class Corpus:
    """Valid-shaped frames by message type: what clients send, and what the hub sends."""

    client: dict[str, list[bytes]]
    server: dict[str, list[bytes]]

    def size(self) -> int:
        return sum(map(len, self.client.values())) + sum(map(len, self.server.values()))


def _plans(city: City, per_type: int) -> list[tuple[str, str, dict[str, Any], int]]:
    """(side, tag, schema, how many) for every message type, plain and city-aware."""
    plans: list[tuple[str, str, dict[str, Any], int]] = []
    client = _small(_components(p.ClientMessage))
    aware = _city_aware(client, city)
    for struct in get_args(p.ClientMessage):
        name, tag = struct.__name__, _tag(struct)
        plans.append(("client", tag, {"$ref": f"#/$defs/{name}", "$defs": client}, per_type))
        plans.append(("client", tag, {"$ref": f"#/$defs/{name}", "$defs": aware}, per_type))
    server = _small(_components(p.ServerMessage))
    for struct in get_args(p.ServerMessage):
        name, tag = struct.__name__, _tag(struct)
        plans.append(("server", tag, {"$ref": f"#/$defs/{name}", "$defs": server}, per_type))
    return plans


def build_corpus(
    per_type: int = 120, seed: int = 1, cache_dir: Path | None = None, say: Callable[[str], None] = print
) -> Corpus:
    """Draw (or load from ``cache_dir``) ``per_type`` frames of each message type and variant."""
    city = demo().city
    plans = _plans(city, per_type)
    versions = [metadata.version(d) for d in ("hypothesis", "hypothesis-jsonschema", "msgspec")]
    key = hashlib.sha256(json.dumps([CORPUS_VERSION, seed, versions, plans]).encode()).hexdigest()[:16]
    cached = cache_dir / f"corpus-{key}.json" if cache_dir else None
    if cached and cached.exists():
        stored = json.loads(cached.read_text(encoding="utf-8"))
        return Corpus(
            {t: [f.encode() for f in fs] for t, fs in stored["client"].items()},
            {t: [f.encode() for f in fs] for t, fs in stored["server"].items()},
        )
    started = time.perf_counter()
    sides: dict[str, dict[str, list[bytes]]] = {"client": {}, "server": {}}
    for side, tag, schema, count in plans:
        frames = sides[side].setdefault(tag, [])
        for example in _draw(schema, count, seed ^ zlib.crc32(json.dumps(schema).encode())):
            with contextlib.suppress(UnicodeEncodeError):  # a lone surrogate cannot go out as UTF-8
                frames.append(json.dumps(example, ensure_ascii=False).encode())
    corpus = Corpus(sides["client"], sides["server"])
    say(f"drew a corpus of {corpus.size()} frames in {time.perf_counter() - started:.1f} s")
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        text = {s: {t: [f.decode() for f in fs] for t, fs in d.items()} for s, d in sides.items()}
        cached.write_text(json.dumps(text, ensure_ascii=False), encoding="utf-8")
    return corpus


# ---------------------------------------------------------------------------
# Mutation


@dataclass(slots=True)
class Frame:
    """One WebSocket message to send: its bytes, text or binary, and the mutation that made it."""

    data: bytes
    text: bool = True
    how: str = "valid"
    oversize: bool = False

    @property
    def bad_text(self) -> bool:
        """A text frame that is not UTF-8: a WebSocket layer that checks closes it with 1007 (RFC 6455
        §8.1), as the client's does; the hub reads bytes and answers ``bad_json`` (protocol.md §2)."""
        if not self.text:
            return False
        try:
            self.data.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False


NUMBERS = [
    b"1e400",
    b"-1e400",
    b"1e-400",
    str(2**70).encode(),
    str(-(2**70)).encode(),
    b"-0",
    b"-0.0",
    b"0",
    b"1e308",
    b"-1e308",
    b"4.9e-324",
    b"1.7976931348623157e308",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551616",
    b"1" + b"0" * 400,
    b"0." + b"0" * 400 + b"1",
    b"1E+2147483648",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"01",
    b".5",
    b"5.",
    b"+1",
    b"0x10",
    b"1e",
    b"--1",
    b"2",
]
WRONG_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    2**70,
    -(2**70),
    "",
    "x",
    "2",
    "x" * 5000,
    [],
    [1, "a"],
    {},
    {"type": "ping"},
    "\x00",
    -0.0,
    1e308,
    [[[[[]]]]],
]
BAD_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b"\xe4\xb8",
    b"\x80",
    b"\xf4\x90\x80\x80",
    b"\xf8",
]
SURROGATES = ["\ud800", "\udfff", "\udc00\ud800", "a\ud83d", "\ud83d\u0041"]
INTERESTING_BYTES = b'\x00\xff\x7f\x80"\\{}[],:0-.eE \n'
LONG_LENGTHS = [17, 33, 63, 64, 65, 127, 128, 129, 999, 1000, 1001, 4096, 4097, 65_536, 1_000_000]
NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


class Pool:
    """Frames to mutate, picked by weight; each kept parsed too, for the structural mutations."""

    def __init__(self, frames: dict[str, list[bytes]], weights: dict[str, float] | None = None) -> None:
        self.frames: list[bytes] = []
        self.parsed: list[Any] = []
        cumulative: list[float] = []
        total = 0.0
        for tag, examples in sorted(frames.items()):
            if not examples:
                continue
            each = (weights or {}).get(tag, 1.0) / len(examples)
            for example in examples:
                self.frames.append(example)
                self.parsed.append(msgspec.json.decode(example))
                total += each
                cumulative.append(total)
        self.cumulative = cumulative

    def pick(self, rng: random.Random) -> int:
        return rng.choices(range(len(self.frames)), cum_weights=self.cumulative)[0]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a parsed frame (dict keys and list indexes), the root excluded."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from _paths(inner, (*prefix, index))


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _set(root: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        root = root[step]
    root[path[-1]] = value


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        root = root[step]
    return root


def _dump(value: Any, ascii_only: bool = False) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


class Mutator:
    """Seeded frames: a corpus frame, mutated (or now and then left valid), as bytes to send.

    Fast on purpose (plain ``random.Random``, no hypothesis): it must keep up with the socket."""

    def __init__(
        self, pool: Pool, rng: random.Random, oversize_every: int = 0, big: bool = True, heavy_every: int = 0
    ) -> None:
        self.pool = pool
        self.rng = rng
        self.oversize_every = oversize_every
        self.heavy_every = heavy_every  # one frame of HEAVY per N: each costs the hub seconds
        self.big = big  # whether frames of megabytes are fair (not for the decoder's quick run)
        self.count = 0
        self.operators: list[tuple[str, Callable[[int], Frame], float]] = [
            ("valid", self._valid, 14),
            ("bitflip", self._bitflip, 7),
            ("bytes", self._interesting_bytes, 5),
            ("truncate", self._truncate, 5),
            ("splice", self._splice, 5),
            ("dup_span", self._duplicate_span, 3),
            ("del_span", self._delete_span, 3),
            ("nest", self._nest, 1.5),
            ("number", self._number, 8),
            ("wrong_type", self._wrong_type, 10),
            ("drop_field", self._drop_field, 3),
            ("type", self._type, 4),
            ("dup_key", self._duplicate_key, 2),
            ("bad_utf8", self._bad_utf8, 2.5),
            ("long_string", self._long_string, 3),
            ("surrogate", self._surrogate, 3),
            ("null", self._null, 2),
            ("empty", self._empty, 1),
            ("not_object", self._not_object, 2),
            ("hello", self._hello, 1),
            ("big_batch", self._big_batch, 0.03 if big else 0),
        ]
        self.cumulative: list[float] = []
        total = 0.0
        for _, _, weight in self.operators:
            total += weight
            self.cumulative.append(total)

    def next(self) -> Frame:
        self.count += 1
        if self.oversize_every and self.count % self.oversize_every == 0:
            return self._oversize()
        if self.heavy_every and self.count % self.heavy_every == self.heavy_every // 2:
            return heavy(self.rng.choice(list(HEAVY)), self.rng.choice(HEAVY_SIZES))
        name, operator, _ = self.rng.choices(self.operators, cum_weights=self.cumulative)[0]
        frame = operator(self.pool.pick(self.rng))
        frame.how = name if frame.how == "valid" else f"{name}:{frame.how}"
        if frame.text and name != "bad_utf8" and self.rng.random() < 0.04:
            frame.text = False  # the same bytes as a binary frame
        return frame

    # -- byte level ----------------------------------------------------------

    def _valid(self, n: int) -> Frame:
        return Frame(self.pool.frames[n])

    def _bitflip(self, n: int) -> Frame:
        data = bytearray(self.pool.frames[n])
        for _ in range(self.rng.randint(1, 8)):
            i = self.rng.randrange(len(data))
            data[i] ^= 1 << self.rng.randrange(8)
        return Frame(bytes(data), text=self._is_utf8(data))

    def _interesting_bytes(self, n: int) -> Frame:
        data = bytearray(self.pool.frames[n])
        for _ in range(self.rng.randint(1, 4)):
            data[self.rng.randrange(len(data))] = self.rng.choice(INTERESTING_BYTES)
        return Frame(bytes(data), text=self._is_utf8(data))

    def _truncate(self, n: int) -> Frame:
        data = self.pool.frames[n]
        return Frame(data[: self.rng.randrange(len(data))])

    def _splice(self, n: int) -> Frame:
        a, b = self.pool.frames[n], self.pool.frames[self.pool.pick(self.rng)]
        data = a[: self.rng.randrange(len(a) + 1)] + b[self.rng.randrange(len(b) + 1) :]
        return Frame(data, text=self._is_utf8(data))

    def _span(self, data: bytes) -> tuple[int, int]:
        start = self.rng.randrange(len(data))
        return start, min(len(data), start + self.rng.randint(1, 32))

    def _duplicate_span(self, n: int) -> Frame:
        data = self.pool.frames[n]
        start, end = self._span(data)
        times = self.rng.choice([1, 2, 10, 1000])
        spot = self.rng.randrange(len(data) + 1)
        out = data[:spot] + data[start:end] * times + data[spot:]
        return Frame(out, text=self._is_utf8(out))

    def _delete_span(self, n: int) -> Frame:
        data = self.pool.frames[n]
        start, end = self._span(data)
        out = data[:start] + data[end:]
        return Frame(out, text=self._is_utf8(out))

    def _nest(self, n: int) -> Frame:
        depth = int(math.exp(self.rng.uniform(math.log(1000), math.log(100_000))))
        data = self.pool.frames[n]
        choice = self.rng.randrange(5)
        if choice == 0:
            out, how = b"[" * depth, "open"
        elif choice == 1:
            out, how = b"[" * depth + b"]" * depth, "balanced"
        elif choice == 2:
            out, how = b'{"a":' * depth + b"1" + b"}" * depth, "objects"
        elif choice == 3:  # as the value of a field of a real frame
            colon = data.find(b":")
            out, how = data[: colon + 1] + b"[" * depth + b"]" * depth + b"," + data[colon + 1 :], "in-field"
        else:
            out = b'{"type":"batch","id":"n","items":' + b"[" * depth + b"]" * depth + b"}"
            how = "in-batch"
        return Frame(out, how=f"{how}×{depth}")

    def _number(self, n: int) -> Frame:
        data = self.pool.frames[n]
        found = list(NUMBER.finditer(data))
        if not found:
            return self._wrong_type(n)
        match = self.rng.choice(found)
        number = self.rng.choice(NUMBERS)
        return Frame(data[: match.start()] + number + data[match.end() :], how=number.decode()[:24])

    def _bad_utf8(self, n: int) -> Frame:
        data = self.pool.frames[n]
        quote = data.find(b'"', self.rng.randrange(len(data)))
        spot = quote + 1 if quote >= 0 else self.rng.randrange(len(data) + 1)
        bad = self.rng.choice(BAD_UTF8)
        # Text or binary: either way the hub must answer bad_json and keep the connection (protocol.md §2).
        return Frame(data[:spot] + bad + data[spot:], text=self.rng.random() < 0.5, how=bad.hex())

    def _empty(self, n: int) -> Frame:
        return Frame(self.rng.choice([b"", b" ", b"\n", b" \t\r\n" * self.rng.randint(1, 1000)]))

    def _not_object(self, n: int) -> Frame:
        data = self.pool.frames[n]
        forms = [
            (b"[" + data + b"]", "in-array"),
            (data + data, "twice"),
            (b"\xef\xbb\xbf" + data, "bom"),
            (data + b" trailing", "trailing"),
            (b"/*c*/" + data, "comment"),
            (data.replace(b'"', b"'"), "single-quotes"),
            (self.rng.choice([b"null", b"true", b"42", b'"hello"', b"{}", b"[]", b"-0", b"1e400"]), "scalar"),
            (b'{"type":"ping"', "unclosed"),
        ]
        out, how = self.rng.choice(forms)
        return Frame(out, how=how)

    def _oversize(self) -> Frame:
        pad = p.MAX_FRAME_BYTES + self.rng.randint(1, 4096)
        return Frame(b'{"type":"ping","id":"' + b"x" * pad + b'"}', how="oversize", oversize=True)

    # -- structure level (on the parsed corpus frame) --------------------------

    def _structural(self, n: int, change: Callable[[Any], str | None], ascii_only: bool = False) -> Frame:
        value = _copy(self.pool.parsed[n])
        how = change(value)
        if how is None:
            return self._bitflip(n)
        return Frame(_dump(value, ascii_only), how=how)

    def _some_path(self, value: Any, leaves_of: type | None = None) -> tuple[Any, ...] | None:
        paths = [
            path for path in _paths(value) if leaves_of is None or isinstance(_get(value, path), leaves_of)
        ]
        return self.rng.choice(paths) if paths else None

    def _wrong_type(self, n: int) -> Frame:
        def change(value: Any) -> str | None:
            path = self._some_path(value)
            if path is None:
                return None
            wrong = self.rng.choice(WRONG_VALUES)
            _set(value, path, _copy(wrong))
            return f"{'.'.join(map(str, path))}={json.dumps(wrong)[:16]}"

        return self._structural(n, change)

    def _drop_field(self, n: int) -> Frame:
        def change(value: Any) -> str | None:
            paths = [path for path in _paths(value) if isinstance(path[-1], str)]
            if not paths:
                return None
            path = self.rng.choice(paths)
            del _get(value, path[:-1])[path[-1]]
            return ".".join(map(str, path))

        return self._structural(n, change)

    def _type(self, n: int) -> Frame:
        def change(value: Any) -> str | None:
            if not isinstance(value, dict):
                return None
            choice = self.rng.randrange(4)
            if choice == 0:
                value.pop("type", None)
                return "missing"
            if choice == 1:
                value["type"] = self.rng.choice(WRONG_VALUES)
                return f"type={json.dumps(value['type'])[:16]}"
            if choice == 2:  # another known type: the fields of one message under the name of another
                value["type"] = _tag(self.rng.choice(get_args(p.ClientMessage) + get_args(p.ServerMessage)))
                return f"confused:{value['type']}"
            value["type"] = self.rng.choice(["HELLO", "hello ", "pingx", "act\x00", "x" * 300, "batches"])
            return f"unknown:{value['type'][:12]!r}"

        return self._structural(n, change)

    def _duplicate_key(self, n: int) -> Frame:
        data = self.pool.frames[n]
        if not data.startswith(b"{"):
            return self._bitflip(n)
        tag = _tag(self.rng.choice(get_args(p.ClientMessage)))
        first = self.rng.choice([f'"type":"{tag}",', '"id":"dup",', '"type":1,', '"items":[],'])
        return Frame(b"{" + first.encode() + data[1:], how=first[:-1])

    def _long_string(self, n: int) -> Frame:
        def change(value: Any) -> str | None:
            path = self._some_path(value, str)
            if path is None:
                return None
            length = self.rng.choice(LONG_LENGTHS if self.big else LONG_LENGTHS[:-2])
            unit = self.rng.choice(["x", "测", "\U0001f600", "\\", '"'])
            _set(value, path, unit * length)
            return f"{'.'.join(map(str, path))}={unit!r}×{length}"

        return self._structural(n, change)

    def _surrogate(self, n: int) -> Frame:
        def change(value: Any) -> str | None:
            path = self._some_path(value, str)
            if path is None:
                return None
            bad = self.rng.choice(SURROGATES)
            _set(value, path, _get(value, path) + bad)
            return f"{'.'.join(map(str, path))}+{bad.encode('unicode_escape').decode()}"

        return self._structural(n, change, ascii_only=True)  # the surrogate goes out as a \u escape

    def _null(self, n: int) -> Frame:
        if self.rng.random() < 0.5:
            data = self.pool.frames[n]
            spot = self.rng.randrange(len(data) + 1)
            return Frame(data[:spot] + b"\x00" + data[spot:], how="raw")

        def change(value: Any) -> str | None:
            path = self._some_path(value, str)
            if path is None:
                return None
            _set(value, path, _get(value, path) + "\x00")
            return f"{'.'.join(map(str, path))}+\\u0000"

        return self._structural(n, change)

    def _hello(self, n: int) -> Frame:
        rng = self.rng
        version = p.PROTOCOL_VERSION
        hello: dict[str, Any] = {
            "type": "hello",
            "protocol": rng.choice(
                [version] * 4 + [1, version - 1, version + 1, 0, -1, 2**70, str(version), True]
            ),
            "kind": rng.choice(["console", "wall", "producer", "admin", "", None]),
            "user": rng.choice([*LOGINS, "", "u" * 65, "张三"]),
        }
        if rng.random() < 0.8:  # right for a roster login, or wrong (which locks it out after a few)
            hello["password"] = rng.choice([PASSWORD] * 3 + ["", "wrong", "x" * 257, None, 8])
        if rng.random() < 0.3:
            hello["token"] = rng.choice(["", "forged-token", "x" * 4097, None, 0])
        if rng.random() < 0.5:
            hello["topics"] = rng.choice(
                [[], ["cases", "cases"], ["nope"], list(p.TOPICS) * 300, "cases", [None]]
            )
        if rng.random() < 0.5:
            seq = rng.choice([2**70, -(2**70), -1, 0, 10**6, 1.5])
            stream = rng.choice(["", "s", "x" * 65, None])
            topic = rng.choice([*p.TOPICS, "nope"])
            hello["resume"] = rng.choice(
                [{topic: {"stream": stream, "seq": seq}}, {topic: None}, [], {topic: {"seq": seq}}]
            )
        return Frame(_dump(hello), how=f"{hello['protocol']!r}/{hello['kind']}")

    def _big_batch(self, n: int) -> Frame:
        count = self.rng.choice([p.MAX_BATCH_ITEMS, p.MAX_BATCH_ITEMS + 1, 60_000])
        item = b'{"type":"reading","sensor_id":"%s","value":1.0,"ts":1700000000}' % SENSOR_IDS[0].encode()
        data = b'{"type":"batch","id":"big","items":[' + b",".join([item] * count) + b"]}"
        return Frame(data, how=f"{count} items")

    @staticmethod
    def _is_utf8(data: bytes | bytearray) -> bool:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True


#: Frames near the size limit made to be expensive to refuse: (head, repeated unit, tail).
HEAVY: dict[str, tuple[bytes, bytes, bytes]] = {
    "[": (b"", b"[", b""),
    "commas": (b"[", b",", b"]"),
    "items {}": (b'{"type":"batch","id":"heavy","items":[', b"{},", b"{}]}"),
    "items 1e400": (b'{"type":"batch","id":"heavy","items":[', b"1e400,", b"1]}"),
    "items null": (b'{"type":"batch","id":"heavy","items":[', b"null,", b"null]}"),
    "bad readings": (
        b'{"type":"batch","id":"heavy","items":[',
        b'{"type":"reading","sensor_id":"fz-s00","value":1e400,"ts":1},',
        b"{}]}",
    ),
    "escapes": (b'{"type":"ping","id":"', b"\\u0000", b'"}'),
}
HEAVY_SIZES = [256 * 1024, 1024 * 1024, p.MAX_FRAME_BYTES - 1024]


def heavy(kind: str, size: int) -> Frame:
    """A frame of ``size`` bytes of the ``kind`` of :data:`HEAVY`."""
    head, unit, tail = HEAVY[kind]
    count = (size - len(head) - len(tail)) // len(unit)
    return Frame(head + unit * count + tail, how=f"heavy:{kind}×{count}")


# ---------------------------------------------------------------------------
# Showing a frame so that it can be reproduced


_RUN = re.compile(rb"(.{1,8}?)\1{11,}", re.S)


def show(data: bytes, limit: int = 700) -> str:
    """A Python expression that evaluates to ``data``: runs written as ``b'[' * 31337``."""
    pieces: list[str] = []
    at = 0
    for match in _RUN.finditer(data):
        if match.start() > at:
            pieces.append(repr(data[at : match.start()]))
        unit = match.group(1)
        pieces.append(f"{unit!r} * {(match.end() - match.start()) // len(unit)}")
        at = match.end()
    if at < len(data) or not pieces:
        pieces.append(repr(data[at:]))
    text = " + ".join(pieces)
    if len(text) > limit:
        text = text[: limit // 2] + f" … [{len(data)} bytes; see the saved file] … " + text[-limit // 4 :]
    return text


def describe(frame: Frame, limit: int = 700) -> str:
    kind = "text" if frame.text else "binary"
    return f"[{frame.how}; {kind} frame of {len(frame.data)} bytes] {show(frame.data, limit)}"


# ---------------------------------------------------------------------------
# The hub over real sockets

SYNC_PREFIX = "~sync-"
SLOW_S = 1.0  # a ping answered later than this is reported, with the big frames in flight
SYNC_EVERY = 8  # frames between the fuzzer's own pings
WINDOW = 4  # pings unanswered at most: at most WINDOW × SYNC_EVERY frames' answers unread
ANSWER_TIMEOUT_S = 30.0  # a ping not answered by then is a stall (a finding)
ROLES: list[str | None] = ["producer", "console", None, "wall", "producer", None, "console", "producer"]
#: The roster account each kind of link signs in as (a desk login: its commands pass the role checks).
ACCOUNTS = {"producer": "producer", "console": "zhangsan", "wall": "wall"}
CLOSE_GRACE_S = 0.25  # after the hub's close frame, how long the closing handshake may take before we cut


def transport_gone(error: AttributeError) -> bool:
    """CPython 3.11's asyncio: ``abort()`` of a socket transport that closed after flushing its buffer
    raises AttributeError ('NoneType' … 'call_soon'); websockets calls it when a send meets a closing
    connection.  The connection is over, which is all the fuzzer needs to know."""
    return "call_soon" in str(error)


class WatchedConnection(ClientConnection):
    """A client connection that tells the moment the hub's close frame arrives.

    ``recv`` raises only once TCP is closed, and a hub that stopped reading (its handler gone, its read
    queue full) never reads our close reply: it closes TCP only at its close timeout, 10 s later."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.close_seen = asyncio.Event()

    def process_event(self, event: Any) -> None:
        super().process_event(event)
        if isinstance(event, WsFrame) and event.opcode is Opcode.CLOSE:
            self.close_seen.set()


@dataclass
class Loss:
    """A connection the hub ended other than as documented: a finding."""

    connection: int
    role: str | None
    code: int  # the close code the hub sent; 1006 when it sent none
    reason: str
    frames: list[Frame]  # sent since the last answered ping, oldest first: the culprit is among them
    culprit: Frame | None = None  # after triage: the frame that closes it
    alone: str = ""  # after triage: what the culprit does alone on a fresh connection
    minimal: Frame | None = None  # after triage: the shortest frame found that still does it

    def kind(self) -> str:
        """The mutation that made the culprit (``surrogate``, ``nest`` …), to group findings by."""
        return self.culprit.how.split(":")[0] if self.culprit else "?"


@dataclass
class HubReport:
    frames: int = 0
    bytes: int = 0
    answers: Counter[str] = field(default_factory=Counter)  # by type; errors as error:<code>
    data: Counter[str] = field(default_factory=Counter)  # snapshot, delta, heartbeat frames received
    closes: Counter[str] = field(default_factory=Counter)  # how connections ended
    connections: int = 0
    losses: list[Loss] = field(default_factory=list)
    lost_more: int = 0  # losses past those kept with their frames
    stalls: list[str] = field(default_factory=list)
    bad_answers: Counter[str] = field(default_factory=Counter)  # hub frames the client cannot decode
    suspicious: list[str] = field(default_factory=list)  # answers the fuzzer did not expect at all
    hub_log: Counter[str] = field(default_factory=Counter)  # errors the hub logged, by exception
    alive: bool = False
    ping_s: float | None = None
    seconds: float = 0.0
    accepted: int = 0  # items producers had acknowledged as stored
    round_trips: list[float] = field(default_factory=list)  # of the fuzzer's pings, in seconds
    slow: list[tuple[float, float, str]] = field(
        default_factory=list
    )  # (seconds, sent at, what): over SLOW_S
    #: closes whose handshake the hub left unfinished (TCP still open after CLOSE_GRACE_S), by close code
    unfinished_closes: Counter[int] = field(default_factory=Counter)

    @property
    def per_second(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0

    def findings(self) -> list[str]:
        """Every finding, one paragraph each, with a frame that reproduces it."""
        found: list[str] = []
        by_close: dict[tuple[int, str], list[Loss]] = {}
        for loss in self.losses:
            by_close.setdefault((loss.code, loss.reason), []).append(loss)
        for (code, reason), losses in by_close.items():
            roles = ", ".join(sorted({str(loss.role) for loss in losses}))
            lines = [f"{len(losses)} connection(s) closed by the hub with {code} {reason!r} (roles {roles})"]
            by_kind: dict[str, list[Loss]] = {}
            for loss in losses:
                if loss.culprit is not None:
                    by_kind.setdefault(loss.kind(), []).append(loss)
            for kind, pinned in sorted(by_kind.items(), key=lambda item: -len(item[1])):
                best = min(pinned, key=lambda loss: len((loss.minimal or loss.culprit or Frame(b"")).data))
                assert best.culprit is not None
                line = f"  - {len(pinned)} pinned on a {kind!r} frame, e.g. {describe(best.culprit)}"
                line += f"; alone on a fresh connection it {best.alone}"
                if best.minimal is not None and best.minimal.data != best.culprit.data:
                    line += f"; shortest frame that still does it: {describe(best.minimal)}"
                lines.append(line)
            unpinned = [loss for loss in losses if loss.culprit is None]
            if unpinned and not by_kind:
                frames = "; ".join(describe(f, 300) for f in unpinned[0].frames[-3:]) or "none"
                lines.append(f"  - culprit not pinned; last frames before the close: {frames}")
            elif unpinned:
                lines.append(f"  - {len(unpinned)} more not replayed")
            found.append("\n".join(lines))
        if self.lost_more:
            found.append(f"{self.lost_more} more connection(s) lost the same ways (not kept)")
        found += [f"stall: {s}" for s in self.stalls]
        found += [
            f"the hub sent a frame the client cannot decode: {k} × {n}" for k, n in self.bad_answers.items()
        ]
        found += self.suspicious
        if not self.alive:
            found.append("the hub does not answer a ping at the end")
        return found

    def observations(self) -> list[str]:
        """What is not a broken promise but worth a look: stalls, closes left hanging."""
        seen = [f"the hub answered a ping after {s:.1f} s; {what}" for s, _, what in self.slow]
        if self.unfinished_closes:
            listed = ", ".join(f"{n:,} × {code}" for code, n in sorted(self.unfinished_closes.items()))
            seen.append(
                f"closes the hub left hanging (TCP open {CLOSE_GRACE_S} s after its close frame): {listed}"
            )
        return seen

    def summary(self) -> str:
        lines = [
            f"frames sent: {self.frames:,} ({self.bytes / 1e6:,.1f} MB) in {self.seconds:.1f} s "
            f"= {self.per_second:,.0f} frames/s over {self.connections:,} connections",
            "answers: " + ", ".join(f"{k} {n:,}" for k, n in self.answers.most_common()),
            "data frames: " + (", ".join(f"{k} {n:,}" for k, n in self.data.most_common()) or "none"),
            "connections ended: " + ", ".join(f"{k} {n:,}" for k, n in self.closes.most_common()),
            f"items acknowledged as stored: {self.accepted:,}",
            f"closes the hub left unfinished (TCP open {CLOSE_GRACE_S} s after its close frame): "
            + (", ".join(f"{n:,} × {code}" for code, n in sorted(self.unfinished_closes.items())) or "none"),
            f"hub answers a ping at the end: {'yes' if self.alive else 'NO'}"
            + (f" ({self.ping_s * 1000:.1f} ms)" if self.ping_s is not None else ""),
        ]
        if self.round_trips:
            trips = sorted(self.round_trips)

            def at(share: float) -> float:
                return trips[min(len(trips) - 1, int(share * len(trips)))] * 1000

            lines.append(
                f"ping round trips: {len(trips):,}; median {at(0.5):.1f} ms, p99 {at(0.99):.1f} ms, "
                f"max {trips[-1] * 1000:,.0f} ms; over {SLOW_S:.0f} s: {sum(t >= SLOW_S for t in trips):,}"
            )
        if self.hub_log:
            lines.append("hub logged: " + "; ".join(f"{k} × {n:,}" for k, n in self.hub_log.most_common(12)))
        return "\n".join(lines)


class _Session:
    """What one WebSocket connection of a link has seen; thrown away at reconnect."""

    def __init__(self) -> None:
        self.unconfirmed: deque[tuple[int, Frame]] = deque()  # (number, frame) since the last answered sync
        self.syncs: dict[
            str, tuple[int, float]
        ] = {}  # sync id → (number of the last frame before it, sent at)
        self.progress = asyncio.Event()
        self.welcomed = asyncio.Event()
        self.kind: str | None = None
        self.oversize_sent = False
        self.closing = False  # we are closing it
        self.stalled = False  # we gave up on it: a ping went unanswered (reported as a stall)
        self.closed: ConnectionClosed | None = None
        self.over = False  # the reader has seen the end
        self.sent = 0

    def ended(self, ws: WatchedConnection) -> bool:
        return self.over or ws.close_seen.is_set()

    @staticmethod
    def code(ws: WatchedConnection) -> int:
        """The close code the hub sent, 1006 if none."""
        return ws.protocol.close_rcvd.code if ws.protocol.close_rcvd else 1006


class HubFuzzer:
    """Drives ``connections`` links against the hub at ``url``; see :func:`fuzz_hub`."""

    def __init__(
        self,
        url: str,
        corpus: Corpus,
        frames: int,
        seed: int,
        connections: int,
        seconds: float | None,
        oversize_every: int,
        keep_losses: int,
        progress: Callable[[HubReport], None] | None,
        heavy_every: int = 0,
    ) -> None:
        self.url = url
        self.pool = Pool(corpus.client, TYPE_WEIGHTS)
        self.frames = frames
        self.seed = seed
        self.count = connections
        self.deadline = time.monotonic() + seconds if seconds else math.inf
        self.oversize_every = oversize_every
        self.heavy_every = heavy_every
        self.keep_losses = keep_losses
        self.progress = progress
        self.report = HubReport()
        self._syncs = 0
        self._progress_at = time.monotonic() + PROGRESS_EVERY_S
        self._big: deque[tuple[float, Frame]] = deque(maxlen=64)  # (sent at, frame) of the big frames

    def _over(self) -> bool:
        return time.monotonic() >= self.deadline

    async def run(self) -> HubReport:
        started = time.monotonic()
        shares = [self.frames // self.count + (i < self.frames % self.count) for i in range(self.count)]
        await asyncio.gather(*(self._link(i, share) for i, share in enumerate(shares)))
        self.report.seconds = time.monotonic() - started
        return self.report

    def _tell_progress(self) -> None:
        """Every PROGRESS_EVERY_S, as frames go out: no timer of its own."""
        now = time.monotonic()
        if self.progress and now >= self._progress_at:
            self._progress_at = now + PROGRESS_EVERY_S
            self.progress(self.report)

    async def _link(self, index: int, share: int) -> None:
        """One client that keeps reconnecting until it has sent its share of frames."""
        role = ROLES[index % len(ROLES)]
        rng = random.Random(f"{self.seed}/{index}")
        mutator = Mutator(self.pool, rng, self.oversize_every, heavy_every=self.heavy_every)
        failures = 0
        while share > 0 and not self._over():
            try:
                sent = await self._connection(index, role, mutator, share)
                failures = 0
            except (OSError, InvalidHandshake, TimeoutError) as error:
                failures += 1
                self.report.closes[f"connect failed: {type(error).__name__}"] += 1
                if failures >= 5:
                    return
                continue
            share -= sent

    async def _connection(self, index: int, role: str | None, mutator: Mutator, share: int) -> int:
        compression = "deflate" if index == 1 else None  # one link goes through permessage-deflate
        state = _Session()
        try:
            async with connect(
                self.url,
                max_size=p.MAX_FRAME_BYTES,
                compression=compression,
                ping_interval=None,
                close_timeout=CLOSE_GRACE_S,
                create_connection=WatchedConnection,
            ) as ws:
                assert isinstance(ws, WatchedConnection)
                self.report.connections += 1
                await self._through(ws, state, self._fuzz(ws, state, index, role, mutator, share))
        except AttributeError as error:
            if not transport_gone(error):
                raise
        self._ended(index, role, state)
        return state.sent

    async def _through(
        self, ws: WatchedConnection, state: _Session, fuzzing: Coroutine[Any, Any, None]
    ) -> None:
        """Fuzz one connection until its share is sent or the hub closes it; read all the while."""
        reader = asyncio.create_task(self._read(ws, state))
        try:
            await fuzzing
        except ConnectionClosed:
            pass
        except AttributeError as error:
            if not transport_gone(error):
                raise
        finally:
            grace = CLOSE_GRACE_S if state.ended(ws) or state.closing or state.stalled else ANSWER_TIMEOUT_S
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(reader), grace)
            if not reader.done():  # the closing handshake did not finish: we know the code, cut
                self.report.unfinished_closes[state.code(ws)] += 1
                if not ws.transport.is_closing():
                    ws.transport.abort()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(reader), CLOSE_GRACE_S)
            reader.cancel()

    async def _fuzz(
        self,
        ws: WatchedConnection,
        state: _Session,
        index: int,
        role: str | None,
        mutator: Mutator,
        share: int,
    ) -> None:
        if role is not None:
            await ws.send(hello_frame(self.url, role), text=True)
            await asyncio.wait_for(state.welcomed.wait(), ANSWER_TIMEOUT_S)
        since_sync = 0
        while state.sent < share and not self._over() and not state.ended(ws):
            frame = mutator.next()
            number = state.sent
            state.unconfirmed.append((number, frame))
            state.oversize_sent |= frame.oversize
            if len(frame.data) >= 256 * 1024:
                self._big.append((time.monotonic(), frame))
            await ws.send(frame.data, text=frame.text)
            state.sent += 1
            self.report.frames += 1
            self.report.bytes += len(frame.data)
            self._tell_progress()
            since_sync += 1
            if frame.oversize:  # the hub must close now, with 1009: see that it does
                await ws.send(self._sync(state, number), text=True)
                await self._drain(ws, state, index, 0)
                if not state.ended(ws):
                    self.report.suspicious.append(f"link {index}: still open after {describe(frame, 200)}")
                break
            if since_sync >= SYNC_EVERY:
                since_sync = 0
                await ws.send(self._sync(state, number), text=True)
                await self._drain(ws, state, index, WINDOW)
                if role is None and state.kind is not None:
                    break  # a fuzzed hello was welcomed: start again, so this link stays one before hello
        if not state.ended(ws):  # let the last frames be answered, then close
            await ws.send(self._sync(state, state.sent - 1), text=True)
            await self._drain(ws, state, index, 0)
            state.closing = True
            await ws.close()

    def _sync(self, state: _Session, last: int) -> bytes:
        self._syncs += 1
        sync_id = f"{SYNC_PREFIX}{self._syncs}"
        state.syncs[sync_id] = (last, time.monotonic())
        return p.encode(p.Ping(sync_id))

    async def _drain(self, ws: WatchedConnection, state: _Session, index: int, window: int) -> None:
        """Wait until at most ``window`` syncs are unanswered (or the hub closes the connection)."""
        while len(state.syncs) > window and not state.ended(ws):
            state.progress.clear()
            waits = [
                asyncio.ensure_future(state.progress.wait()),
                asyncio.ensure_future(ws.close_seen.wait()),
            ]
            done, pending = await asyncio.wait(waits, timeout=ANSWER_TIMEOUT_S, return_when="FIRST_COMPLETED")
            for waiting in pending:
                waiting.cancel()
            if not done:
                frames = "; ".join(describe(f, 200) for _, f in list(state.unconfirmed)[-3:])
                self.report.stalls.append(
                    f"link {index}: no answer to a ping for {ANSWER_TIMEOUT_S:.0f} s; last frames: {frames}"
                )
                state.stalled = True
                raise ConnectionClosed(None, None) from None

    async def _read(self, ws: ClientConnection, state: _Session) -> None:
        try:
            while True:
                self._answer(await ws.recv(decode=False), state)
        except ConnectionClosed as closed:
            state.closed = closed
        finally:
            state.over = True
            state.progress.set()

    def _answer(self, data: bytes, state: _Session) -> None:
        try:
            message = p.decode_server(data)
        except p.ProtocolError as error:
            self.report.bad_answers[f"{error.code}: {error.message[:80]} ({show(data[:120])})"] += 1
            return
        if isinstance(message, (p.Pong, p.Error)) and message.id and message.id.startswith(SYNC_PREFIX):
            sync = state.syncs.pop(message.id, None)
            if sync is not None:
                last, sent_at = sync
                self._round_trip(time.monotonic() - sent_at, sent_at)
                while state.unconfirmed and state.unconfirmed[0][0] <= last:
                    state.unconfirmed.popleft()
                state.progress.set()
                return
        tag = _tag(type(message))
        if isinstance(message, (p.Snapshot, p.Delta, p.Heartbeat)):
            self.report.data[tag] += 1
            return
        if isinstance(message, p.Error):
            tag = f"error:{message.code}"
            if message.code not in KNOWN_CODES:
                self.report.suspicious.append(f"an error with an undocumented code: {show(data[:300])}")
            elif message.code == p.ErrorCode.STORAGE:
                self.report.suspicious.append(
                    f"storage_error (the database refused what the hub accepted): {show(data[:300])}; "
                    f"recent frames: {'; '.join(describe(f, 300) for _, f in list(state.unconfirmed)[-4:])}"
                )
        elif isinstance(message, p.Welcome):
            state.kind = message.kind
            state.welcomed.set()
        elif isinstance(message, p.Ack):
            self.report.accepted += message.accepted
        self.report.answers[tag] += 1

    def _round_trip(self, seconds: float, sent_at: float) -> None:
        """Keep the ping's round trip; a slow one names the big frames that were in flight meanwhile."""
        self.report.round_trips.append(seconds)
        if seconds < SLOW_S:
            return
        same = [n for n, (_, at, _) in enumerate(self.report.slow) if abs(at - sent_at) < seconds]
        if same and self.report.slow[same[0]][0] >= seconds:
            return  # the same stall, seen from another link
        around = [frame for at, frame in self._big if sent_at - 2 * seconds <= at <= sent_at + seconds]
        big = ", ".join(f"{f.how} ({len(f.data):,} bytes)" for f in around[-4:]) or "none over 256 KiB"
        kept = [entry for n, entry in enumerate(self.report.slow) if n not in same]
        kept.append((seconds, sent_at, f"big frames sent around then: {big}"))
        self.report.slow = sorted(kept, reverse=True)[:10]

    def _ended(self, index: int, role: str | None, state: _Session) -> None:
        """Tell how the connection ended; a close the protocol does not document is a finding."""
        closed = state.closed
        if state.stalled:
            self.report.closes["abandoned after a stall"] += 1
            return
        if closed is None:
            self.report.closes["ended by the fuzzer (no close seen)"] += 1
            return
        by_hub = closed.rcvd is not None and (closed.sent is None or bool(closed.rcvd_then_sent))
        if closed.rcvd is None and closed.sent is None:
            code, reason = 1006, "no close frame (connection dropped)"
        elif by_hub:
            assert closed.rcvd is not None
            code, reason = closed.rcvd.code, closed.rcvd.reason
        else:
            assert closed.sent is not None
            if state.closing and closed.sent.code == 1000:
                self.report.closes["closed by the fuzzer"] += 1
                return
            # The client failed the connection: the hub sent something it must refuse (too big, bad UTF-8).
            code, reason = closed.sent.code, f"client closed: {closed.sent.reason}"
        expected = code == 1009 and state.oversize_sent
        self.report.closes[
            f"{code} {EXPECTED_CLOSES[code]}" if expected else f"{code} {reason!r} (finding)"
        ] += 1
        if expected:
            return
        if len(self.report.losses) < self.keep_losses:
            frames = [frame for _, frame in state.unconfirmed]
            self.report.losses.append(Loss(index, state.kind or role, code, reason, frames))
        else:
            self.report.lost_more += 1


KNOWN_CODES = frozenset(v for k, v in vars(p.ErrorCode).items() if k.isupper())

#: The session token of each kind of link, per hub URL: the fuzzer signs each account in once and
#: resumes with the token after, so fuzzed hellos that lock a roster account out (wrong passwords)
#: never lock the fuzzer's own links out with it.
_tokens: dict[tuple[str, str], str] = {}


def hello_frame(url: str, kind: str, **fields: Any) -> bytes:
    """The hello of the fuzzer's own ``kind`` of link: its session's token, or the password."""
    token = _tokens.get((url, kind), "")
    password = "" if token else PASSWORD
    hello = p.Hello(p.PROTOCOL_VERSION, kind, ACCOUNTS[kind], password=password, token=token, **fields)  # type: ignore[arg-type]
    return p.encode(hello)


async def sign_in_links(url: str, timeout: float = 30.0) -> None:
    """Sign the account of each kind of link in with its password, and keep the session's token."""
    for kind in ACCOUNTS:
        _tokens.pop((url, kind), None)
        async with asyncio.timeout(timeout), connect(url, max_size=p.MAX_FRAME_BYTES) as ws:
            await ws.send(hello_frame(url, kind, topics=[]), text=True)
            while True:
                message = p.decode_server(await ws.recv(decode=False))
                if isinstance(message, p.Welcome):
                    _tokens[(url, kind)] = message.token
                    break
                if isinstance(message, p.Error):
                    raise RuntimeError(f"the hub refused the fuzzer's {kind} account: {message.message}")


#: The one close docs/protocol.md (§2, §9) allows for what the fuzzer sends; any other is a finding
#: (1007 too: a frame that is not UTF-8 gets ``bad_json``).
EXPECTED_CLOSES = {1009: "after oversize"}


async def answers_ping(url: str, timeout: float = 10.0) -> float | None:
    """Seconds a fresh console waits for the pong to a ping; None if it never comes."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout), connect(url, max_size=p.MAX_FRAME_BYTES) as ws:
            await ws.send(hello_frame(url, "console", topics=[]), text=True)
            await ws.send(p.encode(p.Ping("probe")), text=True)
            while True:
                message = p.decode_server(await ws.recv(decode=False))
                if isinstance(message, p.Pong) and message.id == "probe":
                    return time.monotonic() - started
    except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError, p.ProtocolError):
        return None


async def _replay(url: str, role: str | None, frames: list[Frame], timeout: float = 10.0) -> tuple[int, str]:
    """Send ``frames`` one at a time, each followed by a ping; (index of the frame after which the hub
    closed, how), or (-1, "") if it stayed open."""
    async with connect(url, max_size=p.MAX_FRAME_BYTES, ping_interval=None) as ws:
        if role is not None:
            await ws.send(hello_frame(url, role), text=True)
        for index, frame in enumerate(frames):
            try:
                await ws.send(frame.data, text=frame.text)
                await ws.send(p.encode(p.Ping(f"{SYNC_PREFIX}t{index}")), text=True)
                async with asyncio.timeout(timeout):
                    while True:
                        message = p.decode_server(await ws.recv(decode=False))
                        if isinstance(message, (p.Pong, p.Error)) and message.id == f"{SYNC_PREFIX}t{index}":
                            break
            except ConnectionClosed as closed:
                if closed.rcvd is None:
                    return index, "1006 (dropped without a close frame)"
                return index, f"{closed.rcvd.code} {closed.rcvd.reason!r}"
            except TimeoutError:
                return index, f"no answer within {timeout:.0f} s"
    return -1, ""


async def triage(url: str, report: HubReport, seconds: float = 90.0) -> None:
    """Pin each loss on one frame (replay the frames since the last answered ping, one by one), then
    shrink the smallest culprit of each kind to the shortest frame that still closes the connection."""
    deadline = time.monotonic() + seconds
    tried: Counter[tuple[int, str]] = Counter()
    for loss in report.losses:
        if time.monotonic() > deadline or sum(tried.values()) >= TRIAGE_LOSSES:
            break
        if tried[(loss.code, loss.reason)] >= TRIAGE_PER_CLOSE:
            continue
        tried[(loss.code, loss.reason)] += 1
        with contextlib.suppress(OSError, InvalidHandshake, TimeoutError, ConnectionClosed):
            index, _ = await _replay(url, loss.role, loss.frames)
            if index < 0:
                loss.alone = "did not reproduce (the frames before it matter, or timing)"
                continue
            loss.culprit = loss.frames[index]
            _, alone = await _replay(url, loss.role, [loss.culprit])
            loss.alone = (
                f"closes it with {alone}" if alone else "leaves it open (the frames before it matter)"
            )
    smallest: dict[tuple[int, str, str], Loss] = {}
    for loss in report.losses:
        if loss.culprit is not None and loss.alone.startswith("closes"):
            key = (loss.code, loss.reason, loss.kind())
            if key not in smallest or len(loss.culprit.data) < len(smallest[key].culprit.data):  # type: ignore[union-attr]
                smallest[key] = loss
    for loss in smallest.values():
        if time.monotonic() > deadline:
            break
        assert loss.culprit is not None
        with contextlib.suppress(OSError, InvalidHandshake, TimeoutError, ConnectionClosed):
            loss.minimal = await shrink(
                url, loss.role, loss.culprit, loss.alone.removeprefix("closes it with ")
            )


TRIAGE_LOSSES = 40  # losses replayed at most
TRIAGE_PER_CLOSE = 12  # of them with the same close code and reason
SHRINK_TRIES = 150


async def shrink(url: str, role: str | None, frame: Frame, outcome: str) -> Frame:
    """The shortest frame found (cutting ever smaller spans, delta-debugging style) that still ends a
    fresh connection with ``outcome``; frames of megabytes are left as they are."""
    data, span, tries = frame.data, len(frame.data) // 2, 0
    if len(data) > 65_536:
        return frame
    while span >= 1 and tries < SHRINK_TRIES:
        cut_any, start = False, 0
        while start < len(data) and tries < SHRINK_TRIES:
            candidate = Frame(data[:start] + data[start + span :], frame.text, frame.how)
            tries += 1
            _, got = await _replay(url, role, [candidate])
            if got == outcome:
                data, cut_any = candidate.data, True
            else:
                start += span
        if not cut_any:
            span //= 2
    return Frame(data, frame.text, frame.how)


async def fuzz_hub(
    url: str,
    corpus: Corpus,
    frames: int = 3000,
    seed: int = 1,
    connections: int = 4,
    seconds: float | None = None,
    oversize_every: int = 20_000,
    keep_losses: int = 200,
    prime: bool = True,
    pin: bool = True,
    progress: Callable[[HubReport], None] | None = None,
    heavy_every: int = 0,
) -> HubReport:
    """Fuzz the hub at ``url`` (whose database holds the accounts of tests/hubkit.py's roster); the
    report holds the counts and every finding."""
    await sign_in_links(url)
    if prime:
        await prime_hub(url)
    fuzzer = HubFuzzer(
        url,
        corpus,
        frames,
        seed,
        connections,
        seconds,
        oversize_every,
        keep_losses,
        progress,
        heavy_every,
    )
    report = await fuzzer.run()
    report.ping_s = await answers_ping(url)
    report.alive = report.ping_s is not None
    if pin and report.alive and report.losses:
        await triage(url, report)
    return report


async def prime_hub(url: str) -> None:
    """Declare the fuzzer's sensors and vehicles and report its cases, so city-aware frames hit them."""
    city = demo().city
    classes = sorted(city.sensor_classes)
    grids = city.grids
    items: list[Any] = []
    for n, sensor_id in enumerate(SENSOR_IDS):
        point = grids[n * len(grids) // len(SENSOR_IDS)].shape.representative_point()
        items.append(p.SensorInfo(sensor_id, classes[n % len(classes)], f"传感器{n}", point.x, point.y, "u"))
    kinds = sorted(domain.VEHICLE_KINDS)
    items += [p.VehicleInfo(v, kinds[n % len(kinds)], f"苏A{n:05d}") for n, v in enumerate(VEHICLE_IDS)]
    category = sorted(city.categories)[0]
    for n in range(PRIMED_CASES):
        point = grids[(2 * n + 1) * len(grids) // (2 * PRIMED_CASES)].shape.representative_point()
        items.append(p.Report(f"fz-prime-{n}", category, point.x, point.y, "inspector", PAST_TS[1], "fuzz"))
    async with asyncio.timeout(30), connect(url, max_size=p.MAX_FRAME_BYTES) as ws:
        await ws.send(hello_frame(url, "producer"), text=True)
        await ws.send(p.encode(p.Batch("prime", items)), text=True)
        while True:
            message = p.decode_server(await ws.recv(decode=False))
            if isinstance(message, p.Ack) and message.id == "prime":
                return


# ---------------------------------------------------------------------------
# The client's decoder


@dataclass
class DecoderFinding:
    where: str
    error: str
    frame: Frame
    count: int = 1


@dataclass
class DecoderReport:
    frames: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # decoded type, or error:<code>
    findings: dict[tuple[str, str, str], DecoderFinding] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, where: str, error: BaseException, frame: Frame) -> None:
        first_line = str(error).splitlines()[0] if str(error) else ""
        key = (where, type(error).__name__, re.sub(r"\d+", "N", first_line)[:80])
        known = self.findings.get(key)
        if known is None:
            self.findings[key] = DecoderFinding(where, f"{type(error).__name__}: {first_line[:160]}", frame)
            return
        known.count += 1
        if len(frame.data) < len(known.frame.data):
            known.frame = frame  # keep the smallest reproducer

    def listing(self) -> list[str]:
        return [
            f"{f.where} raised {f.error} ({f.count:,} frames); smallest: {describe(f.frame)}"
            for f in self.findings.values()
        ]

    def summary(self) -> str:
        outcomes = ", ".join(f"{k} {n:,}" for k, n in self.outcomes.most_common())
        return (
            f"decoder frames: {self.frames:,} in {self.seconds:.1f} s "
            f"({self.frames / max(self.seconds, 1e-9):,.0f}/s); outcomes: {outcomes}; "
            f"findings: {len(self.findings)}"
        )


def _client_session(mirror: Mirror, pending: list[str]) -> ClientSession:
    session = ClientSession(
        kind="console",
        user="zhangsan",
        password=PASSWORD,
        topics=p.TOPICS,
        apply=mirror.apply,
        positions=lambda: mirror.positions,
        clock=lambda: 100.0,
    )
    session.connected()
    for request_id in pending:  # so that results, errors and city parts answer something
        session.request(request_id, b"{}")
    welcome = p.Welcome(p.PROTOCOL_VERSION, "hub", "s", "city", 1.0, "console", "zhangsan", token="t")
    session.receive(p.encode(welcome))
    return session


def fuzz_decoder(corpus: Corpus, frames: int = 3000, seed: int = 1) -> DecoderReport:
    """Mutated hub frames into ``decode_server`` (only ProtocolError may come out) and into
    ``ClientSession.receive`` (nothing may come out)."""
    pool = Pool(corpus.server)
    rng = random.Random(f"{seed}/decoder")
    mutator = Mutator(pool, rng, oversize_every=0, big=False)
    ids = sorted({v["id"] for v in pool.parsed if isinstance(v, dict) and isinstance(v.get("id"), str)})
    pending = rng.sample(ids, min(50, len(ids)))
    report = DecoderReport()
    client_log = logging.getLogger("hall.client")
    was_disabled, client_log.disabled = client_log.disabled, True  # one warning per skipped frame
    started = time.perf_counter()
    try:
        mirror = Mirror()
        session = _client_session(mirror, pending)
        for n in range(frames):
            frame = mutator.next()
            data: bytes | str = frame.data
            if frame.text:
                if frame.bad_text:
                    continue  # the client's WebSocket layer closes with 1007 before its decoder sees it
                data = frame.data.decode("utf-8")  # what websockets hands over for a text frame
            try:
                message = p.decode_server(data)
                report.outcomes[_tag(type(message))] += 1
            except p.ProtocolError as error:
                report.outcomes[f"error:{error.code}"] += 1
            except Exception as error:
                report.add("decode_server", error, frame)
            try:
                session.receive(data)
                session.take_outgoing()
            except Exception as error:
                report.add("ClientSession.receive", error, frame)
            report.frames += 1
            if n % 1000 == 999:  # a reconnect now and then, as a real console has
                mirror = Mirror()
                session = _client_session(mirror, pending)
    finally:
        client_log.disabled = was_disabled
    report.seconds = time.perf_counter() - started
    return report


# ---------------------------------------------------------------------------
# Catching what an in-process hub logs


class LogCatcher(logging.Handler):
    """Counts the errors a hub in this process logs (by exception), and keeps them out of the output."""

    NAMES = ("websockets", "hall")

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: Counter[str] = Counter()
        self._saved: list[tuple[logging.Logger, bool]] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        what = f"{type(error).__name__}: {str(error)[:100]}" if error else record.getMessage()[:120]
        self.seen[f"{record.getMessage()[:60]} — {what}"] += 1

    def __enter__(self) -> LogCatcher:
        for name in self.NAMES:
            logger = logging.getLogger(name)
            self._saved.append((logger, logger.propagate))
            logger.addHandler(self)
            logger.propagate = False
        return self

    def __exit__(self, *_: object) -> None:
        for logger, propagate in self._saved:
            logger.removeHandler(self)
            logger.propagate = propagate


# ---------------------------------------------------------------------------
# A hub process, for the long run


class HubProcess:
    """``hall hub`` in its own process on a fresh SQLite file holding the test roster's accounts: its
    memory can be read from /proc."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log_path = folder / "hub.log"
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self, timeout: float = 60.0) -> str:
        db = f"sqlite:///{self.folder / 'hall.db'}"
        store = Store(db)
        seeded_accounts(store)
        store.close()
        self.log = self.log_path.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "console.cli", "hub", "--port", "0", "--db", db],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()  # the hub prints one line when it listens
            if not line:
                break
            if line.startswith("hub listening on "):
                self.url = line.split()[-1]
                return self.url
        raise RuntimeError(f"the hub did not start; see {self.log_path}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def memory(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak) in kB, from /proc/PID/status."""
        if not self.alive():
            return {}
        assert self.process is not None
        found: dict[str, int] = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    found[name] = int(value.split()[0])
        return found

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode

    def logged(self) -> Counter[str]:
        """The exceptions in the hub's log, counted by their last line."""
        seen: Counter[str] = Counter()
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        in_traceback = False
        for line in lines:
            if line.startswith("Traceback"):
                in_traceback = True
            elif in_traceback and line and not line[0].isspace():
                seen[line[:160]] += 1
                in_traceback = False
        return seen


async def _welcomed(url: str, kind: str) -> ClientConnection:
    ws = await connect(url, max_size=p.MAX_FRAME_BYTES)
    await ws.send(hello_frame(url, kind, topics=[]), text=True)
    while not isinstance(p.decode_server(await ws.recv(decode=False)), p.Welcome):
        pass
    return ws


async def _sample(memory: Callable[[], dict[str, int]], peak: list[int], every: float = 0.01) -> None:
    """Keep the highest VmRSS seen in ``peak[0]`` (sampling /proc, not waiting for anything)."""
    while True:
        peak[0] = max(peak[0], memory().get("VmRSS", 0))
        await asyncio.sleep(every)


async def probe_heavy(
    url: str, memory: Callable[[], dict[str, int]], kinds: list[str], timeout: float = 60.0
) -> list[str]:
    """Each of ``kinds`` of :data:`HEAVY` at the size limit, alone: how long the hub takes to answer it, how
    long a console's ping waits meanwhile, and how far the hub's memory (VmRSS, sampled) rises for it."""
    lines: list[str] = []
    for kind in kinds:
        frame = heavy(kind, p.MAX_FRAME_BYTES - 1024)
        sender, watcher = await _welcomed(url, "producer"), await _welcomed(url, "console")
        base = memory().get("VmRSS", 0)
        peak = [base]
        sampler = asyncio.create_task(_sample(memory, peak))
        try:
            started = time.monotonic()
            await sender.send(frame.data, text=True)
            answer = asyncio.create_task(sender.recv(decode=False))
            worst = 0.0
            async with asyncio.timeout(timeout):
                while not answer.done():
                    asked = time.monotonic()
                    await watcher.send(p.encode(p.Ping("heavy")), text=True)
                    while not isinstance(p.decode_server(await watcher.recv(decode=False)), p.Pong):
                        pass
                    worst = max(worst, time.monotonic() - asked)
                message = p.decode_server(answer.result())
            took = time.monotonic() - started
            said = getattr(message, "code", _tag(type(message)))
            lines.append(
                f"{frame.how} ({len(frame.data):,} bytes): answered {said} after {took:.2f} s; "
                f"a console's ping waited up to {worst:.2f} s; hub memory {base / 1024:,.0f} → "
                f"{peak[0] / 1024:,.0f} MB"
            )
        except (TimeoutError, ConnectionClosed) as error:
            lines.append(f"{frame.how}: no answer ({type(error).__name__})")
        finally:
            sampler.cancel()
            await sender.close()
            await watcher.close()
    return lines


# ---------------------------------------------------------------------------
# The command


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--frames", type=int, default=100_000, help="frames to send to the hub")
    parser.add_argument("--seconds", type=float, help="stop sending after this long, whatever --frames says")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connections", type=int, default=6, help="links to the hub at once")
    parser.add_argument("--corpus", type=int, default=120, help="frames drawn per message type and variant")
    parser.add_argument("--decoder-frames", type=int, default=100_000, help="frames for the client decoder")
    parser.add_argument(
        "--oversize-every", type=int, default=10_000, help="one frame over 4 MiB per N a link sends"
    )
    parser.add_argument(
        "--heavy-every", type=int, default=40_000, help="one costly 4 MiB frame per N a link sends"
    )
    parser.add_argument("--no-heavy-probe", action="store_true", help="skip timing each costly frame alone")
    parser.add_argument("--hub", help="fuzz the hub at this ws:// URL instead of starting one")
    parser.add_argument(
        "--cache", type=Path, default=ROOT / ".pytest_cache" / "d" / "wirefuzz", help="corpus cache folder"
    )
    parser.add_argument("--save", type=Path, help="write each finding's frame to this folder")
    return parser.parse_args(argv)


def _say(text: str) -> None:
    print(text, flush=True)


def _save(folder: Path | None, report: HubReport, decoder: DecoderReport) -> None:
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    culprits = [loss.culprit for loss in report.losses if loss.culprit is not None]
    culprits += [f.frame for f in decoder.findings.values()]
    for n, frame in enumerate(culprits):
        (folder / f"finding-{n:03d}-{'text' if frame.text else 'binary'}.bin").write_bytes(frame.data)
    _say(f"saved {len(culprits)} frames to {folder}")


async def _fuzz_hub_process(args: argparse.Namespace, corpus: Corpus) -> tuple[HubReport, list[str]]:
    """The long run against a hub (a process of its own unless --hub): the report and memory lines."""
    with tempfile.TemporaryDirectory(prefix="wirefuzz-") as folder:
        hub = HubProcess(Path(folder)) if args.hub is None else None
        url = args.hub or (hub.start() if hub else "")
        _say(f"hub: {url}" + (f" (process {hub.process.pid})" if hub and hub.process else ""))
        memory = hub.memory if hub else dict
        before = memory()
        peak = [before.get("VmRSS", 0)]
        sampler = asyncio.create_task(_sample(memory, peak, every=0.1))
        last = [time.monotonic(), 0]

        def progress(report: HubReport) -> None:
            now = time.monotonic()
            rate = (report.frames - last[1]) / (now - last[0])
            last[:] = [now, report.frames]
            rss = memory().get("VmRSS", 0)
            lost = sum(n for k, n in report.closes.items() if "finding" in k)
            _say(f"  {report.frames:,} frames, {rate:,.0f}/s, hub {rss / 1024:,.0f} MB, {lost:,} lost")

        try:
            report = await fuzz_hub(
                url,
                corpus,
                frames=args.frames,
                seed=args.seed,
                connections=args.connections,
                seconds=args.seconds,
                oversize_every=args.oversize_every,
                heavy_every=args.heavy_every,
                pin=False,
                progress=progress,
            )
            sampler.cancel()
            after = memory()
            report.alive = report.alive and (hub is None or hub.alive())
            if report.alive and report.losses:
                _say(f"triage: replaying the frames of up to {TRIAGE_LOSSES} lost connections …")
                await triage(url, report)
        finally:
            sampler.cancel()
            code = hub.stop() if hub else None
        lines: list[str] = []
        if hub:
            report.hub_log = hub.logged()
            mb = {k: v / 1024 for k, v in after.items()}
            lines.append(
                f"hub memory (VmRSS): {before.get('VmRSS', 0) / 1024:,.0f} MB before, "
                f"{mb.get('VmRSS', 0):,.0f} MB after; highest seen {peak[0] / 1024:,.0f} MB, "
                f"peak (VmHWM) {mb.get('VmHWM', 0):,.0f} MB; exit code {code}"
            )
    return report, lines


async def _heavy_probe_process() -> list[str]:
    """Each costly frame alone against a fresh hub process: memory a process once took, it keeps."""
    lines: list[str] = []
    for kind in HEAVY:
        with tempfile.TemporaryDirectory(prefix="wirefuzz-heavy-") as folder:
            hub = HubProcess(Path(folder))
            url = hub.start()
            try:
                await sign_in_links(url)
                await prime_hub(url)
                lines += await probe_heavy(url, hub.memory, [kind])
            finally:
                hub.stop()
    return lines


async def _long_run(args: argparse.Namespace) -> int:
    corpus = build_corpus(args.corpus, args.seed, args.cache, _say)
    types = f"{', '.join(sorted(corpus.client))} | {', '.join(sorted(corpus.server))}"
    _say(f"corpus: {corpus.size():,} frames ({types})")
    report, memory_lines = await _fuzz_hub_process(args, corpus)
    heavy_lines = [] if args.no_heavy_probe or args.hub else await _heavy_probe_process()
    _say(f"client decoder: {args.decoder_frames:,} frames …")
    decoder = fuzz_decoder(corpus, args.decoder_frames, args.seed)
    _say("\n== hub ==")
    _say(report.summary())
    for line in memory_lines:
        _say(line)
    if heavy_lines:
        _say("\n== each costly frame alone, on a fresh hub ==")
        for line in heavy_lines:
            _say(f"- {line}")
    _say("\n== client decoder ==")
    _say(decoder.summary())
    observations = report.observations()
    if observations:
        _say(f"\n== observations: {len(observations)} ==")
        for line in observations:
            _say(f"- {line}")
    findings = report.findings() + decoder.listing()
    _say(f"\n== findings: {len(findings)} ==")
    for n, finding in enumerate(findings, 1):
        _say(f"{n}. {finding}")
    _save(args.save, report, decoder)
    return 1 if findings else 0


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    return asyncio.run(_long_run(args))


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "Corpus",
    "DecoderReport",
    "Frame",
    "HubReport",
    "LogCatcher",
    "Mutator",
    "Pool",
    "build_corpus",
    "describe",
    "fuzz_decoder",
    "fuzz_hub",
    "show",
]
