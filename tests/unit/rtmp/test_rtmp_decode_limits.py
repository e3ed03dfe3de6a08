"""Decode limits: AMF value counts, the per-connection budget, the smallest chunk size."""

from __future__ import annotations

import struct

import pytest

from owncastd.errors import RtmpProtocolError
from owncastd.rtmp import amf0
from owncastd.rtmp.events import MessageIgnored, MetadataReceived
from owncastd.rtmp.session import ServerSession
from tests.unit.rtmp.test_rtmp_session import Pair


def test_decode_limited_counts_nested_values_and_stops() -> None:
    data = amf0.encode_all("cmd", 1.0, {"a": {"b": [1.0, 2.0]}})
    values, error, used = amf0.decode_limited(data, 100)
    assert error is None and values == amf0.decode_all(data)
    assert used == 7  # "cmd", 1.0, the object, "a"'s object, the array, two numbers
    values, error, used = amf0.decode_limited(data, 6)
    assert isinstance(error, amf0.AmfLimitError) and values == ["cmd", 1.0] and used == 6


def test_amf3_values_behind_the_avmplus_switch_count_too() -> None:
    count = 1000
    array = b"\x09" + bytes([0x8F, 0x51]) + b"\x01" + b"\x01" * count  # U29 (2001) = 1000 items
    assert count == (0x0F << 7 | 0x51) >> 1
    data = amf0.encode("x") + b"\x11" + array
    values, error, used = amf0.decode_limited(data, 2000)
    assert (
        error is None and values == ["x", [None] * count] and used == count + 3
    )  # "x", the switch, the array
    _, error, _ = amf0.decode_limited(data, 500)
    assert isinstance(error, amf0.AmfLimitError)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_stranger_budget_refills_on_the_session_clock() -> None:
    clock = FakeClock()
    pair = Pair()
    pair.session = ServerSession(clock=clock)
    pair.connect()
    command = pair.client.command("releaseStream", None, "x")
    for _ in range(30):  # 6 units each: 180 of the 256 burst (connect took some)
        pair.send(command)
    with pytest.raises(RtmpProtocolError, match="decode budget spent"):
        for _ in range(20):
            pair.send(command)
    pair = Pair()
    pair.session = ServerSession(clock=clock)
    pair.connect()
    for _ in range(200):  # 10 a second is 60 units/s: within the 64/s refill
        pair.send(command)
        clock.now += 0.1


def test_a_publisher_message_over_the_value_limit_is_ignored_not_fatal() -> None:
    pair = Pair()
    pair.publish()
    many = amf0.EcmaArray({f"k{i}": None for i in range(5000)})
    [ignored] = pair.send(pair.client.metadata(many))
    assert isinstance(ignored, MessageIgnored) and ignored.malformed
    assert "more than 4096 AMF values" in ignored.reason
    [received] = pair.send(pair.client.metadata({"width": 640.0}))
    assert isinstance(received, MetadataReceived) and received.details.width == 640


def test_tiny_chunks_are_refused_before_publish_only() -> None:
    pair = Pair()
    pair.connect()
    with pytest.raises(RtmpProtocolError, match="SetChunkSize 64 below 128"):
        pair.send(pair.client.message(2, 1, 0, 0, struct.pack(">I", 64)))
    pair = Pair()
    pair.publish()
    assert pair.send(pair.client.message(2, 1, 0, 0, struct.pack(">I", 64))) == []
    assert pair.session.publishing
