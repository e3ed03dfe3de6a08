"""ffmpeg's fMP4 pipes: a roomy pipe per variant, read to EOF into the variant's window."""

from __future__ import annotations

import fcntl
import os
import shutil

import pytest

from owncastd.config.settings import VideoSettings
from owncastd.hls.llhls.live import LowLatencyOutput
from owncastd.hls.llhls.pipes import PIPE_BYTES, FragmentPipes
from tests.unit.hls.llhls_stream import fmp4_stream

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


async def test_pipes_feed_the_variants_until_eof() -> None:
    output = LowLatencyOutput(clock=lambda: 1_796_000_000.0)
    (variant,) = output.begin(VideoSettings(low_latency=True), 1.0)
    pipes = FragmentPipes([variant])
    (fd,) = pipes.child_fds
    assert fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ) >= PIPE_BYTES  # seconds of parts fit
    data = fmp4_stream()
    assert len(data) < PIPE_BYTES
    os.write(fd, data)  # as ffmpeg would, before it exits
    await pipes.pump()  # closes our copy of the write end: EOF after the data
    assert [len(s.parts) > 0 for s in variant.window.segments] == [True] * 3
    pipes.close()  # nothing left to close twice
    with pytest.raises(OSError):
        os.fstat(fd)
