"""The hardware sampler under a process that has run out of file descriptors: psutil's reads
of /proc raise OSError (EMFILE). The attack run saw that error end the whole daemon."""

from __future__ import annotations

import errno
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trio

from owncastd.metrics.hardware import HardwareMonitor


class ExhaustedProbe:
    """Fails like psutil with no descriptors left for the first `failures` samples."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def cpu_percent(self) -> float:
        if self.failures > 0:
            self.failures -= 1
            raise OSError(errno.EMFILE, "Too many open files")
        return 12.0

    def memory_percent(self) -> float:
        return 34.0

    def disk_percent(self, path: Path) -> float:
        return 56.0


async def test_an_oserror_in_a_sample_is_logged_and_sampling_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The real clock: samples are read in a worker thread, and a mock clock that jumps while
    # the thread runs can let the deadline pass before the third sample is taken.
    probe = ExhaustedProbe(failures=2)
    monitor = HardwareMonitor(tmp_path, lambda: datetime.now(UTC), probe=probe, interval=0.01)
    with caplog.at_level(logging.WARNING, logger="owncastd.metrics.hardware"):
        async with trio.open_nursery() as nursery:
            await nursery.start(monitor.run)
            with trio.fail_after(30):
                while monitor.cpu.latest is None:  # noqa: ASYNC110 - no sample event
                    await trio.sleep(0.01)
            nursery.cancel_scope.cancel()
    assert monitor.cpu.latest == 12.0 and monitor.memory.latest == 34.0
    skipped = [r for r in caplog.records if "hardware sample skipped" in r.getMessage()]
    assert len(skipped) == 2 and "Too many open files" in skipped[0].getMessage()
