"""Protocol control and User Control message payloads (RTMP message types 1–6)."""

from __future__ import annotations

import enum
import struct

_U32 = struct.Struct(">I")
_U16_U32 = struct.Struct(">HI")


class UserControlEvent(enum.IntEnum):
    """User Control (message type 4) event types."""

    STREAM_BEGIN = 0
    STREAM_EOF = 1
    STREAM_DRY = 2
    SET_BUFFER_LENGTH = 3
    STREAM_IS_RECORDED = 4
    PING_REQUEST = 6
    PING_RESPONSE = 7


class PeerBandwidthLimit(enum.IntEnum):
    """Limit types of Set Peer Bandwidth."""

    HARD = 0
    SOFT = 1
    DYNAMIC = 2


def u32(value: int) -> bytes:
    """Payload of SetChunkSize, Abort, Acknowledgement and Window Acknowledgement Size."""
    return _U32.pack(value & 0xFFFFFFFF)


def read_u32(payload: bytes) -> int | None:
    """The 32-bit value of a control message, or None if the payload is too short."""
    return _U32.unpack_from(payload)[0] if len(payload) >= 4 else None


def set_peer_bandwidth(size: int, limit: PeerBandwidthLimit) -> bytes:
    """Payload of Set Peer Bandwidth."""
    return _U32.pack(size) + bytes((limit,))


def user_control(event: UserControlEvent, value: int) -> bytes:
    """Payload of a User Control message carrying one 32-bit value (stream id or time)."""
    return _U16_U32.pack(event, value & 0xFFFFFFFF)


def read_user_control(payload: bytes) -> tuple[int, int] | None:
    """(event type, first 32-bit value) of a User Control message, or None if too short."""
    if len(payload) < 6:
        return None
    event, value = _U16_U32.unpack_from(payload)
    return int(event), int(value)
