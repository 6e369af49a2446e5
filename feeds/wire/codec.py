"""The codec: bytes in, typed messages or a typed :class:`ProtocolError` out.

Nothing here touches a socket, so tests feed bytes (websockets' sans-I/O
idea).  Whatever a frame holds — malformed JSON, nesting a thousand levels
deep, numbers out of range, wrong types — the answer is a ProtocolError
naming the frame's id when it has one.  A batch with a few bad items is
decoded item by item (:class:`PartialBatch`), so its good items still count.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import Batch, ClientMessage, IngestItem, RequestId, ServerMessage

PROTOCOL_VERSION = 4
#: Largest frame either side accepts; a larger one closes the socket with 1009.
MAX_FRAME_BYTES = 4 * 1024 * 1024
#: Items a producer may put in one ``batch`` frame.
MAX_BATCH_ITEMS = 20_000

_KNOWN_CLIENT_TYPES = frozenset(
    t.__struct_config__.tag
    for t in ClientMessage.__args__  # type: ignore[attr-defined]
)
_KNOWN_SERVER_TYPES = frozenset(
    t.__struct_config__.tag
    for t in ServerMessage.__args__  # type: ignore[attr-defined]
)

_encoder = msgspec.json.Encoder()
_client_decoder = msgspec.json.Decoder(ClientMessage)
_server_decoder = msgspec.json.Decoder(ServerMessage)
_item_decoder = msgspec.json.Decoder(IngestItem)


class _RawBatch(msgspec.Struct, tag_field="type", tag="batch"):
    """A batch with its items left undecoded, to decode them one by one."""

    id: RequestId
    items: list[msgspec.Raw]


_raw_batch_decoder = msgspec.json.Decoder(_RawBatch)


class PartialBatch(Exception):
    """A batch whose envelope is sound but some items are not: the good ones, and why each bad one is not."""

    def __init__(self, batch: Batch, refused: list[ProtocolError]) -> None:
        super().__init__(f"{len(refused)} item(s) of batch {batch.id} refused")
        self.batch = batch
        self.refused = refused


def encode(message: msgspec.Struct) -> bytes:
    return _encoder.encode(message)


class _IdOnly(msgspec.Struct):
    """A frame's top-level ``id``; msgspec skips every other field without building it."""

    id: Any = None


class _TypeOnly(msgspec.Struct):
    type: Any = None


_id_decoder = msgspec.json.Decoder(_IdOnly)
_type_decoder = msgspec.json.Decoder(_TypeOnly)

# Strings (with their escapes) and the punctuation that gives a JSON text its shape.  Possessive,
# so a long string is one step, not a backtracking stack per character.
_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[{}\[\],:]')
_MAX_ID = 64
#: How far into a frame that is not JSON the scanner looks for its id.
ID_SCAN_BYTES = 64 * 1024


def top_level_id(data: bytes | str) -> str | None:
    """The ``"id"`` of a frame's top-level object, found without decoding the rest of it —
    which may be what is wrong (nesting too deep, a number out of range, a bad item)."""
    try:
        value = _id_decoder.decode(data).id  # skips the rest in C: cheap for any frame
    except (msgspec.MsgspecError, RecursionError):  # not JSON (or too deep): scan its start
        value = _scan_for_id(data.encode("utf-8", "replace") if isinstance(data, str) else data)
    return value if isinstance(value, str) and 0 < len(value) <= _MAX_ID else None


def _scan_for_id(raw: bytes) -> object:
    depth, expect_key, key = 0, False, None
    for match in _TOKENS.finditer(raw, 0, ID_SCAN_BYTES):
        token = match.group()
        if token[:1] == b'"':
            if depth == 1 and expect_key:
                key, expect_key = token, False
            elif depth == 1 and key == b'"id"':
                try:
                    return msgspec.json.decode(token)  # strict: no lone surrogates to echo back
                except msgspec.DecodeError:
                    return None
            continue
        if token in (b"{", b"["):
            depth += 1
            expect_key = depth == 1 and token == b"{"
        elif token in (b"}", b"]"):
            depth -= 1
        elif token == b"," and depth == 1:
            expect_key, key = True, None
    return None


def _field(exc: msgspec.ValidationError) -> str:
    """The field a validation error is about (``$.items[3].lon`` → ``lon``), for counting."""
    found = re.findall(r"\.([A-Za-z_]+)", str(exc).rpartition("at `")[2])
    return found[-1] if found else "frame"


def _classify(data: bytes | str, known: frozenset[str], exc: msgspec.ValidationError) -> ProtocolError:
    """Tell an unknown ``type`` from a known type with bad fields."""
    ref = top_level_id(data)
    try:
        kind = _type_decoder.decode(data).type
    except msgspec.ValidationError:  # not an object, so no type at all
        kind = None
    except (msgspec.DecodeError, RecursionError):  # JSON no decoder takes, e.g. a number out of range
        return ProtocolError(ErrorCode.INVALID, f"{exc}", ref, reason=f"invalid_{_field(exc)}")
    if not isinstance(kind, str) or kind not in known:
        return ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind!r}", ref)
    return ProtocolError(ErrorCode.INVALID, f"{kind}: {exc}", ref, reason=f"invalid_{_field(exc)}")


def _decode(decoder: msgspec.json.Decoder[Any], known: frozenset[str], data: bytes | str) -> Any:
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise _classify(data, known, exc) from None
    except msgspec.DecodeError as exc:
        raise ProtocolError(ErrorCode.BAD_JSON, f"malformed JSON: {exc}", top_level_id(data)) from None
    except RecursionError:
        raise ProtocolError(
            ErrorCode.BAD_JSON, "JSON nested too deeply to read", top_level_id(data), reason="nesting"
        ) from None


def _items_one_by_one(data: bytes | str) -> PartialBatch | None:
    """A batch refused as a whole, decoded item by item: None when its envelope is bad too."""
    try:
        envelope = _raw_batch_decoder.decode(data)
    except (msgspec.MsgspecError, RecursionError):
        return None
    _check_size(envelope.id, len(envelope.items))  # before decoding a million items one by one
    good: list[IngestItem] = []
    refused: list[ProtocolError] = []
    for n, raw in enumerate(envelope.items):
        try:
            good.append(_item_decoder.decode(raw))
        except msgspec.ValidationError as exc:
            refused.append(
                ProtocolError(
                    ErrorCode.INVALID, f"items[{n}]: {exc}", envelope.id, reason=f"invalid_{_field(exc)}"
                )
            )
        except (msgspec.DecodeError, RecursionError):
            refused.append(
                ProtocolError(
                    ErrorCode.INVALID, f"items[{n}]: unreadable", envelope.id, reason="invalid_item"
                )
            )
    if not refused:  # the envelope itself was at fault after all
        return None
    return PartialBatch(Batch(envelope.id, good), refused)


def _check_size(batch_id: str, items: int) -> None:
    if items > MAX_BATCH_ITEMS:
        raise ProtocolError(ErrorCode.INVALID, f"a batch holds at most {MAX_BATCH_ITEMS} items", batch_id)


def decode_client(data: bytes | str) -> ClientMessage:
    """Decode a frame a client sent to the hub; raises ProtocolError, or PartialBatch for a
    batch some of whose items are bad."""
    try:
        message: ClientMessage = _decode(_client_decoder, _KNOWN_CLIENT_TYPES, data)
    except ProtocolError as error:
        partial = _items_one_by_one(data) if error.code == ErrorCode.INVALID else None
        if partial is not None:
            raise partial from None
        raise
    if isinstance(message, Batch):
        _check_size(message.id, len(message.items))
    return message


def decode_server(data: bytes | str) -> ServerMessage:
    """Decode a frame the hub sent to a client."""
    message: ServerMessage = _decode(_server_decoder, _KNOWN_SERVER_TYPES, data)
    return message
