"""A topic's records as the hub holds them: live (with uncommitted changes) and published.

Published records are kept encoded too, each encoded once when it is
published: a snapshot for a seat that joins, a catch-up for one that
resumes and the deltas for everyone are frames assembled from those bytes,
split so that no frame exceeds :data:`FRAME_BYTES`, whatever the records
hold (a report's description may be a thousand Chinese characters).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from feeds.wire.codec import MAX_FRAME_BYTES, encode
from feeds.wire.messages import Delta, Snapshot, Topic

#: Bytes of records per frame, a quarter of what a client must accept: frames stay small
#: enough to interleave with answers, and far from the limit.
FRAME_BYTES = MAX_FRAME_BYTES // 4
#: Records per frame at most, whatever their size.
FRAME_ITEMS = 2000


@dataclass(frozen=True)
class Frame:
    """A snapshot or delta frame ready to send: its topic, the last seq it covers, its bytes."""

    topic: str
    seq: int
    data: bytes
    snapshot: bool


def _chunks(encoded: list[bytes]) -> Iterator[tuple[int, int]]:
    """(start, end) of runs of records that fit a frame, in order."""
    start, size = 0, 0
    for n, record in enumerate(encoded):
        if n > start and (size + len(record) > FRAME_BYTES or n - start >= FRAME_ITEMS):
            yield start, n
            start, size = n, 0
        size += len(record) + 1
    yield start, len(encoded)


def _raw(encoded: list[bytes]) -> list[Any]:
    """Records already encoded, spliced into a frame as they are (msgspec writes Raw verbatim)."""
    return [msgspec.Raw(record) for record in encoded]


class TopicState:
    """One topic's records: ``live`` includes uncommitted changes, ``published`` does not."""

    def __init__(self, name: Topic, stream: str, records: list[Any]) -> None:
        self.name = name
        self.stream = stream
        self.live: dict[str, Any] = {r.id: r for r in records}
        self.published: dict[str, Any] = dict(self.live)
        self.encoded: dict[str, bytes] = {r.id: encode(r) for r in records}
        self.published_seq = max((r.seq for r in records), default=0)

    def deltas(self, records: list[Any], from_seq: int) -> list[Frame]:
        """Deltas covering ``from_seq`` … ``published_seq``, records in seq order."""
        records = sorted(records, key=lambda r: r.seq)
        encoded = [self.encoded[r.id] for r in records]
        frames = []
        for start, end in _chunks(encoded):
            last = self.published_seq if end == len(records) else records[end - 1].seq
            delta = Delta(self.name, self.stream, from_seq, last, _raw(encoded[start:end]))
            frames.append(Frame(self.name, last, encode(delta), snapshot=False))
            from_seq = last + 1
        return frames

    def snapshot(self) -> list[Frame]:
        encoded = list(self.encoded.values())
        runs = list(_chunks(encoded)) if encoded else [(0, 0)]
        return [
            Frame(
                self.name,
                self.published_seq,
                encode(
                    Snapshot(
                        self.name,
                        self.stream,
                        self.published_seq,
                        _raw(encoded[start:end]),
                        part=n,
                        final=n == len(runs) - 1,
                    )
                ),
                snapshot=True,
            )
            for n, (start, end) in enumerate(runs)
        ]

    def catch_up(self, seq: int) -> list[Frame]:
        """What a client that has everything up to ``seq`` of this stream needs."""
        if seq > self.published_seq:
            return self.snapshot()  # a position from the future: the client's store was reset
        if seq == self.published_seq:
            return []
        missed = [r for r in self.published.values() if r.seq > seq]
        if len(missed) > max(FRAME_ITEMS, len(self.published) // 2):
            return self.snapshot()  # cheaper to start over than to replay most of the topic
        return self.deltas(missed, seq + 1)

    def publish(self, changed: dict[str, Any]) -> list[Frame]:
        """Make committed records visible; the delta frames that tell it."""
        if not changed:
            return []
        from_seq = self.published_seq + 1
        self.published.update(changed)
        for record in changed.values():
            self.encoded[record.id] = encode(record)
        self.published_seq = max(r.seq for r in changed.values())
        return self.deltas(list(changed.values()), from_seq)
