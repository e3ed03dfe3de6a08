"""One RTMP server connection, sans-IO: handshake, control messages, commands, publish.

Feed received bytes with :meth:`ServerSession.receive_data`, pull events with
:meth:`ServerSession.next_event` until it returns None, and send
:meth:`ServerSession.data_to_send`. Parsing is lazy (one message per event), so an adapter that
stops calling `next_event` stops consuming input: that is how back-pressure reaches TCP.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable

from owncastd.core.codecs import format_of_codec_id
from owncastd.errors import RtmpProtocolError
from owncastd.rtmp import amf0, control
from owncastd.rtmp.chunks import (
    DEFAULT_MAX_MESSAGE_SIZE,
    DEFAULT_MAX_PENDING,
    MAX_CHUNK_STREAMS,
    ChunkReader,
    ChunkWriter,
    MessageType,
    RtmpMessage,
)
from owncastd.rtmp.decoding import MAX_DATA_MESSAGE_SIZE, PUBLISHER, STRANGER, DecodeBudget
from owncastd.rtmp.events import (
    Connected,
    Event,
    MediaReceived,
    MessageIgnored,
    MetadataReceived,
    PeerRejected,
    PublishRequested,
    PublishStopped,
    StreamDeleted,
)
from owncastd.rtmp.flv import media_tag, split_aggregate
from owncastd.rtmp.handshake import ServerHandshake
from owncastd.rtmp.metadata import sane, script_tag, stream_details

ACK_WINDOW = 5_000_000
OUT_CHUNK_SIZE = 4096
STREAM_ID = 1
CSID_CONTROL = 2
CSID_COMMAND = 3
CSID_STATUS = 5
FMS_VERSION = "FMS/3,0,1,123"
CAPABILITIES = 31.0
# Until a publish is accepted the peer is unknown and only sends commands (a few hundred bytes
# each): it gets small reader limits, and the media ones once its stream key checked out.
PREAUTH_MAX_MESSAGE_SIZE = 64 * 1024
PREAUTH_MAX_PENDING = 256 * 1024
PREAUTH_MAX_CHUNK_STREAMS = 64
PREAUTH_MIN_CHUNK_SIZE = 128
_REPLIES = frozenset({"_result", "_error", "onStatus", "onBWDone"})
_MEDIA = (int(MessageType.AUDIO), int(MessageType.VIDEO))

_Handler = Callable[[RtmpMessage, float, list[object]], None]


class _State(enum.Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    PUBLISH_PENDING = "publish pending"
    PUBLISHING = "publishing"
    UNPUBLISHED = "unpublished"
    CLOSED = "closed"


def _status(level: str, code: str, description: str) -> dict[str, object]:
    return {"level": level, "code": code, "description": description}


def _shown(name: str) -> str:
    return repr(name[:64])


class ServerSession:
    """The server side of one RTMP connection that accepts a publisher on application `app`.

    The chunk reader's limits are ``preauth_*`` (capped by the media limits) until
    :meth:`accept_publish`, then ``max_message_size``/``max_pending``: an unauthenticated peer
    cannot make the server hold megabytes of unfinished messages. Decode work is budgeted the
    same way (:mod:`~owncastd.rtmp.decoding`, on `clock`, in seconds); a peer past its budget
    gets :class:`~owncastd.errors.RtmpProtocolError`.
    """

    def __init__(
        self,
        *,
        app: str = "live",
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        max_pending: int = DEFAULT_MAX_PENDING,
        preauth_max_message_size: int = PREAUTH_MAX_MESSAGE_SIZE,
        preauth_max_pending: int = PREAUTH_MAX_PENDING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self._budget = DecodeBudget(clock, STRANGER)
        self._handshake = ServerHandshake()
        self._max_message_size = max_message_size
        self._max_pending = max_pending
        self._reader = ChunkReader(
            max_message_size=min(preauth_max_message_size, max_message_size),
            max_pending=min(preauth_max_pending, max_pending),
            max_chunk_streams=PREAUTH_MAX_CHUNK_STREAMS,
        )
        self._reader.min_chunk_size = PREAUTH_MIN_CHUNK_SIZE
        self._writer = ChunkWriter()
        self._outgoing: list[bytes] = []
        self._events: deque[Event] = deque()
        self._state = _State.CONNECTING
        self._received = 0
        self._acked = 0
        self._peer_window = 0
        self._stream_id = STREAM_ID
        self._handlers: dict[str, _Handler] = {
            "connect": self._connect,
            "releaseStream": self._release_stream,
            "FCPublish": self._fc_publish,
            "createStream": self._create_stream,
            "publish": self._publish,
            "FCUnpublish": self._fc_unpublish,
            "deleteStream": self._delete_stream,
            "closeStream": self._delete_stream,
            "getStreamLength": self._refuse_play,
            "play": self._refuse_play,
        }

    @property
    def handshake_done(self) -> bool:
        """True once C2 has arrived."""
        return self._handshake.done

    @property
    def digest_handshake(self) -> bool:
        """True if the client used the Flash Player 9 digest handshake."""
        return self._handshake.digest_schema is not None

    @property
    def publishing(self) -> bool:
        """True between an accepted publish and the end of it."""
        return self._state is _State.PUBLISHING

    @property
    def closed(self) -> bool:
        """True once the session refused the peer or the peer deleted its stream."""
        return self._state is _State.CLOSED

    def receive_data(self, data: bytes) -> None:
        """Take bytes read from the peer (an empty read is the caller's business)."""
        if not self._handshake.done:
            data = self._handshake.receive_data(data)
            self._outgoing.append(self._handshake.data_to_send())
            if not data:
                return
        self._received += len(data)
        self._reader.feed(data)
        if self._peer_window and self._received - self._acked >= self._peer_window:
            self._acked = self._received
            self._send_control(MessageType.ACKNOWLEDGEMENT, control.u32(self._received))

    def data_to_send(self) -> bytes:
        """Bytes queued for the peer since the last call."""
        out = b"".join(self._outgoing)
        self._outgoing.clear()
        return out

    def next_event(self) -> Event | None:
        """The next event, or None until more bytes arrive (or a publish awaits a decision)."""
        events = self._events
        while not events:
            if self._state is _State.PUBLISH_PENDING or self._state is _State.CLOSED:
                return None
            message = self._reader.next_message()
            if message is None:
                return None
            type_id = message.type_id
            if self._state is not _State.PUBLISHING:
                self._budget.charge(1.0)  # every message counts for a stranger
            if type_id in _MEDIA:
                if self._state is _State.PUBLISHING:
                    tag = media_tag(type_id, message.timestamp, message.payload)
                    if tag is not None:
                        return MediaReceived(tag)
                continue
            self._dispatch(message)
        return events.popleft()

    def accept_publish(self) -> None:
        """Answer the pending `publish` with StreamBegin and NetStream.Publish.Start."""
        if self._state is not _State.PUBLISH_PENDING:
            raise RuntimeError(f"no publish to accept (state {self._state.value})")
        self._send_control(
            MessageType.USER_CONTROL,
            control.user_control(control.UserControlEvent.STREAM_BEGIN, self._stream_id),
        )
        self._on_status(_status("status", "NetStream.Publish.Start", "Start publishing."))
        self._state = _State.PUBLISHING
        reader = self._reader
        reader.max_message_size = self._max_message_size
        reader.max_pending = self._max_pending
        reader.max_chunk_streams = MAX_CHUNK_STREAMS
        reader.min_chunk_size = 1
        self._budget.relax(PUBLISHER)

    def refuse_publish(self, description: str, code: str = "NetStream.Publish.BadName") -> None:
        """Answer with `code` (also after an accepted publish); the connection should close."""
        self._on_status(_status("error", code, description))
        self._state = _State.CLOSED

    # Outgoing messages.

    def _send(self, csid: int, type_id: int, stream_id: int, payload: bytes) -> None:
        self._outgoing.append(self._writer.write(csid, type_id, stream_id, 0, payload))

    def _send_control(self, type_id: int, payload: bytes) -> None:
        self._send(CSID_CONTROL, type_id, 0, payload)

    def _send_command(self, *values: object) -> None:
        self._send(CSID_COMMAND, MessageType.COMMAND_AMF0, 0, amf0.encode_all(*values))

    def _on_status(self, info: dict[str, object]) -> None:
        payload = amf0.encode_all("onStatus", 0.0, None, info)
        self._send(CSID_STATUS, MessageType.COMMAND_AMF0, self._stream_id, payload)

    def _call_failed(self, txn: float, code: str, description: str) -> None:
        if txn:
            self._send_command("_error", txn, None, _status("error", code, description))

    def _reject(self, reason: str) -> None:
        self._state = _State.CLOSED
        self._events.append(PeerRejected(reason))

    # Incoming messages.

    def _dispatch(self, message: RtmpMessage) -> None:
        type_id = message.type_id
        if type_id == MessageType.COMMAND_AMF0 or type_id == MessageType.COMMAND_AMF3:
            self._on_command(message)
        elif type_id == MessageType.DATA_AMF0 or type_id == MessageType.DATA_AMF3:
            self._on_data(message)
        elif type_id == MessageType.AGGREGATE:
            self._on_aggregate(message)
        elif type_id == MessageType.WINDOW_ACK_SIZE:
            self._peer_window = control.read_u32(message.payload) or 0
        elif type_id == MessageType.USER_CONTROL:
            event = control.read_user_control(message.payload)
            if event is not None and event[0] == control.UserControlEvent.PING_REQUEST:
                reply = control.user_control(control.UserControlEvent.PING_RESPONSE, event[1])
                self._send_control(MessageType.USER_CONTROL, reply)

    def _on_command(self, message: RtmpMessage) -> None:
        payload = message.payload
        if message.type_id == MessageType.COMMAND_AMF3 and payload[:1] == b"\x00":
            payload = payload[1:]
        values, error = self._budget.decode(payload)
        if not values or not isinstance(values[0], str):
            detail = str(error) if error else "the first value is not a string"
            raise RtmpProtocolError(f"command message without a name: {detail}")
        name = values[0]
        txn = values[1] if len(values) > 1 and isinstance(values[1], float) else 0.0
        if error is not None:
            self._call_failed(txn, "NetConnection.Call.BadValue", "Malformed command.")
            self._events.append(MessageIgnored(f"malformed {_shown(name)}: {error}", True))
            return
        handler = self._handlers.get(name)
        if handler is not None:
            handler(message, txn, values)
        elif name not in _REPLIES:
            self._call_failed(txn, "NetConnection.Call.Failed", "Method not found.")
            self._events.append(MessageIgnored(f"unknown command {_shown(name)}", False))

    def _on_data(self, message: RtmpMessage) -> None:
        if self._state is not _State.PUBLISHING:
            return
        payload = message.payload
        if message.type_id == MessageType.DATA_AMF3 and payload[:1] == b"\x00":
            payload = payload[1:]
        if len(payload) > MAX_DATA_MESSAGE_SIZE:
            self._budget.charge(1.0 + len(payload) // 1024)
            size = f"{len(payload)} bytes over the {MAX_DATA_MESSAGE_SIZE} limit"
            self._events.append(MessageIgnored(f"data message of {size}", True))
            return
        values, error = self._budget.decode(payload)
        if values and values[0] == "@setDataFrame":
            values = values[1:]
        if len(values) >= 2 and values[0] == "onMetaData" and isinstance(values[1], dict):
            metadata = sane(values[1])
            tag = script_tag(message.timestamp, metadata)
            video = format_of_codec_id(metadata.get("videocodecid"))
            self._events.append(MetadataReceived(stream_details(metadata), tag, video))
        elif error is not None:
            self._events.append(MessageIgnored(f"malformed data message: {error}", True))

    def _on_aggregate(self, message: RtmpMessage) -> None:
        if self._state is not _State.PUBLISHING:
            return
        for type_id, timestamp, body in split_aggregate(message.timestamp, message.payload):
            if type_id in _MEDIA:
                tag = media_tag(type_id, timestamp, body)
                if tag is not None:
                    self._events.append(MediaReceived(tag))
            elif type_id == MessageType.DATA_AMF0:
                sub = RtmpMessage(message.csid, type_id, message.stream_id, timestamp, body)
                self._on_data(sub)

    # Commands.

    def _require_connection(self, txn: float) -> bool:
        if self._state is not _State.CONNECTING:
            return True
        description = "Connect first."
        self._call_failed(txn, "NetConnection.Connect.Rejected", description)
        self._reject("stream command before connect")
        return False

    def _connect(self, message: RtmpMessage, txn: float, values: list[object]) -> None:
        if self._state is not _State.CONNECTING:
            self._call_failed(txn, "NetConnection.Call.Failed", "Already connected.")
            return
        info = values[2] if len(values) > 2 and isinstance(values[2], dict) else {}
        app = info.get("app")
        if not isinstance(app, str) or app.split("?", 1)[0].strip("/") != self.app:
            rejected = _status("error", "NetConnection.Connect.Rejected", "Unknown application.")
            self._send_command("_error", txn, None, rejected)
            self._reject("connect to an unknown application")
            return
        encoding = info.get("objectEncoding")
        self._send_control(MessageType.WINDOW_ACK_SIZE, control.u32(ACK_WINDOW))
        self._send_control(
            MessageType.SET_PEER_BANDWIDTH,
            control.set_peer_bandwidth(ACK_WINDOW, control.PeerBandwidthLimit.DYNAMIC),
        )
        self._send_control(MessageType.SET_CHUNK_SIZE, control.u32(OUT_CHUNK_SIZE))
        self._writer.chunk_size = OUT_CHUNK_SIZE
        success = _status("status", "NetConnection.Connect.Success", "Connection succeeded.")
        success["objectEncoding"] = encoding if isinstance(encoding, float) else 0.0
        properties = {"fmsVer": FMS_VERSION, "capabilities": CAPABILITIES}
        self._send_command("_result", txn, properties, success)
        self._state = _State.CONNECTED
        flash_ver = info.get("flashVer")
        self._events.append(Connected(flash_ver if isinstance(flash_ver, str) else ""))

    def _release_stream(self, message: RtmpMessage, txn: float, values: list[object]) -> None:
        if self._require_connection(txn) and txn:
            self._send_command("_result", txn, None, amf0.UNDEFINED)

    def _fc_publish(self, message: RtmpMessage, txn: float, values: list[object]) -> None:
        if self._require_connection(txn):
            info = {"code": "NetStream.Publish.Start", "description": "FCPublish"}
            self._send_command("onFCPublish", 0.0, None, info)

    def _create_stream(self, message: RtmpMessage, txn: float, values: list[object]) -> None:
        if self._require_connection(txn):
            self._send_command("_result", txn, None, float(STREAM_ID))

    def _publish(self, message: RtmpMessage, txn: float, values: list[object]) -> None:
        if self._state is _State.CONNECTING:
            self.refuse_publish("Connect first.")
            self._reject("publish before connect")
            return
        if self._state is not _State.CONNECTED:
            self.refuse_publish("Already publishing.")
            self._reject("a second publish on one connection")
            return
        self._stream_id = message.stream_id or STREAM_ID
        name = values[3] if len(values) > 3 and isinstance(values[3], str) else ""
        key = name.split("?", 1)[0]
        if not key:
            self.refuse_publish("No stream key.")
            self._reject("publish without a stream key")
            return
        self._state = _State.PUBLISH_PENDING
        self._events.append(PublishRequested(key))

    def _fc_unpublish(self, message: RtmpMessage, txn: float, values: list[object]) -> None:
        info = {"code": "NetStream.Unpublish.Success", "description": "FCUnpublish"}
        self._send_command("onFCUnpublish", 0.0, None, info)
        if self._state is _State.PUBLISHING:
            self._state = _State.UNPUBLISHED
            self._events.append(PublishStopped())

    def _delete_stream(self, message: RtmpMessage, txn: float, values: list[object]) -> None:
        if self._state is _State.PUBLISHING:
            self._events.append(PublishStopped())
        self._state = _State.CLOSED
        self._events.append(StreamDeleted())

    def _refuse_play(self, message: RtmpMessage, txn: float, values: list[object]) -> None:
        description = "This server only accepts publishers."
        self._call_failed(txn, "NetStream.Play.Failed", description)
        if values[0] == "play":
            self._on_status(_status("error", "NetStream.Play.Failed", description))
