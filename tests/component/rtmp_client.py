"""A small RTMP publishing client for tests, built on our own codec, and a fake ingest gate.

:class:`ClientCodec` is sans-IO (bytes to send, messages received); :class:`RtmpTestClient`
drives it over any trio stream (memory streams or TCP).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

import trio

from owncastd.core.media import FlvTag, StreamDetails
from owncastd.errors import AlreadyLiveError, BadStreamKeyError
from owncastd.rtmp import amf0
from owncastd.rtmp.chunks import ChunkReader, ChunkWriter, RtmpMessage

HANDSHAKE_REPLY = 1 + 1536 + 1536
FP_KEY = b"Genuine Adobe Flash Player 001"

# Minimal but well-formed media bodies (not decodable pictures; fine for the memory tests).
AVC_SEQUENCE_HEADER = b"\x17\x00\x00\x00\x00\x01\x64\x00\x1f\xff\xe1\x00\x04\x67\x64\x00\x1f"
AAC_SEQUENCE_HEADER = b"\xaf\x00\x12\x10"


def avc_frame(keyframe: bool, size: int = 64) -> bytes:
    return (b"\x17" if keyframe else b"\x27") + b"\x01\x00\x00\x00" + os.urandom(size)


def aac_frame(size: int = 32) -> bytes:
    return b"\xaf\x01" + os.urandom(size)


def c1_block(digest: bool) -> bytes:
    """A C1: simple (zero version) or with a Flash Player digest at offset base 8."""
    c1 = bytearray(os.urandom(1536))
    c1[0:8] = b"\x00\x00\x00\x00" + (b"\x09\x00\x7c\x02" if digest else b"\x00\x00\x00\x00")
    if digest:
        pos = sum(c1[8:12]) % 728 + 12
        rest = bytes(c1[:pos] + c1[pos + 32 :])
        c1[pos : pos + 32] = hmac.new(FP_KEY, rest, hashlib.sha256).digest()
    return bytes(c1)


class ClientCodec:
    """The client side of an RTMP connection, sans-IO."""

    def __init__(self, *, chunk_size: int = 4096) -> None:
        self.writer = ChunkWriter(compress=True)
        self.reader = ChunkReader()
        self.txn = 0
        self.chunk_size = chunk_size
        self._skip = HANDSHAKE_REPLY
        self._s1 = b""

    def c0c1(self, *, digest: bool = True) -> bytes:
        return b"\x03" + c1_block(digest)

    def receive(self, data: bytes | bytearray) -> list[RtmpMessage]:
        """Messages in `data` (the S0/S1/S2 handshake reply is skipped)."""
        if self._skip:
            taken = data[: self._skip]
            self._s1 += taken
            self._skip -= len(taken)
            data = data[len(taken) :]
        self.reader.feed(bytes(data))
        out = []
        while (message := self.reader.next_message()) is not None:
            out.append(message)
        return out

    @property
    def handshake_pending(self) -> bool:
        """True until the whole S0/S1/S2 reply has arrived."""
        return self._skip > 0

    @property
    def c2(self) -> bytes:
        """C2 (echoes S1); available once the whole handshake reply arrived."""
        assert not self._skip
        return self._s1[1:1537]

    def message(self, csid: int, type_id: int, stream_id: int, ts: int, payload: bytes) -> bytes:
        return self.writer.write(csid, type_id, stream_id, ts, payload)

    def set_chunk_size(self) -> bytes:
        data = self.message(2, 1, 0, 0, struct.pack(">I", self.chunk_size))
        self.writer.chunk_size = self.chunk_size
        return data

    def command(self, name: str, *args: object, stream_id: int = 0, txn: bool = True) -> bytes:
        number = 0.0
        if txn:
            self.txn += 1
            number = float(self.txn)
        body = amf0.encode_all(name, number, *args)
        return self.message(3 if stream_id == 0 else 8, 20, stream_id, 0, body)

    def connect(self, app: str = "live", extra: dict[str, object] | None = None) -> bytes:
        info: dict[str, object] = {
            "app": app,
            "type": "nonprivate",
            "flashVer": "FMLE/3.0 (compatible; test)",
            "tcUrl": f"rtmp://localhost/{app}",
            **(extra or {}),
        }
        return self.set_chunk_size() + self.command("connect", info)

    def publish_commands(self, name: str) -> bytes:
        return (
            self.command("releaseStream", None, name)
            + self.command("FCPublish", None, name)
            + self.command("createStream", None)
            + self.command("publish", None, name, "live", stream_id=1, txn=False)
        )

    def metadata(self, values: dict[str, object], ts: int = 0) -> bytes:
        body = amf0.encode_all("@setDataFrame", "onMetaData", amf0.EcmaArray(values))
        return self.message(5, 18, 1, ts, body)

    def video(self, ts: int, body: bytes) -> bytes:
        return self.message(6, 9, 1, ts, body)

    def audio(self, ts: int, body: bytes) -> bytes:
        return self.message(4, 8, 1, ts, body)


def command_of(message: RtmpMessage) -> list[object]:
    """The AMF0 values of a command message."""
    assert message.type_id == 20, message
    return amf0.decode_all(message.payload)


def status_code(message: RtmpMessage) -> str | None:
    """The `code` of an onStatus/_result/_error info object, if the message is one."""
    if message.type_id != 20:
        return None
    values = command_of(message)
    info = values[3] if len(values) > 3 else None
    return str(info.get("code")) if isinstance(info, dict) else None


class RtmpTestClient:
    """Drives :class:`ClientCodec` over a trio stream."""

    def __init__(self, stream: trio.abc.Stream) -> None:
        self.stream = stream
        self.codec = ClientCodec()
        self.received: list[RtmpMessage] = []

    async def send(self, data: bytes) -> None:
        await self.stream.send_all(data)

    async def handshake(self, *, digest: bool = True) -> None:
        await self.send(self.codec.c0c1(digest=digest))
        while self.codec.handshake_pending:
            data = await self.stream.receive_some()
            if not data:
                raise EOFError("server closed during the handshake")
            self.received += self.codec.receive(data)
        await self.send(self.codec.c2)

    async def read_until(self, code: str) -> RtmpMessage:
        """Read until a message carries status `code`; EOFError if the server closes first."""
        return await self._read_until(lambda m: status_code(m) == code, code)

    async def read_command(self, name: str) -> RtmpMessage:
        """Read until a command message called `name` arrives."""
        return await self._read_until(lambda m: m.type_id == 20 and command_of(m)[0] == name, name)

    async def _read_until(self, wanted: Callable[[RtmpMessage], bool], what: str) -> RtmpMessage:
        while True:
            for message in self.received:
                if wanted(message):
                    self.received.remove(message)
                    return message
            data = await self.stream.receive_some()
            if not data:
                raise EOFError(f"server closed before {what}")
            self.received += self.codec.receive(data)

    async def read_to_eof(self) -> list[RtmpMessage]:
        """Read until the server closes; everything received."""
        while data := await self.stream.receive_some():
            self.received += self.codec.receive(data)
        return self.received

    async def publish(self, key: str, *, app: str = "live") -> RtmpMessage:
        """Handshake, connect, createStream and publish; return the publish onStatus."""
        await self.handshake()
        await self.send(self.codec.connect(app))
        await self.read_until("NetConnection.Connect.Success")
        await self.send(self.codec.publish_commands(key))
        return await self.read_command("onStatus")


@dataclass
class FakePublication:
    """Collects what the RTMP server hands to a publication."""

    peer: str
    tags: list[FlvTag] = field(default_factory=list)
    details: StreamDetails | None = None
    ended: trio.Event = field(default_factory=trio.Event)
    disconnect: trio.Event = field(default_factory=trio.Event)
    tag_arrived: trio.Event = field(default_factory=trio.Event)
    send_gate: trio.Event | None = None
    confirmed: trio.Event = field(default_factory=trio.Event)

    async def send(self, tag: FlvTag) -> None:
        if self.send_gate is not None:
            await self.send_gate.wait()
        self.tags.append(tag)
        self.tag_arrived.set()
        self.tag_arrived = trio.Event()

    def set_details(self, details: StreamDetails) -> None:
        self.details = details

    async def wait_disconnect_requested(self) -> None:
        await self.disconnect.wait()

    def confirm(self) -> None:
        if not self.ended.is_set():
            self.confirmed.set()

    def end(self) -> None:
        self.ended.set()


@dataclass
class FakeGate:
    """Accepts one key and one live publisher at a time."""

    key: str = "abc123"
    publications: list[FakePublication] = field(default_factory=list)
    keys_checked: list[str] = field(default_factory=list)

    def check_key(self, key: str) -> None:
        self.keys_checked.append(key)
        if not hmac.compare_digest(key.encode(), self.key.encode()):
            raise BadStreamKeyError("invalid stream key")

    def begin(self, remote_addr: str) -> FakePublication:
        if any(not p.ended.is_set() for p in self.publications):
            raise AlreadyLiveError("a stream is already live")
        publication = FakePublication(remote_addr)
        self.publications.append(publication)
        return publication

    def reserve(self, remote_addr: str) -> FakePublication:
        return self.begin(remote_addr)
