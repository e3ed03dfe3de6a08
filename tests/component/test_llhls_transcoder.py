"""The transcoder feeds LL-HLS from ffmpeg's pipe (pass_fds, `pipe:<fd>` in the tee target),
and a restarted ffmpeg continues the same LL-HLS playlist after a discontinuity with its own
init segment; the session's end puts ENDLIST on it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import trio

from owncastd.config.settings import VideoSettings
from owncastd.core.media import FlvTag, TagKind
from owncastd.core.stream import LiveSession
from owncastd.hls import transcoder
from owncastd.hls.llhls.live import LowLatencyOutput
from tests.component.test_transcoder_failures import Rig
from tests.unit.hls.llhls_stream import fmp4_stream

# Stands in for ffmpeg: writes a recorded fMP4 stream to the pipe the tee target names; the
# first run then dies (exit 1) as a crashed ffmpeg would, later runs read stdin to its end.
FAKE_FFMPEG = f"""#!{sys.executable}
import os, re, sys
fd = int(re.search(r"\\]pipe:(\\d+)$", sys.argv[-1]).group(1))
with open("{{stream}}", "rb") as source:
    os.write(fd, source.read())
os.close(fd)
first = not os.path.exists("{{marker}}")
open("{{marker}}", "a").write("started\\n")
if first:
    sys.exit(1)
sys.stdin.buffer.read()
"""


async def keep_publishing(session: LiveSession) -> None:
    for ts in range(100_000):
        await session.send(FlvTag(TagKind.AUDIO, ts, b"A"))
        await trio.sleep(0.01)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transcoder, "RESTART_BACKOFF", 0.01)


async def test_a_restarted_ffmpeg_continues_the_ll_playlist(tmp_path: Path) -> None:
    rig = Rig(tmp_path, lambda: VideoSettings(latency_level=0, low_latency=True))
    recorded = tmp_path / "stream.mp4"
    recorded.write_bytes(fmp4_stream())
    rig.ffmpeg.parent.mkdir(exist_ok=True)
    rig.ffmpeg.write_text(FAKE_FFMPEG.format(stream=recorded, marker=rig.marker))
    rig.ffmpeg.chmod(0o755)
    output = rig.service.low_latency = LowLatencyOutput(clock=lambda: 1_796_000_000.0)
    async with trio.open_nursery() as nursery:
        await nursery.start(rig.service.run)
        session = await rig.publish()
        nursery.start_soon(keep_publishing, session)  # a write finds the dead ffmpeg
        with trio.fail_after(20):
            while not (output.variants and len(output.variants[0].window.inits) == 2):  # noqa: ASYNC110
                await trio.sleep(0.02)
        window = output.variants[0].window
        with trio.fail_after(10):
            while window.open_segment is None or len(window.open_segment.parts) < 5:  # noqa: ASYNC110
                await trio.sleep(0.02)
        assert rig.service.restarts == 1
        playlist = output.variants[0].playlist.decode()
        assert '#EXT-X-MAP:URI="init.mp4"' in playlist
        assert '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1.mp4"\n' in playlist
        msns = [s.msn for s in window.segments]
        assert msns == list(range(msns[0], msns[0] + len(msns)))  # no gap, no reuse
        session.end()
        with trio.fail_after(10):
            while not window.ended:  # noqa: ASYNC110 - the transcoder ends the session
                await trio.sleep(0.02)
        assert output.variants[0].playlist.endswith(b"#EXT-X-ENDLIST\n")
        nursery.cancel_scope.cancel()
