"""The transcoder's tag feed (restart priming) and the offline wipe."""

from __future__ import annotations

from datetime import UTC, datetime

import trio
import trio.testing

from owncastd.config.settings import VideoSettings, VideoVariant
from owncastd.core.events import EventBus, StreamWentOffline
from owncastd.core.media import FLV_HEADER, FlvTag, TagKind
from owncastd.core.stream import Stream, StreamStats
from owncastd.hls.output import HlsOutput
from owncastd.hls.tag_feed import PREFIX_TIMEOUT, TagFeed
from owncastd.hls.thumbnails import ThumbnailMaker, highest_quality_variant
from owncastd.hls.transcoder import TranscoderService

NOW = datetime(2026, 1, 1, tzinfo=UTC)

META = FlvTag(TagKind.SCRIPT, 0, b"META")
AVC_CONFIG = FlvTag(TagKind.VIDEO, 0, b"AVCC", keyframe=True, sequence_header=True)
AAC_CONFIG = FlvTag(TagKind.AUDIO, 0, b"ASC", sequence_header=True)


def video(ts: int, key: bool = False) -> FlvTag:
    return FlvTag(TagKind.VIDEO, ts, f"V{ts}".encode(), keyframe=key)


def audio(ts: int) -> FlvTag:
    return FlvTag(TagKind.AUDIO, ts, f"A{ts}".encode())


async def test_prefix_stops_after_keyframe_and_audio_and_starts_with_header():
    send, receive = trio.open_memory_channel[FlvTag](100)
    tags = [META, AVC_CONFIG, AAC_CONFIG, video(0, key=True), audio(0), video(33), audio(23)]
    for tag in tags:
        send.send_nowait(tag)
    feed = TagFeed(receive)
    await feed.read_prefix()
    assert feed.saw_audio
    start = feed.start_bytes(restarted=False)
    assert start == FLV_HEADER + b"METAAVCCASCV0"  # stops once a keyframe and audio were seen
    assert [(await feed.next()).data for _ in range(3)] == [b"A0", b"V33", b"A23"]


async def test_restart_replays_config_and_skips_to_next_keyframe():
    send, receive = trio.open_memory_channel[FlvTag](100)
    for tag in [META, AVC_CONFIG, AAC_CONFIG, video(0, key=True), audio(0)]:
        send.send_nowait(tag)
    feed = TagFeed(receive)
    await feed.read_prefix()
    feed.start_bytes(restarted=False)
    for tag in [video(33), audio(46), video(66, key=True), audio(69)]:
        send.send_nowait(tag)
    assert feed.start_bytes(restarted=True) == FLV_HEADER + b"METAAVCCASC"
    assert (await feed.next()).data == b"V66"
    assert (await feed.next()).data == b"A69"
    send.close()
    assert await feed.next() is None
    assert feed.ended


async def test_video_only_prefix_times_out_without_audio(autojump_clock):
    send, receive = trio.open_memory_channel[FlvTag](100)
    send.send_nowait(video(0, key=True))
    feed = TagFeed(receive)
    started = trio.current_time()
    await feed.read_prefix()
    assert not feed.saw_audio
    assert trio.current_time() - started == PREFIX_TIMEOUT  # it waited, then gave up
    assert feed.start_bytes(restarted=False) == FLV_HEADER + b"V0"  # with the video it had


def test_thumbnail_variant_prefers_passthrough_then_bitrate():
    assert highest_quality_variant([VideoVariant(video_bitrate=500)]) == 0
    variants = [VideoVariant(video_bitrate=500), VideoVariant(video_bitrate=3000)]
    assert highest_quality_variant(variants) == 1
    variants.append(VideoVariant(video_passthrough=True, video_bitrate=100))
    assert highest_quality_variant(variants) == 2


async def test_offline_event_wipes_the_last_streams_video(tmp_path):
    stream = Stream(
        bus=EventBus(),
        stream_keys=lambda: ["k"],
        segment_seconds=lambda: 1,
        stats=StreamStats(),
        stats_sink=type("Sink", (), {"save_stats": lambda self, s: None})(),
        clock=lambda: NOW,
    )
    output = HlsOutput(tmp_path / "hls")
    service = TranscoderService(
        stream=stream,
        output=output,
        ffmpeg="ffmpeg",
        video_settings=VideoSettings,
        thumbnails=ThumbnailMaker("ffmpeg", tmp_path / "tmp"),
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(service.run)
        (output.root / "0").mkdir()
        (output.root / "0" / "stream.m3u8").write_text("#EXTM3U\n")
        service.on_event(StreamWentOffline(at=NOW))
        with trio.fail_after(5):
            while (output.root / "0").exists():  # noqa: ASYNC110 - the wipe runs in a thread
                await trio.sleep(0.01)
        nursery.cancel_scope.cancel()
