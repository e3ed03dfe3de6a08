"""Hardware samples for `/api/admin/hardwarestats` (reference §8.4).

Every minute: CPU percent, memory used percent and disk used percent of the data directory, 300
samples each (about five hours). When the average of the last two CPU or memory samples is above
95 % a WARNING is logged (again every 30 minutes while it lasts), so the admin sees it in the
warnings log. A sample that fails with an OSError (psutil opens files under /proc: EMFILE when
the process is out of descriptors) is logged and skipped; the sampler, and the daemon, go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

import trio

from owncastd.core.periodic import periodic
from owncastd.metrics.series import MAX_SAMPLES, TimeSeries

log = logging.getLogger(__name__)

SAMPLE_INTERVAL_SECONDS = 60.0
FIRST_SAMPLE_SECONDS = 5.0
ALERT_PERCENT = 95.0
ALERT_REPEAT_SAMPLES = 30


class HardwareProbe(Protocol):
    """Reads the machine's load (blocking calls; run on a worker thread)."""

    def cpu_percent(self) -> float: ...

    def memory_percent(self) -> float: ...

    def disk_percent(self, path: Path) -> float: ...


class PsutilProbe:
    """The real machine, through psutil (imported here, on the sampler's worker thread, not
    at startup)."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        psutil.cpu_percent(interval=None)  # the first call only starts the measurement

    def cpu_percent(self) -> float:
        """CPU use since the previous call, 0–100."""
        return float(self._psutil.cpu_percent(interval=None))

    def memory_percent(self) -> float:
        """Memory in use, 0–100."""
        return float(self._psutil.virtual_memory().percent)

    def disk_percent(self, path: Path) -> float:
        """Space in use on the file system holding `path`, 0–100."""
        return float(self._psutil.disk_usage(str(path)).percent)


class HardwareMonitor:
    """Samples the machine every `interval` seconds and keeps the series."""

    def __init__(
        self,
        disk_path: Path,
        clock: Callable[[], datetime],
        *,
        probe: HardwareProbe | None = None,
        interval: float = SAMPLE_INTERVAL_SECONDS,
        max_samples: int = MAX_SAMPLES,
    ) -> None:
        self._disk_path = disk_path
        self._clock = clock
        self._probe = probe
        self._interval = interval
        self.cpu = TimeSeries(max_samples)
        self.memory = TimeSeries(max_samples)
        self.disk = TimeSeries(max_samples)
        self._high_for = {"cpu": 0, "memory": 0}

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Sample shortly after starting (CPU needs a measuring window), then every interval."""
        if self._probe is None:
            try:
                self._probe = await trio.to_thread.run_sync(PsutilProbe)
            except OSError as exc:
                log.warning("hardware probe not started error=%s (retried at the next sample)", exc)
        task_status.started()
        first = min(FIRST_SAMPLE_SECONDS, self._interval)
        await periodic(self._interval, self._sample_or_skip, first=first)

    async def _sample_or_skip(self) -> None:
        try:
            await self.sample()
        except OSError as exc:
            log.warning("hardware sample skipped error=%s", exc)

    async def sample(self) -> None:
        """Take one sample of each series and check the load."""
        probe = self._probe = self._probe or PsutilProbe()
        cpu, memory, disk = await trio.to_thread.run_sync(self._read, probe)
        now = self._clock()
        self.cpu.add(now, cpu)
        self.memory.add(now, memory)
        if disk is not None:
            self.disk.add(now, disk)
        self._check("cpu", self.cpu)
        self._check("memory", self.memory)

    def _read(self, probe: HardwareProbe) -> tuple[float, float, float | None]:
        try:
            disk: float | None = probe.disk_percent(self._disk_path)
        except OSError as exc:
            log.warning("disk usage unavailable path=%s error=%s", self._disk_path, exc)
            disk = None
        return probe.cpu_percent(), probe.memory_percent(), disk

    def _check(self, name: str, series: TimeSeries) -> None:
        recent = series.last(2)
        average = sum(s.value for s in recent) / len(recent) if recent else 0.0
        if average <= ALERT_PERCENT:
            self._high_for[name] = 0
            return
        if self._high_for[name] % ALERT_REPEAT_SAMPLES == 0:
            log.warning(
                "hardware load high resource=%s average=%.1f%% threshold=%.0f%% "
                "(video may stutter; lower the variants or the CPU usage level)",
                name,
                average,
                ALERT_PERCENT,
            )
        self._high_for[name] += 1
