"""An accepted publish only reserves the stream: its first video tag that passes the codec check
announces it (StreamStarted, stats, the hand-off to the transcoder). A publish refused for its
codec, or one that goes silent, leaves no trace; audio-first publishers wait for their video;
one that sends no video at all is announced after UNDECIDED_TAGS_MAX tags or the publish
timeout, as before. Real RTMP server on the real Stream."""

from __future__ import annotations

import shutil

import pytest
import trio
import trio.testing

from owncastd.core.events import StreamStarted, StreamStopped
from owncastd.core.ingest import UNDECIDED_TAGS_MAX
from owncastd.core.media import TagKind
from owncastd.core.stream import Stream
from owncastd.rtmp.server import RtmpServer
from tests.component.rtmp_client import (
    AAC_SEQUENCE_HEADER,
    AVC_SEQUENCE_HEADER,
    ClientCodec,
    RtmpTestClient,
    aac_frame,
    status_code,
)
from tests.component.test_rtmp_codecs import debian_formats, rejected
from tests.component.test_rtmp_server import serve
from tests.enhanced_flv import FOURCC_NUMBERS, encode_hevc, hevc_tag_bodies
from tests.unit.core.test_stream import make_stream

KEY = "secret-key"


async def publish(client: RtmpTestClient) -> str | None:
    return status_code(await client.publish(KEY))


def queued_kinds(stream: Stream) -> list[TagKind]:
    session = stream.sessions.receive_nowait()
    kinds = []
    with pytest.raises(trio.WouldBlock):
        while True:
            kinds.append(session.media.receive_nowait().kind)
    return kinds


async def test_audio_first_waits_for_the_video_tag_and_a_second_publisher_is_refused(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock
) -> None:
    stream, events, sink = make_stream(keys=(KEY,))
    server = RtmpServer(stream, "127.0.0.1", 0)
    client, _ = serve(nursery, server)
    assert await publish(client) == "NetStream.Publish.Start"
    await client.send(client.codec.audio(0, AAC_SEQUENCE_HEADER))
    for ts in range(5):
        await client.send(client.codec.audio(ts * 23, aac_frame()))
    await trio.testing.wait_all_tasks_blocked()
    assert (stream.is_live, stream.occupied, events, sink.saved) == (False, True, [], [])

    second, second_done = serve(nursery, server)  # refused while the first is reserved
    assert await publish(second) == "NetStream.Publish.BadName"
    await second_done.wait()

    await client.send(client.codec.video(0, AVC_SEQUENCE_HEADER))
    await trio.testing.wait_all_tasks_blocked()
    assert stream.is_live and [type(e) for e in events] == [StreamStarted]
    assert len(sink.saved) == 1 and stream.stats.last_connect_time is not None
    assert queued_kinds(stream) == [TagKind.AUDIO] * 6 + [TagKind.VIDEO]  # nothing lost

    third, third_done = serve(nursery, server)  # and while it is live
    assert await publish(third) == "NetStream.Publish.BadName"
    await third_done.wait()
    assert [type(e) for e in events] == [StreamStarted]


async def test_an_audio_only_publisher_is_announced_after_the_undecided_tags(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock
) -> None:
    stream, events, _ = make_stream(keys=(KEY,))
    client, _ = serve(nursery, RtmpServer(stream, "127.0.0.1", 0))
    assert await publish(client) == "NetStream.Publish.Start"
    await client.send(client.codec.audio(0, AAC_SEQUENCE_HEADER))
    for ts in range(UNDECIDED_TAGS_MAX - 2):
        await client.send(client.codec.audio(ts, aac_frame()))
    await trio.testing.wait_all_tasks_blocked()
    assert not stream.is_live and events == []
    await client.send(client.codec.audio(UNDECIDED_TAGS_MAX, aac_frame()))
    await trio.testing.wait_all_tasks_blocked()
    assert stream.is_live and [type(e) for e in events] == [StreamStarted]
    assert queued_kinds(stream) == [TagKind.AUDIO] * UNDECIDED_TAGS_MAX


async def test_a_silent_publisher_leaves_no_trace_and_a_videoless_one_goes_live_late(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock
) -> None:
    stream, events, sink = make_stream(keys=(KEY,))
    server = RtmpServer(stream, "127.0.0.1", 0, read_timeout=10.0, publish_timeout=15.0)
    silent, silent_done = serve(nursery, server)
    assert await publish(silent) == "NetStream.Publish.Start"
    started = trio.current_time()
    await silent_done.wait()  # closed by the read timeout
    assert trio.current_time() - started == pytest.approx(10, abs=0.5)
    assert (stream.occupied, events, sink.saved) == (False, [], [])

    talker, talker_done = serve(nursery, server)  # metadata every second, never any video
    assert await publish(talker) == "NetStream.Publish.Start"
    started = trio.current_time()
    while not stream.is_live:
        await talker.send(talker.codec.metadata({"width": 320.0}))
        await trio.sleep(1)
    assert trio.current_time() - started == pytest.approx(15, abs=1.5)
    await talker.stream.aclose()
    await talker_done.wait()
    stream_events = [type(e) for e in events if isinstance(e, StreamStarted | StreamStopped)]
    assert stream_events == [StreamStarted, StreamStopped]


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
async def test_a_publish_refused_for_its_codec_changes_nothing(nursery: trio.Nursery) -> None:
    bodies = hevc_tag_bodies(encode_hevc(3))
    stream, events, sink = make_stream(keys=(KEY,))
    stats = stream.stats
    server = RtmpServer(stream, "127.0.0.1", 0, formats=await debian_formats())
    port = await nursery.start(server.run)

    def by_tag(c: ClientCodec) -> bytes:
        return c.audio(0, AAC_SEQUENCE_HEADER) + c.video(0, bodies[0]) + c.video(0, bodies[1])

    def by_metadata(c: ClientCodec) -> bytes:
        return c.metadata({"videocodecid": FOURCC_NUMBERS["hvc1"]})

    for data in (by_tag, by_metadata):  # the slot is free again after a refusal
        client = RtmpTestClient(await trio.open_tcp_stream("127.0.0.1", port))
        assert await publish(client) == "NetStream.Publish.Start"
        await client.send(data(client.codec))
        description = str((await rejected(client))["description"])
        assert description.startswith("Unsupported codec: video codec H.265 (hvc1)")
        with trio.fail_after(5):
            while stream.occupied:  # noqa: ASYNC110 - the server sees the refusal through
                await trio.sleep(0.01)
    assert (events, sink.saved, stream.stats, stream.broadcaster) == ([], [], stats, None)
    with pytest.raises(trio.WouldBlock):
        stream.sessions.receive_nowait()  # nothing was handed to the transcoder
