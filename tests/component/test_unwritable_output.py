"""Issue 16 §14c: when the transcoder cannot write the HLS output, the publisher is dropped with
the real reason in the log, not "disconnected by the admin" (real RTMP server, real ffmpeg
publisher).

The HLS directory sits under a regular file, which no one can write into, root included (tests
run as root in CI, where chmod would not stop a write)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import trio

from owncastd.config.settings import VideoSettings
from owncastd.hls import transcoder
from owncastd.hls.output import HlsOutput
from owncastd.hls.thumbnails import ThumbnailMaker
from owncastd.hls.transcoder import TranscoderService
from owncastd.rtmp.server import RtmpServer
from tests.e2e.harness import Publisher
from tests.unit.core.test_stream import make_stream

KEY = "secret-key"
FFMPEG = shutil.which("ffmpeg") or "ffmpeg"


def closed_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "rtmp connection closed" in r.getMessage()]


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transcoder, "RESTART_BACKOFF", 0.01)


async def test_unwritable_hls_output_names_the_real_reason(
    tmp_path: Path, nursery: trio.Nursery, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the data directory should be\n")
    stream, _, _ = make_stream(keys=(KEY,))
    service = TranscoderService(
        stream=stream,
        output=HlsOutput(blocker / "hls"),
        ffmpeg=FFMPEG,
        video_settings=VideoSettings,
        thumbnails=ThumbnailMaker(FFMPEG, tmp_path / "tmp"),
    )
    await nursery.start(service.run)
    port = await nursery.start(RtmpServer(stream, "127.0.0.1", 0).run)

    # A real encoder (ffmpeg) publishes real video, so the transcoder has something to write.
    publisher = Publisher(f"rtmp://127.0.0.1:{port}/live/{KEY}", size="160x120", rate=10)
    try:
        with trio.fail_after(30):
            while not (closed := closed_lines(caplog)):  # noqa: ASYNC110 - a log line to wait on
                await trio.sleep(0.05)
    finally:
        publisher.stop()

    assert stream.session is None and len(closed) == 1
    (closed,) = closed
    message = closed.getMessage()
    assert "disconnected by the admin" not in message
    assert "could not write its output" in message and "Not a directory" in message, message
    assert str(blocker) in message
    assert closed.levelno == logging.WARNING


def test_transcoder_log_keeps_the_line_that_explains_a_failure() -> None:
    """What ffmpeg said last (its "Conversion failed!" sign-off aside) goes into the reason."""
    from owncastd.hls.ffmpeg_process import TranscoderLog

    transcoder_log = TranscoderLog(None)
    assert transcoder_log.last_line == "(no output)"
    transcoder_log.line("[hls @ 0x1] Failed to open file 'x/0/a.ts.tmp': Permission denied")
    transcoder_log.line("Conversion failed!")
    assert transcoder_log.last_line.endswith("Permission denied")
