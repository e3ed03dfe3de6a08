"""The disk monitor's thresholds and its log/health transitions (real filesystems are in
tests/component/test_disk_full.py)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from owncastd.ops.disk import DiskFinding, DiskMonitor, free_space_problem
from owncastd.ops.health import Health

GB = 1024**3
MB = 1024**2


def statvfs(total: int, free: int, block: int = 4096) -> os.statvfs_result:
    blocks, available = total // block, free // block
    return os.statvfs_result((block, block, blocks, available, available, 0, 0, 0, 0, 255))


def test_big_disks_warn_below_five_percent():
    stat = statvfs(252 * GB, 12 * GB)
    message = free_space_problem("video", Path("/srv/hls"), stat)
    assert message == "disk nearly full: video (/srv/hls) 95% used, 12288 MB free"
    assert free_space_problem("video", Path("/srv"), statvfs(252 * GB, 13 * GB)) is None


def test_small_disks_keep_at_least_512_mb():
    assert free_space_problem("db", Path("/"), statvfs(8 * GB, 500 * MB)) is not None
    assert free_space_problem("db", Path("/"), statvfs(8 * GB, 600 * MB)) is None


def test_tiny_disks_use_a_fifth_instead():
    assert free_space_problem("db", Path("/"), statvfs(64 * MB, 12 * MB)) is not None
    assert free_space_problem("db", Path("/"), statvfs(64 * MB, 14 * MB)) is None


def test_problems_are_logged_when_they_appear_hourly_and_when_they_clear(caplog):
    notes: list[str] = []
    health = Health(notify=notes.append)
    monitor = DiskMonitor(health, {})
    full = DiskFinding("space:video", "disk nearly full: video 99% used")
    with caplog.at_level(logging.INFO, logger="owncastd.ops.disk"):
        monitor.update([full], now=0)
        monitor.update([full], now=60)
        monitor.update([full], now=3600)
        assert health.reasons() == ["disk nearly full: video 99% used"]
        monitor.update([], now=3660)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "disk nearly full: video 99% used (the stream and chat keep running)",
        "disk nearly full: video 99% used (the stream and chat keep running)",
        "disk problem cleared check=space:video",
    ]
    assert health.reasons() == []
    assert notes == ["STATUS=degraded: disk nearly full: video 99% used", "STATUS=serving"]


def test_a_filesystem_shared_by_several_directories_is_reported_once(tmp_path):
    calls: list[Path] = []

    def fake_statvfs(path: Path) -> os.statvfs_result:
        calls.append(path)
        return statvfs(10 * GB, 100 * MB)

    dirs = {"video": tmp_path / "hls", "database": tmp_path, "logs": tmp_path / "logs"}
    monitor = DiskMonitor(Health(), dirs, statvfs=fake_statvfs)
    findings = monitor.check()
    assert [f.key for f in findings] == ["space:video"]
    assert len(calls) == 1
    assert (tmp_path / "hls").is_dir()  # the probe creates what is missing, then cleans up
    assert list((tmp_path / "hls").iterdir()) == []
