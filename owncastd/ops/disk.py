"""Disk safety: a periodic check of free space and of writability where the daemon writes.

Each watched directory (video, database, logs, backups) is checked every `interval` seconds on
a worker thread: free space on its filesystem (nearly full below 5% of its size, or below
512 MB where that is under a fifth of the disk) and a small probe file written, fsynced and
removed (which catches a full, read-only or failing disk before the stream does). Problems
degrade :class:`Health` and are logged when they appear, hourly while they last, and when
they clear.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import trio

from owncastd.core.periodic import periodic
from owncastd.ops.health import Health

log = logging.getLogger(__name__)

CHECK_INTERVAL = 60.0
REPEAT_WARNING = 3600.0
MIN_FREE_FRACTION = 0.05
MIN_FREE_BYTES = 512 * 1024 * 1024
SMALL_DISK_CAP = 0.2
PROBE_NAME = ".owncastd-write-probe"
PROBE_BYTES = 4096
MB = 1024 * 1024


@dataclass(frozen=True)
class DiskFinding:
    """One problem found by a check."""

    key: str  # stable identity, e.g. "space:/var/lib/owncastd" or "write:video"
    message: str


def free_space_problem(
    label: str,
    path: Path,
    stat: os.statvfs_result,
    *,
    min_free_fraction: float = MIN_FREE_FRACTION,
    min_free_bytes: int = MIN_FREE_BYTES,
) -> str | None:
    """A "nearly full" message for `path`'s filesystem, or None when there is room."""
    total = stat.f_blocks * stat.f_frsize
    free = stat.f_bavail * stat.f_frsize
    if total <= 0:
        return None
    # 5% of the disk, but at least 512 MB (unless that is more than a fifth of a small disk).
    threshold = max(total * min_free_fraction, min(min_free_bytes, total * SMALL_DISK_CAP))
    if free >= threshold:
        return None
    used = 100 * (1 - free / total)
    return f"disk nearly full: {label} ({path}) {used:.0f}% used, {free / MB:.0f} MB free"


def write_probe(directory: Path) -> None:
    """Write, fsync and remove a small file in `directory` (raises OSError when it can't)."""
    directory.mkdir(parents=True, exist_ok=True)
    probe = directory / PROBE_NAME
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        try:
            probe.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.debug("write probe not removed path=%s error=%s", probe, exc)


class DiskMonitor:
    """Checks `directories` ({label: path}) every `interval` seconds and updates `health`."""

    def __init__(
        self,
        health: Health,
        directories: Mapping[str, Path],
        *,
        interval: float = CHECK_INTERVAL,
        min_free_fraction: float = MIN_FREE_FRACTION,
        min_free_bytes: int = MIN_FREE_BYTES,
        statvfs: Callable[[Path], os.statvfs_result] = os.statvfs,
    ) -> None:
        self._health = health
        self._directories = dict(directories)
        self._interval = interval
        self._min_free_fraction = min_free_fraction
        self._min_free_bytes = min_free_bytes
        self._statvfs = statvfs
        self._active: dict[str, float] = {}  # finding key → when it was last logged

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Check now, then every interval, until cancelled."""
        task_status.started()
        await periodic(self._interval, self._check_now, first=0)

    async def _check_now(self) -> None:
        findings = await trio.to_thread.run_sync(self.check)
        self.update(findings, trio.current_time())

    def check(self) -> list[DiskFinding]:
        """Find space and write problems (blocking: run it on a worker thread)."""
        findings: list[DiskFinding] = []
        seen_devices: set[int] = set()
        for label, directory in self._directories.items():
            try:
                write_probe(directory)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                findings.append(
                    DiskFinding(f"write:{label}", f"{label}: cannot write {directory}: {reason}")
                )
            try:
                device = directory.stat().st_dev
                if device in seen_devices:
                    continue
                seen_devices.add(device)
                stat = self._statvfs(directory)
            except OSError:
                continue
            message = free_space_problem(
                label,
                directory,
                stat,
                min_free_fraction=self._min_free_fraction,
                min_free_bytes=self._min_free_bytes,
            )
            if message:
                findings.append(DiskFinding(f"space:{label}", message))
        return findings

    def update(self, findings: list[DiskFinding], now: float) -> None:
        """Log appearing, lasting (hourly) and clearing problems; update health."""
        current = {finding.key: finding for finding in findings}
        for key, finding in current.items():
            last = self._active.get(key)
            if last is None or now - last >= REPEAT_WARNING:
                log.warning("%s (the stream and chat keep running)", finding.message)
                self._active[key] = now
            self._health.degrade(f"disk:{key}", finding.message)
        for key in [k for k in self._active if k not in current]:
            del self._active[key]
            self._health.recover(f"disk:{key}")
            log.info("disk problem cleared check=%s", key)
