"""The transcoder service outlives its sessions' failures: an ffmpeg that cannot start (the
binary was removed) and an unexpected error end that session only; the publisher is asked to
leave and the next session gets a transcoder again."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trio

from owncastd.config.settings import VideoSettings
from owncastd.core.events import EventBus
from owncastd.core.media import FlvTag, TagKind
from owncastd.core.stream import MEDIA_QUEUE_TAGS, LiveSession, Stream, StreamStats
from owncastd.hls import transcoder
from owncastd.hls.output import HlsOutput
from owncastd.hls.thumbnails import ThumbnailMaker
from owncastd.hls.transcoder import MAX_RESTARTS, TranscoderService

NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Stands in for ffmpeg: notes each start, then reads stdin until the transcoder closes it.
FAKE_FFMPEG = '#!/bin/sh\necho started >> "{marker}"\nexec cat > /dev/null\n'
PREFIX = [
    FlvTag(TagKind.VIDEO, 0, b"AVCC", keyframe=True, sequence_header=True),
    FlvTag(TagKind.AUDIO, 0, b"ASC", sequence_header=True),
    FlvTag(TagKind.VIDEO, 0, b"V0", keyframe=True),
    FlvTag(TagKind.AUDIO, 0, b"A0"),
]


class Sink:
    def save_stats(self, stats: StreamStats) -> None:
        pass


class Rig:
    """A real Stream and TranscoderService whose ffmpeg lives at `ffmpeg` (maybe not yet)."""

    def __init__(self, tmp_path: Path, video_settings=VideoSettings) -> None:
        self.ffmpeg = tmp_path / "bin" / "ffmpeg"
        self.marker = tmp_path / "ffmpeg-starts"
        self.stream = Stream(
            bus=EventBus(),
            stream_keys=lambda: ["k"],
            segment_seconds=lambda: 1,
            stats=StreamStats(),
            stats_sink=Sink(),
            clock=lambda: NOW,
        )
        self.service = TranscoderService(
            stream=self.stream,
            output=HlsOutput(tmp_path / "hls"),
            ffmpeg=str(self.ffmpeg),
            video_settings=video_settings,
            thumbnails=ThumbnailMaker(str(self.ffmpeg), tmp_path / "tmp"),
        )

    def install_ffmpeg(self) -> None:
        self.ffmpeg.parent.mkdir(exist_ok=True)
        self.ffmpeg.write_text(FAKE_FFMPEG.format(marker=self.marker))
        self.ffmpeg.chmod(0o755)

    async def publish(self) -> LiveSession:
        session = self.stream.begin("203.0.113.5")
        for tag in PREFIX:
            await session.send(tag)
        return session

    async def keeps_sending(self, session: LiveSession) -> None:
        """The publisher goes on sending more than the queue holds: nothing blocks it."""
        with trio.fail_after(10):
            for ts in range(2 * MEDIA_QUEUE_TAGS):
                await session.send(FlvTag(TagKind.AUDIO, ts, b"A"))

    async def ffmpeg_started(self) -> None:
        with trio.fail_after(10):
            while not self.marker.exists():  # noqa: ASYNC110 - the fake ffmpeg writes the file
                await trio.sleep(0.01)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transcoder, "RESTART_BACKOFF", 0.01)


async def test_an_ffmpeg_that_cannot_start_disconnects_the_publisher_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rig = Rig(tmp_path)  # no ffmpeg at the configured path: every spawn fails
    async with trio.open_nursery() as nursery:
        await nursery.start(rig.service.run)
        first = await rig.publish()
        with trio.fail_after(10):
            await first.wait_disconnect_requested()
        assert rig.service.restarts == MAX_RESTARTS
        assert any(
            r.levelno == logging.ERROR and "keeps failing" in r.getMessage() for r in caplog.records
        )
        await rig.keeps_sending(first)  # drained, so ingest never blocks
        first.end()

        rig.install_ffmpeg()
        second = await rig.publish()
        await rig.ffmpeg_started()
        await rig.keeps_sending(second)
        second.end()
        assert rig.marker.read_text() == "started\n"
        nursery.cancel_scope.cancel()


async def test_an_unexpected_error_ends_that_session_not_the_service(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls = []

    def video_settings() -> VideoSettings:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return VideoSettings()

    rig = Rig(tmp_path, video_settings)
    rig.install_ffmpeg()
    async with trio.open_nursery() as nursery:
        await nursery.start(rig.service.run)
        first = await rig.publish()
        with trio.fail_after(10):
            await first.wait_disconnect_requested()
        await rig.keeps_sending(first)
        first.end()
        (failure,) = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert "transcoder failed" in failure.getMessage() and failure.exc_info is not None

        second = await rig.publish()
        await rig.ffmpeg_started()
        second.end()
        nursery.cancel_scope.cancel()
