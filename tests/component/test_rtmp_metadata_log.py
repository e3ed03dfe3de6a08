"""An encoder that repeats `@setDataFrame onMetaData` (GStreamer's flvmux does, with its media)
gets one `rtmp metadata` log line per change, not one per packet — over real loopback TCP."""

from __future__ import annotations

import logging

import pytest
import trio

from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import (
    AVC_SEQUENCE_HEADER,
    FakeGate,
    FakePublication,
    RtmpTestClient,
    avc_frame,
    status_code,
)

KEY = "abc123"
METADATA = {
    "width": 320.0,
    "height": 240.0,
    "framerate": 30.0,
    "videocodecid": 7.0,
    "videodatarate": 800.0,
    "audiocodecid": 10.0,
    "audiodatarate": 128.0,
    "encoder": "GStreamer FLV muxer",
}
REPEATS = 40


def metadata_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("rtmp metadata")]


async def send_repeated(client: RtmpTestClient, metadata: dict[str, object], start: int) -> int:
    """`REPEATS` copies of `metadata`, each followed by a video frame; the next timestamp."""
    c = client.codec
    for n in range(REPEATS):
        ts = (start + n) * 33
        await client.send(c.metadata(metadata, ts) + c.video(ts, avc_frame(n == 0)))
    return start + REPEATS


async def wait_for_tags(publication: FakePublication, count: int) -> None:
    while len(publication.tags) < count:
        await publication.tag_arrived.wait()


async def test_repeated_metadata_is_logged_once_per_change(
    nursery: trio.Nursery, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="owncastd.rtmp")
    gate = FakeGate(KEY)
    port = await nursery.start(RtmpServer(gate, "127.0.0.1", 0).run)
    with trio.fail_after(20):
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        client = RtmpTestClient(stream)
        assert status_code(await client.publish(KEY)) == "NetStream.Publish.Start"
        [publication] = gate.publications
        await client.send(client.codec.video(0, AVC_SEQUENCE_HEADER))
        ts = await send_repeated(client, METADATA, 1)
        await wait_for_tags(publication, 1 + 2 * REPEATS)  # every copy still reaches ffmpeg
        assert len(metadata_lines(caplog)) == 1, metadata_lines(caplog)
        assert "320x240@30" in metadata_lines(caplog)[0]

        ts = await send_repeated(client, {**METADATA, "width": 640.0, "height": 360.0}, ts)
        await wait_for_tags(publication, 1 + 4 * REPEATS)
        lines = metadata_lines(caplog)
        assert len(lines) == 2 and "640x360@30" in lines[1], lines

        await send_repeated(client, METADATA, ts)  # back to the first: a change again
        await wait_for_tags(publication, 1 + 6 * REPEATS)
        assert len(metadata_lines(caplog)) == 3
        assert publication.details is not None and publication.details.width == 320
        await stream.aclose()
        await publication.ended.wait()

        again = await trio.open_tcp_stream("127.0.0.1", port)  # a new session logs its own
        second = RtmpTestClient(again)
        assert status_code(await second.publish(KEY)) == "NetStream.Publish.Start"
        await send_repeated(second, METADATA, 0)
        await wait_for_tags(gate.publications[1], 2 * REPEATS)
        assert len(metadata_lines(caplog)) == 4
        await again.aclose()
