"""The sans-IO server session: replies, publish flow, metadata, media, bad input."""

from __future__ import annotations

import struct

import pytest

from owncastd.core.media import TagKind
from owncastd.errors import RtmpProtocolError
from owncastd.rtmp import amf0
from owncastd.rtmp.chunks import RtmpMessage, basic_header
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
from owncastd.rtmp.session import ServerSession
from tests.component.rtmp_client import (
    AAC_SEQUENCE_HEADER,
    AVC_SEQUENCE_HEADER,
    ClientCodec,
    aac_frame,
    avc_frame,
    command_of,
    status_code,
)

METADATA = {
    "width": 1280.0,
    "height": 720.0,
    "framerate": 30.0,
    "videocodecid": 7.0,
    "videodatarate": 6000.0,
    "audiocodecid": 10.0,
    "audiodatarate": 128.0,
    "encoder": "test encoder",
}


class Pair:
    """A session and a client codec talking to each other in memory."""

    def __init__(self, **session_args: int) -> None:
        self.session = ServerSession(**session_args)  # type: ignore[arg-type]
        self.client = ClientCodec()
        self.replies: list[RtmpMessage] = []

    def send(self, data: bytes) -> list[Event]:
        self.session.receive_data(data)
        events = self.events()
        self.flush()
        return events

    def events(self) -> list[Event]:
        out = []
        while (event := self.session.next_event()) is not None:
            out.append(event)
        return out

    def flush(self) -> list[RtmpMessage]:
        new = self.client.receive(self.session.data_to_send())
        self.replies += new
        return new

    def handshake(self) -> None:
        assert self.send(self.client.c0c1()) == []
        assert self.send(self.client.c2) == []
        assert self.session.handshake_done

    def connect(self) -> list[Event]:
        self.handshake()
        return self.send(self.client.connect())

    def publish(self, name: str = "abc123") -> None:
        assert self.connect() == [Connected("FMLE/3.0 (compatible; test)")]
        events = self.send(self.client.publish_commands(name))
        assert events == [PublishRequested(name.split("?")[0])]
        self.session.accept_publish()
        self.flush()


def test_connect_replies_as_nginx_rtmp_does() -> None:
    pair = Pair()
    assert pair.connect() == [Connected("FMLE/3.0 (compatible; test)")]
    window, bandwidth, chunk_size, result = pair.replies
    assert (window.type_id, window.payload) == (5, struct.pack(">I", 5_000_000))
    assert (bandwidth.type_id, bandwidth.payload) == (6, struct.pack(">IB", 5_000_000, 2))
    assert (chunk_size.type_id, chunk_size.payload) == (1, struct.pack(">I", 4096))
    assert pair.client.reader.chunk_size == 4096
    assert command_of(result) == [
        "_result",
        1.0,
        {"fmsVer": "FMS/3,0,1,123", "capabilities": 31.0},
        {
            "level": "status",
            "code": "NetConnection.Connect.Success",
            "description": "Connection succeeded.",
            "objectEncoding": 0.0,
        },
    ]


def test_publish_flow() -> None:
    pair = Pair()
    pair.connect()
    pair.replies.clear()
    events = pair.send(pair.client.publish_commands("abc123?token=x&y=1"))
    assert events == [PublishRequested("abc123")]
    assert "abc123" not in repr(events[0])
    release, fcpublish, create = pair.replies
    assert command_of(release) == ["_result", 2.0, None, amf0.UNDEFINED]
    assert command_of(fcpublish)[0] == "onFCPublish"
    assert command_of(create) == ["_result", 4.0, None, 1.0]
    pair.replies.clear()
    pair.session.accept_publish()
    stream_begin, on_status = pair.flush()
    assert (stream_begin.type_id, stream_begin.payload) == (4, b"\x00\x00\x00\x00\x00\x01")
    assert on_status.stream_id == 1
    assert command_of(on_status) == [
        "onStatus",
        0.0,
        None,
        {"level": "status", "code": "NetStream.Publish.Start", "description": "Start publishing."},
    ]
    assert pair.session.publishing


def test_nothing_is_parsed_while_a_publish_awaits_a_decision() -> None:
    pair = Pair()
    pair.connect()
    data = pair.client.publish_commands("abc123") + pair.client.video(0, AVC_SEQUENCE_HEADER)
    assert pair.send(data) == [PublishRequested("abc123")]
    assert pair.events() == []
    pair.session.accept_publish()
    [event] = pair.events()
    assert isinstance(event, MediaReceived)
    assert event.tag.sequence_header


def test_refused_publish_gets_bad_name_and_no_media() -> None:
    pair = Pair()
    pair.connect()
    data = pair.client.publish_commands("wrong") + pair.client.video(0, avc_frame(True))
    assert pair.send(data) == [PublishRequested("wrong")]
    pair.session.refuse_publish("Invalid stream key.")
    [reply] = [m for m in pair.flush() if m.type_id == 20]
    info = command_of(reply)[3]
    assert info == {
        "level": "error",
        "code": "NetStream.Publish.BadName",
        "description": "Invalid stream key.",
    }
    assert pair.session.closed
    assert pair.events() == []


def test_media_becomes_flv_tags_with_absolute_timestamps() -> None:
    pair = Pair()
    pair.publish()
    c = pair.client
    data = (
        c.metadata(METADATA)
        + c.video(0, AVC_SEQUENCE_HEADER)
        + c.audio(0, AAC_SEQUENCE_HEADER)
        + b"".join(c.video(ts, avc_frame(ts == 0)) for ts in range(0, 1000, 33))
        + b"".join(c.audio(ts, aac_frame()) for ts in range(0, 1000, 23))
        + c.video(0x01000005, avc_frame(True, 5000))  # extended timestamp, several chunks
    )
    events = pair.send(data)
    meta, *media = events
    assert isinstance(meta, MetadataReceived)
    assert meta.details.width == 1280 and meta.details.video_codec == "H.264"
    assert meta.details.audio_codec == "AAC" and meta.details.encoder == "test encoder"
    assert meta.tag is not None and meta.tag.kind is TagKind.SCRIPT
    assert amf0.decode_all(meta.tag.data[11:-4]) == ["onMetaData", METADATA]
    tags = [e.tag for e in media if isinstance(e, MediaReceived)]
    assert len(tags) == len(media) == 2 + 31 + 44 + 1
    video = [t for t in tags if t.kind is TagKind.VIDEO]
    assert [t.timestamp for t in video] == [0, *range(0, 1000, 33), 0x01000005]
    assert [t.timestamp for t in tags if t.kind is TagKind.AUDIO] == [0, *range(0, 1000, 23)]
    assert [t.keyframe for t in video] == [False, True] + [False] * 30 + [True]
    assert [t.sequence_header for t in tags].count(True) == 2
    last = video[-1].data
    assert last[4:8] == b"\x00\x00\x05\x01"  # 24-bit timestamp + extended byte
    assert struct.unpack(">I", last[-4:])[0] == len(last) - 4


def test_media_before_publish_is_dropped() -> None:
    pair = Pair()
    pair.connect()
    assert pair.send(pair.client.video(0, avc_frame(True))) == []
    published = Pair()  # the control: the same frame once published
    published.publish()
    [event] = published.send(published.client.video(0, avc_frame(True)))
    assert isinstance(event, MediaReceived) and event.tag.keyframe


def test_metadata_variants() -> None:
    pair = Pair()
    pair.publish()
    plain = amf0.encode_all("onMetaData", {"width": 640.0, "videocodecid": "avc1"})
    amf3_data = b"\x00" + amf0.encode_all("@setDataFrame", "onMetaData", {"height": 360.0})
    other = amf0.encode_all("onTextData", {"text": "hi"})
    events = pair.send(
        pair.client.message(5, 18, 1, 0, plain)
        + pair.client.message(5, 15, 1, 0, amf3_data)
        + pair.client.message(5, 18, 1, 0, other)
    )
    assert [type(e) for e in events] == [MetadataReceived, MetadataReceived]
    first, second = (e.details for e in events if isinstance(e, MetadataReceived))
    assert (first.width, first.video_codec, first.video_only) == (640, "H.264", True)
    assert second.height == 360


def test_unknown_command_is_answered_and_the_connection_lives_on() -> None:
    pair = Pair()
    pair.handshake()
    events = pair.send(pair.client.command("_checkbw", None))
    assert events == [MessageIgnored("unknown command '_checkbw'", False)]
    [reply] = pair.replies
    assert command_of(reply)[:2] == ["_error", 1.0]
    assert status_code(reply) == "NetConnection.Call.Failed"
    assert pair.send(pair.client.command("noTxn", None, txn=False)) == [
        MessageIgnored("unknown command 'noTxn'", False)
    ]
    assert len(pair.replies) == 1
    assert pair.send(pair.client.connect()) == [Connected("FMLE/3.0 (compatible; test)")]


def test_replies_from_the_client_are_ignored_quietly() -> None:
    pair = Pair()
    pair.connect()
    pair.replies.clear()
    assert pair.send(pair.client.command("_result", None)) == []
    assert pair.replies == []
    pair.send(pair.client.command("_checkbw", None))  # the control: a command is answered
    assert [command_of(reply)[0] for reply in pair.replies] == ["_error"]


def test_play_is_refused_politely() -> None:
    pair = Pair()
    pair.connect()
    pair.replies.clear()
    events = pair.send(
        pair.client.command("getStreamLength", None, "x")
        + pair.client.command("play", None, "x", stream_id=1)
    )
    assert events == []
    codes = [status_code(m) for m in pair.replies]
    assert codes == ["NetStream.Play.Failed"] * 3
    assert not pair.session.closed


@pytest.mark.parametrize("app", ["live", "live/", "/live", "live?token=1"])
def test_app_live_is_accepted(app: str) -> None:
    pair = Pair()
    pair.handshake()
    assert pair.send(pair.client.connect(app)) == [Connected("FMLE/3.0 (compatible; test)")]


@pytest.mark.parametrize("app", ["vod", "", "live/abc123", "LIVE"])
def test_other_apps_are_rejected(app: str) -> None:
    pair = Pair()
    pair.handshake()
    events = pair.send(pair.client.connect(app))
    assert events == [PeerRejected("connect to an unknown application")]
    assert status_code(pair.replies[-1]) == "NetConnection.Connect.Rejected"
    assert pair.session.closed
    assert pair.send(pair.client.publish_commands("abc123")) == []


def test_publish_without_connect_is_refused_with_bad_name() -> None:
    pair = Pair()
    pair.handshake()
    events = pair.send(pair.client.command("publish", None, "abc123", "live", stream_id=1))
    assert events == [PeerRejected("publish before connect")]
    assert status_code(pair.replies[-1]) == "NetStream.Publish.BadName"


def test_stream_commands_without_connect_are_rejected() -> None:
    pair = Pair()
    pair.handshake()
    events = pair.send(pair.client.command("createStream", None))
    assert events == [PeerRejected("stream command before connect")]
    assert status_code(pair.replies[-1]) == "NetConnection.Connect.Rejected"


def test_second_publish_on_one_connection_is_refused() -> None:
    pair = Pair()
    pair.publish()
    events = pair.send(pair.client.command("publish", None, "abc123", "live", stream_id=1))
    assert events == [PeerRejected("a second publish on one connection")]


def test_publish_without_a_name_is_refused() -> None:
    pair = Pair()
    pair.connect()
    events = pair.send(pair.client.publish_commands("?only=query"))
    assert events == [PeerRejected("publish without a stream key")]


def test_enhanced_rtmp_connect_with_extra_fields() -> None:
    pair = Pair()
    pair.handshake()
    extra = {
        "fourCcList": ["av01", "vp09", "hvc1"],
        "capsEx": 1.0,
        "videoFourCcInfoMap": amf0.EcmaArray({"hvc1": 3.0}),
        "objectEncoding": 3.0,
    }
    assert pair.send(pair.client.connect("live", extra)) == [
        Connected("FMLE/3.0 (compatible; test)")
    ]
    assert command_of(pair.replies[-1])[3]["objectEncoding"] == 3.0  # type: ignore[index]


def test_avmplus_value_in_connect_is_tolerated() -> None:
    pair = Pair()
    pair.handshake()
    info = amf0.encode({"app": "live", "flashVer": "x"})[:-3]  # object without its end marker
    info += b"\x00\x05extra\x11\x0a\x0b\x01\x03a\x04\x01\x01\x00\x00\x09"  # AMF3 {a: 1}
    body = amf0.encode_all("connect", 1.0) + info
    assert pair.send(pair.client.message(3, 20, 0, 0, body)) == [Connected("x")]


def test_malformed_arguments_reject_only_that_command() -> None:
    pair = Pair()
    pair.handshake()
    body = amf0.encode_all("connect", 1.0) + b"\x03\x00\x03app\x02\x00\x10li"  # truncated
    [event] = pair.send(pair.client.message(3, 20, 0, 0, body))
    assert isinstance(event, MessageIgnored) and event.malformed
    assert status_code(pair.replies[-1]) == "NetConnection.Call.BadValue"
    assert not pair.session.closed
    assert pair.send(pair.client.connect()) == [Connected("FMLE/3.0 (compatible; test)")]


def test_amf3_command_message_is_understood() -> None:
    pair = Pair()
    pair.handshake()
    body = b"\x00" + amf0.encode_all("connect", 1.0, {"app": "live"})
    assert pair.send(pair.client.message(3, 17, 0, 0, body)) == [Connected("")]


@pytest.mark.parametrize(
    "body",
    [b"\x00\x3f\xf0\x00\x00\x00\x00\x00\x00", b"\x02\x00\x10conn", b"\xff", b""],
)
def test_command_without_a_readable_name_is_a_protocol_error(body: bytes) -> None:
    pair = Pair()
    pair.handshake()
    with pytest.raises(RtmpProtocolError, match="command message without a name"):
        pair.send(pair.client.message(3, 20, 0, 0, body))


def test_garbage_is_a_protocol_error() -> None:
    with pytest.raises(RtmpProtocolError):
        Pair().send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    pair = Pair()
    pair.handshake()
    with pytest.raises(RtmpProtocolError):
        pair.send(b"\xc7" + bytes(100))


def test_oversize_message_is_a_protocol_error() -> None:
    pair = Pair(max_message_size=10_000)
    pair.publish()
    with pytest.raises(RtmpProtocolError, match="exceeds"):
        pair.send(pair.client.video(0, avc_frame(True, 20_000)))


def test_acknowledgements_follow_the_peer_window() -> None:
    pair = Pair()
    pair.publish()
    pair.replies.clear()
    assert pair.send(pair.client.message(2, 5, 0, 0, struct.pack(">I", 10_000))) == []
    assert pair.replies == []
    sent = pair.session._received
    frames = [pair.client.video(ts, avc_frame(False, 3000)) for ts in range(4)]
    for frame in frames:
        pair.send(frame)
    acks = [m for m in pair.replies if m.type_id == 3]
    assert len(acks) == 1
    assert struct.unpack(">I", acks[0].payload)[0] == sent + sum(map(len, frames))


def test_ping_request_is_answered() -> None:
    pair = Pair()
    pair.connect()
    pair.replies.clear()
    pair.send(pair.client.message(2, 4, 0, 0, b"\x00\x06\x00\x00\x12\x34"))
    [pong] = pair.replies
    assert (pong.type_id, pong.payload) == (4, b"\x00\x07\x00\x00\x12\x34")


def test_unpublish_and_delete_stream() -> None:
    pair = Pair()
    pair.publish()
    assert pair.send(pair.client.command("FCUnpublish", None, "abc123")) == [PublishStopped()]
    assert not pair.session.publishing
    assert pair.send(pair.client.video(40, avc_frame(False))) == []
    assert pair.send(pair.client.command("deleteStream", None, 1.0)) == [StreamDeleted()]
    assert pair.session.closed


def test_delete_stream_while_publishing_stops_the_publish_first() -> None:
    pair = Pair()
    pair.publish()
    events = pair.send(pair.client.command("deleteStream", None, 1.0))
    assert events == [PublishStopped(), StreamDeleted()]


def test_aggregate_messages_are_split() -> None:
    from owncastd.rtmp.flv import make_tag

    pair = Pair()
    pair.publish()
    inner = make_tag(TagKind.VIDEO, 0, avc_frame(True)).data
    inner += make_tag(TagKind.AUDIO, 10, aac_frame()).data
    events = pair.send(pair.client.message(6, 22, 1, 500, inner))
    assert [e.tag.timestamp for e in events if isinstance(e, MediaReceived)] == [500, 510]


def _whole_publish(client: ClientCodec, c2: bytes) -> bytes:
    return (
        c2
        + client.connect()
        + client.publish_commands("abc123")
        + client.metadata(METADATA)
        + client.video(0, AVC_SEQUENCE_HEADER)
        + b"".join(client.video(ts, avc_frame(ts % 330 == 0, 700)) for ts in range(0, 2000, 33))
        + b"".join(client.audio(ts, aac_frame(300)) for ts in range(0, 2000, 21))
        + client.message(2, 4, 0, 0, b"\x00\x06\x00\x00\x00\x01")
        + client.video(0x01FFFFFF, avc_frame(True, 9000))
        + client.command("FCUnpublish", None, "abc123")
        + client.command("deleteStream", None, 1.0)
    )


def _run_whole(data_pieces: list[bytes]) -> tuple[list[Event], bytes]:
    session = ServerSession()
    events: list[Event] = []
    out = b""
    for piece in data_pieces:
        session.receive_data(piece)
        while (event := session.next_event()) is not None:
            events.append(event)
            if isinstance(event, PublishRequested):
                session.accept_publish()
        out += session.data_to_send()
    return events, out


def test_fed_one_byte_at_a_time_gives_the_same_events() -> None:
    client = ClientCodec()
    c0c1 = client.c0c1()
    events_once, out = _run_whole([c0c1])
    client.receive(out)
    data = c0c1 + _whole_publish(client, client.c2)
    events_once, out_once = _run_whole([data])
    events_bytes, out_bytes = _run_whole([data[i : i + 1] for i in range(len(data))])
    assert len(events_once) == 1 + 1 + 1 + 1 + 61 + 96 + 1 + 2
    assert isinstance(events_once[-1], StreamDeleted)
    assert events_bytes == events_once
    # Same replies, apart from the random filler of S1/S2.
    assert out_bytes[3073:] == out_once[3073:]


def unfinished(client: ClientCodec, csid: int, length: int) -> bytes:
    """A video message of `length` bytes on `csid` without its last chunk."""
    chunk = client.writer.chunk_size
    full = client.message(csid, 9, 1, 0, bytes(length))
    first = len(basic_header(0, csid)) + 11 + chunk
    chunks = (length - 1) // chunk  # all but the last
    return full[: first + (chunks - 1) * (len(basic_header(3, csid)) + chunk)]


def test_before_a_publish_is_accepted_a_message_is_at_most_64_kib() -> None:
    pair = Pair()
    pair.connect()
    # A 64 KiB message is fine (and ignored: nothing is published yet)...
    assert pair.send(pair.client.video(0, avc_frame(True, 64 * 1024 - 5))) == []
    # ...one byte more is refused from its first chunk, before any payload is held.
    header_only = pair.client.video(0, avc_frame(True, 64 * 1024 - 4))[:12]
    with pytest.raises(RtmpProtocolError, match="65537 bytes exceeds the 65536 limit"):
        pair.send(header_only)


def test_before_a_publish_is_accepted_unfinished_messages_are_at_most_256_kib() -> None:
    four = Pair()
    four.connect()  # four of them (4 x 56 KiB held) are fine
    held = b"".join(unfinished(four.client, csid, 60_000) for csid in range(10, 14))
    assert four.send(held) == []
    pair = Pair()
    pair.connect()
    # Five 60 KB messages on five chunk streams, each missing its last chunk (5 x 56 KiB held).
    data = b"".join(unfinished(pair.client, csid, 60_000) for csid in range(10, 15))
    with pytest.raises(RtmpProtocolError, match="unfinished"):
        pair.send(data)


def test_before_a_publish_is_accepted_chunk_streams_are_at_most_64() -> None:
    pair = Pair()
    pair.connect()  # chunk streams 2 (SetChunkSize) and 3 (connect)
    pair.send(b"".join(pair.client.message(csid, 9, 1, 0, b"") for csid in range(4, 66)))
    with pytest.raises(RtmpProtocolError, match="more than 64 chunk streams"):
        pair.send(pair.client.message(66, 9, 1, 0, b""))


def test_the_media_limits_apply_once_the_publish_is_accepted() -> None:
    pair = Pair()
    pair.connect()
    # An encoder may send its first keyframe right behind `publish`: parsing waits for the
    # decision, so the frame is read under the media limits.
    big = avc_frame(True, 3_000_000)
    events = pair.send(pair.client.publish_commands("abc123") + pair.client.video(0, big))
    assert events == [PublishRequested("abc123")]
    pair.session.accept_publish()
    [media] = pair.events()
    assert isinstance(media, MediaReceived)
    assert media.tag.kind is TagKind.VIDEO and len(media.tag.data) > len(big)
    frames = b"".join(pair.client.video(ts, avc_frame(False, 200_000)) for ts in range(1, 10))
    held = b"".join(unfinished(pair.client, csid, 500_000) for csid in range(70, 80))
    assert len(pair.send(frames + held)) == 9  # 10 x 496 KiB unfinished is fine now
