"""The chunk stream: every header type, extended timestamps, chunk sizes, interleaving, Abort."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from owncastd.errors import RtmpProtocolError
from owncastd.rtmp.chunks import ChunkReader, ChunkWriter, RtmpMessage, basic_header


def u24(value: int) -> bytes:
    return value.to_bytes(3, "big")


def fmt0(csid: int, ts: int, length: int, type_id: int, sid: int) -> bytes:
    return bytes([csid]) + u24(ts) + u24(length) + bytes([type_id]) + struct.pack("<I", sid)


def set_chunk_size(size: int) -> bytes:
    return fmt0(2, 0, 4, 1, 0) + struct.pack(">I", size)


def read_all(reader: ChunkReader, data: bytes = b"") -> list[RtmpMessage]:
    reader.feed(data)
    out = []
    while (message := reader.next_message()) is not None:
        out.append(message)
    return out


def msg(csid: int, type_id: int, sid: int, ts: int, payload: bytes) -> RtmpMessage:
    return RtmpMessage(csid, type_id, sid, ts, payload)


def test_the_four_header_types_and_timestamp_deltas() -> None:
    data = (
        fmt0(3, 100, 5, 20, 1) + b"hello"  # type 0: absolute 100
        + b"\x43" + u24(10) + u24(3) + b"\x08" + b"abc"  # type 1: +10, new length/type
        + b"\x83" + u24(5) + b"xyz"  # type 2: +5
        + b"\xc3" + b"123"  # type 3: +5 again
    )  # fmt: skip
    assert read_all(ChunkReader(), data) == [
        msg(3, 20, 1, 100, b"hello"),
        msg(3, 8, 1, 110, b"abc"),
        msg(3, 8, 1, 115, b"xyz"),
        msg(3, 8, 1, 120, b"123"),
    ]


def test_type3_after_type0_uses_the_type0_timestamp_as_delta() -> None:
    data = fmt0(4, 40, 2, 9, 1) + b"ab" + b"\xc4cd"
    assert [m.timestamp for m in read_all(ChunkReader(), data)] == [40, 80]


@pytest.mark.parametrize(
    ("header", "csid"),
    [
        (b"\x02", 2),
        (b"\x3f", 63),
        (b"\x00\x00", 64),
        (b"\x00\xff", 319),
        (b"\x01\x00\x01", 320),
        (b"\x01\xff\xff", 65599),
    ],
)
def test_basic_header_sizes(header: bytes, csid: int) -> None:
    data = header + u24(7) + u24(1) + b"\x12" + b"\x00\x00\x00\x00" + b"x"
    assert read_all(ChunkReader(), data) == [msg(csid, 18, 0, 7, b"x")]
    assert basic_header(0, csid) == header


def test_multi_chunk_message_with_default_chunk_size() -> None:
    payload = bytes(range(256)) + bytes(44)
    data = fmt0(6, 0, 300, 9, 1) + payload[:128] + b"\xc6" + payload[128:256] + b"\xc6"
    reader = ChunkReader()
    assert read_all(reader, data + payload[256:299]) == []
    assert read_all(reader, payload[299:]) == [msg(6, 9, 1, 0, payload)]


def test_extended_timestamp_repeated_on_type3_continuations() -> None:
    payload = bytes(range(200)) + bytes(56)
    ext = b"\x01\x00\x00\x00"
    data = (
        b"\x04\xff\xff\xff" + u24(256) + b"\x09" + b"\x01\x00\x00\x00" + ext + payload[:128]
        + b"\xc4" + ext + payload[128:]  # librtmp, ffmpeg and OBS repeat it
    )  # fmt: skip
    assert read_all(ChunkReader(), data) == [msg(4, 9, 1, 0x01000000, payload)]


def test_extended_timestamp_not_repeated_on_type3_continuations() -> None:
    payload = b"\xaa" * 256
    data = (
        b"\x04\xff\xff\xff" + u24(256) + b"\x09" + b"\x01\x00\x00\x00" + b"\x01\x00\x00\x00"
        + payload[:128] + b"\xc4" + payload[128:]
    )  # fmt: skip
    assert read_all(ChunkReader(), data) == [msg(4, 9, 1, 0x01000000, payload)]


def test_type3_new_message_after_an_extended_header_reads_the_extended_delta() -> None:
    data = (
        b"\x04\xff\xff\xff" + u24(2) + b"\x09" + b"\x01\x00\x00\x00" + b"\x01\x00\x00\x00" + b"ab"
        + b"\x44\xff\xff\xff" + u24(2) + b"\x09" + b"\x01\x00\x00\x00" + b"cd"  # type 1, +2**24
        + b"\xc4" + b"\x01\x00\x00\x00" + b"ef"  # type 3: the extended delta comes again
    )  # fmt: skip
    assert [m.timestamp for m in read_all(ChunkReader(), data)] == [
        0x01000000,
        0x02000000,
        0x03000000,
    ]


def test_timestamps_wrap_at_32_bits() -> None:
    data = (
        b"\x04\xff\xff\xff" + u24(1) + b"\x09" + b"\x01\x00\x00\x00" + b"\xff\xff\xff\xf0" + b"a"
        + b"\x84" + u24(0x20) + b"b"
    )  # fmt: skip
    assert [m.timestamp for m in read_all(ChunkReader(), data)] == [0xFFFFFFF0, 0x10]


def test_set_chunk_size_mid_stream_and_mid_message() -> None:
    first = bytes(range(300 % 256)) + bytes(300 - 44)
    data = (
        fmt0(4, 0, 300, 9, 1) + first[:128]  # 128 bytes at the default size
        + set_chunk_size(200)  # on another chunk stream, mid-message
        + b"\xc4" + first[128:]  # the remaining 172 bytes fit one 200-byte chunk
        + fmt0(6, 5, 400, 8, 1) + bytes(200) + b"\xc6" + bytes(200)
    )  # fmt: skip
    reader = ChunkReader()
    assert read_all(reader, data) == [
        msg(2, 1, 0, 0, b"\x00\x00\x00\xc8"),  # applied, and returned too
        msg(4, 9, 1, 0, first),
        msg(6, 8, 1, 5, bytes(400)),
    ]
    assert reader.chunk_size == 200


def test_interleaved_chunk_streams() -> None:
    video = b"V" * 300
    audio = b"A" * 200
    data = (
        fmt0(4, 0, 300, 9, 1) + video[:128]
        + fmt0(6, 0, 200, 8, 1) + audio[:128]
        + b"\xc4" + video[128:256]
        + b"\xc6" + audio[128:]
        + b"\xc4" + video[256:]
    )  # fmt: skip
    assert read_all(ChunkReader(), data) == [msg(6, 8, 1, 0, audio), msg(4, 9, 1, 0, video)]


def test_abort_drops_the_unfinished_message() -> None:
    abort = fmt0(2, 0, 4, 2, 0) + struct.pack(">I", 4)
    data = (
        fmt0(4, 0, 300, 9, 1) + b"x" * 128
        + abort
        + fmt0(4, 33, 3, 9, 1) + b"new"
    )  # fmt: skip
    assert read_all(ChunkReader(), data) == [
        msg(2, 2, 0, 0, b"\x00\x00\x00\x04"),
        msg(4, 9, 1, 33, b"new"),
    ]


def test_zero_length_message() -> None:
    assert read_all(ChunkReader(), fmt0(3, 1, 0, 20, 0)) == [msg(3, 20, 0, 1, b"")]


@pytest.mark.parametrize("size", [0, MAX := 16 * 1024 * 1024 + 1, 0x80000080, 0xFFFFFFFF])
def test_bad_chunk_sizes_are_protocol_errors(size: int) -> None:
    with pytest.raises(RtmpProtocolError, match="SetChunkSize"):
        read_all(ChunkReader(), set_chunk_size(size))


def test_largest_chunk_size_is_accepted() -> None:
    reader = ChunkReader()
    read_all(reader, set_chunk_size(MAX - 1))
    assert reader.chunk_size == 16 * 1024 * 1024


def test_oversize_message_is_a_protocol_error() -> None:
    with pytest.raises(RtmpProtocolError, match="exceeds"):
        read_all(ChunkReader(max_message_size=1000), fmt0(4, 0, 1001, 9, 1))
    with pytest.raises(RtmpProtocolError, match="exceeds"):
        read_all(ChunkReader(), fmt0(4, 0, 0xFFFFFF, 9, 1))


def test_unfinished_messages_are_bounded() -> None:
    reader = ChunkReader(max_pending=1000)
    data = b"".join(fmt0(csid, 0, 600, 9, 1) + bytes(128) for csid in range(3, 20))
    with pytest.raises(RtmpProtocolError, match="unfinished"):
        read_all(reader, data)


def test_chunk_streams_in_use_are_bounded() -> None:
    reader = ChunkReader(max_chunk_streams=5)
    # Empty messages on chunk streams 2..6 (five ids): fine.
    assert len(read_all(reader, b"".join(fmt0(c, 0, 0, 9, 1) for c in range(2, 7)))) == 5
    reader.max_chunk_streams = 6  # limits are attributes: raising one takes effect at once
    assert read_all(reader, fmt0(7, 0, 0, 9, 1)) == [msg(7, 9, 1, 0, b"")]
    assert read_all(reader, fmt0(2, 0, 0, 9, 1)) == [msg(2, 9, 1, 0, b"")]  # ids in use: fine
    with pytest.raises(RtmpProtocolError, match="more than 6 chunk streams"):
        read_all(reader, fmt0(8, 0, 0, 9, 1))


def test_type3_on_an_unknown_chunk_stream_is_a_protocol_error() -> None:
    with pytest.raises(RtmpProtocolError, match="unknown chunk stream"):
        read_all(ChunkReader(), b"\xc5abc")


def test_short_control_payloads_are_protocol_errors() -> None:
    with pytest.raises(RtmpProtocolError):
        read_all(ChunkReader(), fmt0(2, 0, 2, 1, 0) + b"\x00\x10")
    with pytest.raises(RtmpProtocolError):
        read_all(ChunkReader(), fmt0(2, 0, 1, 2, 0) + b"\x04")


def _everything() -> bytes:
    ext = b"\x01\x00\x00\x00"
    return (
        fmt0(3, 100, 5, 20, 1) + b"hello"
        + b"\x43" + u24(10) + u24(3) + b"\x08" + b"abc"
        + b"\x83" + u24(5) + b"xyz" + b"\xc3" + b"123"
        + b"\x04\xff\xff\xff" + u24(256) + b"\x09" + b"\x01\x00\x00\x00" + ext + bytes(128)
        + fmt0(6, 0, 200, 8, 1) + b"A" * 128
        + b"\xc4" + ext + bytes(128)
        + b"\xc6" + b"A" * 72
        + set_chunk_size(1000)
        + b"\x01\xff\xff" + u24(1) + u24(900) + b"\x12" + bytes(4) + b"d" * 900
    )  # fmt: skip


def test_one_byte_at_a_time_gives_the_same_messages() -> None:
    data = _everything()
    whole = read_all(ChunkReader(), data)
    assert len(whole) == 8
    reader = ChunkReader()
    trickled: list[RtmpMessage] = []
    for i in range(len(data)):
        trickled += read_all(reader, data[i : i + 1])
    assert trickled == whole


_messages = st.lists(
    st.tuples(
        st.sampled_from([2, 3, 4, 63, 64, 319, 320, 65599]),
        st.sampled_from([8, 9, 18, 20]),
        st.integers(0, 3),
        st.integers(0, 2**32 - 1) | st.integers(0, 200),
        st.binary(max_size=700),
    ),
    max_size=12,
)


@settings(max_examples=200)
@given(_messages, st.integers(1, 600), st.booleans(), st.data())
def test_writer_and_reader_round_trip(
    messages: list[tuple[int, int, int, int, bytes]],
    chunk_size: int,
    compress: bool,
    data: st.DataObject,
) -> None:
    writer = ChunkWriter(compress=compress)
    stream = writer.write(2, 1, 0, 0, struct.pack(">I", chunk_size))
    writer.chunk_size = chunk_size
    stream += b"".join(writer.write(*m) for m in messages)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    reader = ChunkReader()
    got: list[RtmpMessage] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        got += read_all(reader, stream[start:end])
    assert got[0].type_id == 1
    assert [(m.csid, m.type_id, m.stream_id, m.timestamp, m.payload) for m in got[1:]] == messages
    assert reader.buffered == 0


def test_compressing_writer_uses_every_header_type() -> None:
    writer = ChunkWriter(compress=True)
    first = [writer.write(4, 9, 1, ts, b"x" * size)[0] >> 6 for ts, size in
             [(0, 3), (33, 4), (50, 4), (67, 4), (67, 5), (50, 5)]]  # fmt: skip
    assert first == [0, 1, 2, 3, 1, 0]


def test_writer_can_omit_the_extended_timestamp_on_continuations() -> None:
    payload = bytes(range(200))
    raw = ChunkWriter(repeat_extended=False).write(4, 9, 1, 0x01000000, payload)
    assert raw[12:16] == b"\x01\x00\x00\x00"
    assert raw[16 + 128 : 16 + 129] == b"\xc4"
    assert raw[16 + 129 :] == payload[128:]
    assert read_all(ChunkReader(), raw) == [msg(4, 9, 1, 0x01000000, payload)]
