"""A topic's records as the hub holds them: live (with uncommitted changes) and published."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from feeds.wire.messages import Delta, Snapshot, Topic

#: Items per snapshot or delta frame; keeps frames far below the size limit.
FRAME_ITEMS = 2000


class TopicState:
    """One topic's records: ``live`` includes uncommitted changes, ``published`` does not."""

    def __init__(self, name: Topic, stream: str, records: list[Any]) -> None:
        self.name = name
        self.stream = stream
        self.live: dict[str, Any] = {r.id: r for r in records}
        self.published: dict[str, Any] = dict(self.live)
        self.published_seq = max((r.seq for r in records), default=0)

    def frames(self, items: list[Any], from_seq: int) -> Iterator[Delta]:
        """Deltas covering ``from_seq`` … ``published_seq``, split by seq order."""
        items.sort(key=lambda r: r.seq)
        for start in range(0, len(items), FRAME_ITEMS):
            chunk = items[start : start + FRAME_ITEMS]
            last = self.published_seq if start + FRAME_ITEMS >= len(items) else chunk[-1].seq
            yield Delta(self.name, self.stream, from_seq, last, chunk)
            from_seq = last + 1

    def snapshot(self) -> list[Snapshot]:
        items = list(self.published.values())
        chunks = [items[i : i + FRAME_ITEMS] for i in range(0, len(items), FRAME_ITEMS)] or [[]]
        return [
            Snapshot(self.name, self.stream, self.published_seq, chunk, part=n, final=n == len(chunks) - 1)
            for n, chunk in enumerate(chunks)
        ]

    def catch_up(self, seq: int) -> list[Snapshot] | list[Delta]:
        """What a client that has everything up to ``seq`` of this stream needs."""
        if seq > self.published_seq:
            return self.snapshot()  # a position from the future: the client's store was reset
        if seq == self.published_seq:
            return []
        missed = [r for r in self.published.values() if r.seq > seq]
        if len(missed) > max(FRAME_ITEMS, len(self.published) // 2):
            return self.snapshot()  # cheaper to start over than to replay most of the topic
        return list(self.frames(missed, seq + 1))

    def publish(self, changed: dict[str, Any]) -> list[Delta]:
        """Make committed records visible; the delta frames that tell it."""
        if not changed:
            return []
        from_seq = self.published_seq + 1
        self.published.update(changed)
        self.published_seq = max(r.seq for r in changed.values())
        return list(self.frames(list(changed.values()), from_seq))
