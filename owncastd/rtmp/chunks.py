"""The RTMP chunk stream, sans-IO: bytes in → messages out, messages in → bytes out.

:class:`ChunkReader` reassembles messages from interleaved chunk streams (every header type,
1/2/3-byte basic headers, extended timestamps, SetChunkSize, Abort). :class:`ChunkWriter` splits
messages into chunks. Timestamps are absolute milliseconds (mod 2**32) per chunk stream.

Type-3 chunks and extended timestamps: when the last type 0/1/2 header of a chunk stream had an
extended timestamp, a type-3 chunk that *starts* a message carries one too. On a type-3 chunk
that *continues* a message, librtmp, ffmpeg and OBS repeat the extended timestamp while some
encoders do not; we skip the 4 bytes only when they equal the value already seen.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from owncastd.errors import RtmpProtocolError

DEFAULT_CHUNK_SIZE = 128
MAX_CHUNK_SIZE = 16 * 1024 * 1024
DEFAULT_MAX_MESSAGE_SIZE = 8 * 1024 * 1024
DEFAULT_MAX_PENDING = 32 * 1024 * 1024
MAX_CHUNK_STREAMS = 65600  # every id a basic header can carry (2..65599)
EXTENDED = 0xFFFFFF

_U32 = struct.Struct(">I")
_U32LE = struct.Struct("<I")
_u32 = _U32.unpack_from
_u32le = _U32LE.unpack_from


class MessageType(enum.IntEnum):
    """RTMP message type ids."""

    SET_CHUNK_SIZE = 1
    ABORT = 2
    ACKNOWLEDGEMENT = 3
    USER_CONTROL = 4
    WINDOW_ACK_SIZE = 5
    SET_PEER_BANDWIDTH = 6
    AUDIO = 8
    VIDEO = 9
    DATA_AMF3 = 15
    SHARED_OBJECT_AMF3 = 16
    COMMAND_AMF3 = 17
    DATA_AMF0 = 18
    SHARED_OBJECT_AMF0 = 19
    COMMAND_AMF0 = 20
    AGGREGATE = 22


@dataclass(frozen=True, slots=True)
class RtmpMessage:
    """One reassembled RTMP message."""

    csid: int
    type_id: int
    stream_id: int
    timestamp: int
    payload: bytes


class _ChunkStream:
    """What a chunk stream remembers between chunks (the header fields type 1–3 omit)."""

    __slots__ = (
        "delta",
        "ext_value",
        "has_ext",
        "length",
        "pieces",
        "remaining",
        "stream_id",
        "timestamp",
        "type_id",
    )

    def __init__(self) -> None:
        self.timestamp = 0
        self.delta = 0
        self.length = 0
        self.type_id = 0
        self.stream_id = 0
        self.has_ext = False
        self.ext_value = 0
        self.remaining = 0
        self.pieces: list[bytes] = []


def check_chunk_size(size: int) -> int:
    """Validate a SetChunkSize value (1..16 MiB, top bit clear)."""
    if size & 0x80000000:
        raise RtmpProtocolError(f"SetChunkSize with the top bit set (0x{size:08x})")
    if not 1 <= size <= MAX_CHUNK_SIZE:
        raise RtmpProtocolError(f"SetChunkSize {size} outside 1..{MAX_CHUNK_SIZE}")
    return size


class ChunkReader:
    """Reassemble messages from chunk bytes. Feed bytes, then call :meth:`next_message`.

    SetChunkSize and Abort take effect here (and are returned too). Raises
    :class:`~owncastd.errors.RtmpProtocolError` on bytes that break the protocol or a limit:
    ``max_message_size`` (one message), ``max_pending`` (all unfinished messages together) and
    ``max_chunk_streams`` (chunk stream ids in use), and ``min_chunk_size`` (the smallest
    SetChunkSize taken: tiny chunks cost a parse each). The limits are plain attributes; a
    server starts strict and relaxes them once the peer has proven itself.
    """

    def __init__(
        self,
        *,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        max_pending: int = DEFAULT_MAX_PENDING,
        max_chunk_streams: int = MAX_CHUNK_STREAMS,
    ) -> None:
        self.chunk_size = DEFAULT_CHUNK_SIZE
        self.max_message_size = max_message_size
        self.max_pending = max_pending
        self.max_chunk_streams = max_chunk_streams
        self.min_chunk_size = 1
        self._buf = b""
        self._pos = 0
        self._incoming: list[bytes] = []
        self._incoming_len = 0
        self._need = 1
        self._pending = 0
        self._streams: dict[int, _ChunkStream] = {}

    def feed(self, data: bytes) -> None:
        """Add received bytes (not copied until a whole chunk is there)."""
        if data:
            self._incoming.append(data)
            self._incoming_len += len(data)

    @property
    def buffered(self) -> int:
        """Bytes received but not yet consumed."""
        return len(self._buf) - self._pos + self._incoming_len

    def next_message(self) -> RtmpMessage | None:
        """Return the next complete message, or None until more bytes arrive."""
        if self._incoming:
            if self.buffered < self._need:
                return None
            if self._pos == len(self._buf) and len(self._incoming) == 1:
                self._buf = self._incoming[0]
            else:
                self._buf = b"".join([self._buf[self._pos :], *self._incoming])
            self._pos = 0
            self._incoming.clear()
            self._incoming_len = 0
        message = self._parse()
        if message is None:
            return None
        self._need = 0
        if message.type_id == MessageType.SET_CHUNK_SIZE:
            self._set_chunk_size(message.payload)
        elif message.type_id == MessageType.ABORT:
            self._abort(message.payload)
        return message

    def _set_chunk_size(self, payload: bytes) -> None:
        if len(payload) < 4:
            raise RtmpProtocolError("SetChunkSize message shorter than 4 bytes")
        size = check_chunk_size(_u32(payload)[0])
        if size < self.min_chunk_size:
            raise RtmpProtocolError(f"SetChunkSize {size} below {self.min_chunk_size}")
        self.chunk_size = size

    def _abort(self, payload: bytes) -> None:
        if len(payload) < 4:
            raise RtmpProtocolError("Abort message shorter than 4 bytes")
        stream = self._streams.get(_u32(payload)[0])
        if stream is not None and stream.remaining:
            self._pending -= stream.length - stream.remaining
            stream.remaining = 0
            stream.pieces = []

    def _parse(self) -> RtmpMessage | None:
        """Consume whole chunks until one completes a message; None if bytes run out."""
        # One long function on purpose: this is the ingest hot loop (every media chunk of every
        # publisher), and locals plus inlined header decoding measured faster than helper calls
        # (bench/ingest_parser.py). It is the one function allowed past 60 lines.
        buf = self._buf
        end = len(buf)
        pos = self._pos
        streams = self._streams
        while True:
            avail = end - pos
            if avail < 1:
                self._need = 1
                break
            b0 = buf[pos]
            fmt = b0 >> 6
            csid = b0 & 0x3F
            p = pos + 1
            if csid < 2:
                width = 2 if csid == 0 else 3
                if avail < width:
                    self._need = width
                    break
                csid = buf[p] + 64 if csid == 0 else buf[p] + (buf[p + 1] << 8) + 64
                p = pos + width
            stream = streams.get(csid)
            if stream is None:
                if fmt == 3:
                    raise RtmpProtocolError(f"type-3 chunk opens unknown chunk stream {csid}")
                if len(streams) >= self.max_chunk_streams:
                    raise RtmpProtocolError(
                        f"more than {self.max_chunk_streams} chunk streams in use"
                    )
                stream = _ChunkStream()
                streams[csid] = stream
            continuing = stream.remaining > 0
            if fmt == 3:
                header_end = p
            else:
                header_end = p + (11, 7, 3)[fmt]
                if end < header_end:
                    self._need = header_end - pos
                    break
            length = stream.length
            type_id = stream.type_id
            stream_id = stream.stream_id
            if fmt == 0:
                field = _u32(buf, p)[0] >> 8
                length = _u32(buf, p + 3)[0] >> 8
                type_id = buf[p + 6]
                stream_id = _u32le(buf, p + 7)[0]
            elif fmt == 1:
                field = _u32(buf, p)[0] >> 8
                length = _u32(buf, p + 3)[0] >> 8
                type_id = buf[p + 6]
            elif fmt == 2:
                field = (buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2]
            else:
                field = stream.delta
            p = header_end
            if fmt < 3:
                has_ext = field == EXTENDED
                ext_value = stream.ext_value
                if has_ext:
                    if end < p + 4:
                        self._need = p + 4 - pos
                        break
                    field = ext_value = _u32(buf, p)[0]
                    p += 4
            else:
                has_ext = stream.has_ext
                ext_value = stream.ext_value
                if has_ext:
                    if end < p + 4:
                        self._need = p + 4 - pos
                        break
                    value = _u32(buf, p)[0]
                    if not continuing:
                        field = ext_value = value
                        p += 4
                    elif value == ext_value:
                        p += 4
            if fmt < 3 or not continuing:
                if length > self.max_message_size:
                    raise RtmpProtocolError(
                        f"message of {length} bytes exceeds the {self.max_message_size} limit"
                    )
                remaining = length
            else:
                remaining = stream.remaining
            size = remaining if remaining < self.chunk_size else self.chunk_size
            if end < p + size:
                self._need = p + size - pos
                break
            # The whole chunk is here: commit the header and take the payload.
            pos = p + size
            stream.has_ext = has_ext
            stream.ext_value = ext_value
            if fmt < 3 or not continuing:
                if continuing:  # a new header mid-message: drop the unfinished message
                    self._pending -= stream.length - stream.remaining
                    stream.pieces = []
                stream.timestamp = (field if fmt == 0 else stream.timestamp + field) & 0xFFFFFFFF
                stream.delta = field
                stream.length = length
                stream.type_id = type_id
                stream.stream_id = stream_id
                if size == length:
                    stream.remaining = 0
                    self._pos = pos
                    return RtmpMessage(csid, type_id, stream_id, stream.timestamp, buf[p:pos])
                stream.pieces = [buf[p:pos]]
            else:
                stream.pieces.append(buf[p:pos])
                if size == remaining:
                    payload = b"".join(stream.pieces)
                    stream.pieces = []
                    stream.remaining = 0
                    self._pending -= length - size
                    self._pos = pos
                    return RtmpMessage(csid, type_id, stream_id, stream.timestamp, payload)
            stream.remaining = remaining - size
            self._pending += size
            if self._pending > self.max_pending:
                raise RtmpProtocolError("too many bytes in unfinished messages")
        self._pos = pos
        return None


def basic_header(fmt: int, csid: int) -> bytes:
    """Encode a chunk basic header (1, 2 or 3 bytes for csid 2..65599)."""
    if not 2 <= csid <= 65599:
        raise ValueError(f"chunk stream id {csid} outside 2..65599")
    if csid < 64:
        return bytes(((fmt << 6) | csid,))
    if csid < 320:
        return bytes((fmt << 6, csid - 64))
    return bytes(((fmt << 6) | 1, (csid - 64) & 0xFF, (csid - 64) >> 8))


class ChunkWriter:
    """Split messages into chunks.

    By default every message starts with a type-0 header. With ``compress=True`` the smallest
    header is chosen as ffmpeg does (type 1/2/3 when stream, type, length or delta repeat).
    ``repeat_extended=False`` omits the extended timestamp on continuation chunks, as some
    encoders do (for tests).
    """

    def __init__(self, *, compress: bool = False, repeat_extended: bool = True) -> None:
        self.chunk_size = DEFAULT_CHUNK_SIZE
        self.compress = compress
        self.repeat_extended = repeat_extended
        self._last: dict[int, tuple[int, int, int, int, int]] = {}

    def write(
        self, csid: int, type_id: int, stream_id: int, timestamp: int, payload: bytes
    ) -> bytes:
        """Return the chunks of one message."""
        length = len(payload)
        timestamp &= 0xFFFFFFFF
        fmt, field = 0, timestamp
        last = self._last.get(csid) if self.compress else None
        if last is not None:
            last_sid, last_type, last_len, last_ts, last_field = last
            if last_sid == stream_id and timestamp >= last_ts:
                field = timestamp - last_ts
                fmt = 1
                if last_type == type_id and last_len == length:
                    fmt = 3 if field == last_field else 2
        self._last[csid] = (stream_id, type_id, length, timestamp, field)
        ext = field >= EXTENDED
        header_field = EXTENDED if ext else field
        ext_bytes = _U32.pack(field) if ext else b""
        parts = [basic_header(fmt, csid)]
        if fmt <= 2:
            parts.append(header_field.to_bytes(3, "big"))
        if fmt <= 1:
            parts.append(length.to_bytes(3, "big") + bytes((type_id,)))
        if fmt == 0:
            parts.append(_U32LE.pack(stream_id))
        parts.append(ext_bytes)
        continuation = basic_header(3, csid) + (ext_bytes if self.repeat_extended else b"")
        size = self.chunk_size
        parts.append(payload[:size])
        for start in range(size, length, size):
            parts.append(continuation)
            parts.append(payload[start : start + size])
        return b"".join(parts)
