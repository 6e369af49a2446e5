"""The codec: bytes in, typed messages or a typed :class:`ProtocolError` out.

Nothing here touches a socket, so tests feed bytes (websockets' sans-I/O
idea).
"""

from __future__ import annotations

from typing import Any

import msgspec

from feeds.wire.errors import ErrorCode, ProtocolError
from feeds.wire.messages import ClientMessage, ServerMessage

PROTOCOL_VERSION = 2
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


def encode(message: msgspec.Struct) -> bytes:
    return _encoder.encode(message)


def _classify(data: bytes | str, known: frozenset[str], exc: msgspec.ValidationError) -> ProtocolError:
    """Tell an unknown ``type`` from a known type with bad fields."""
    try:
        raw = msgspec.json.decode(data)
    except msgspec.MsgspecError:  # valid JSON that no decoder takes, e.g. a number out of range
        return ProtocolError(ErrorCode.INVALID, f"{exc}")
    ref = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    kind = raw.get("type") if isinstance(raw, dict) else None
    if not isinstance(kind, str) or kind not in known:
        return ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind!r}", ref)
    return ProtocolError(ErrorCode.INVALID, f"{kind}: {exc}", ref)


def _decode(decoder: msgspec.json.Decoder[Any], known: frozenset[str], data: bytes | str) -> Any:
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise _classify(data, known, exc) from None
    except msgspec.DecodeError as exc:
        raise ProtocolError(ErrorCode.BAD_JSON, f"malformed JSON: {exc}") from None


def decode_client(data: bytes | str) -> ClientMessage:
    """Decode a frame a client sent to the hub."""
    message: ClientMessage = _decode(_client_decoder, _KNOWN_CLIENT_TYPES, data)
    return message


def decode_server(data: bytes | str) -> ServerMessage:
    """Decode a frame the hub sent to a client."""
    message: ServerMessage = _decode(_server_decoder, _KNOWN_SERVER_TYPES, data)
    return message
