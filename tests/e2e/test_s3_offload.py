"""End to end with S3 on: a real daemon, a real ffmpeg push and a real S3 server (moto).

The admin turns S3 on through Owncast's setter (the daemon tries the bucket first); the variant
playlist then points at the bucket for segments that are there; stopping the S3 server mid-stream
keeps the stream playing from local URIs with healthz and `owncastctl status` saying degraded;
restarting it catches up; the next stream deletes the last one's segments from the bucket.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, Publisher, wait_for, write_config
from tests.s3_server import MotoS3, moto_s3  # noqa: F401

pytestmark = pytest.mark.e2e
OWNCASTCTL = Path(sys.executable).parent / "owncastctl"
ADMIN = ("admin", ADMIN_PASSWORD)


def segments(daemon: DaemonProcess) -> list[str]:
    text = daemon.get("/hls/0/stream.m3u8").text
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def ctl_status(daemon: DaemonProcess) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWNCAST_")}
    env.update(OWNCAST_ADMIN_PASSWORD=ADMIN_PASSWORD, NO_COLOR="1", COLUMNS="200")
    done = subprocess.run(
        [str(OWNCASTCTL), "--url", daemon.url, "status"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    return done.stdout + done.stderr


def test_live_stream_offloads_falls_back_and_catches_up(
    tmp_path: Path,
    moto_s3: MotoS3,  # noqa: F811
) -> None:
    bucket = moto_s3.new_bucket(cors=True)
    account = moto_s3.account
    daemon = DaemonProcess(write_config(tmp_path / "data", latency=0).parent).wait_ready()
    publisher: Publisher | None = None
    try:
        value = {
            "enabled": True,
            "endpoint": account.endpoint,
            "accessKey": account.access_key,
            "secret": account.secret,
            "bucket": bucket,
            "region": account.region,
            "forcePathStyle": True,
            "pathPrefix": "live",
        }
        answer = httpx.post(f"{daemon.url}/api/admin/config/s3", json={"value": value}, auth=ADMIN)
        assert answer.status_code == 200, answer.text
        publisher = Publisher(daemon.rtmp_url(), size="320x180", rate=15)
        daemon.wait_online()
        base = f"{account.endpoint}/{bucket}/live/hls/0/"

        def in_bucket() -> list[str]:
            uris = [u for u in segments(daemon) if u.startswith(base)]
            return uris if len(uris) >= 3 else []

        remote = wait_for(in_bucket, 30, "segments served from the bucket", daemon.log)
        keys = set(moto_s3.keys(bucket, "live/"))
        assert {"live/hls/0/" + u.removeprefix(base) for u in remote} <= keys  # type: ignore[union-attr]
        assert daemon.get("/hls/stream.m3u8").status_code == 200  # the master stays local
        first_stream = sorted(keys)

        moto_s3.stop()
        try:
            health = wait_for(
                lambda: (h := daemon.get("/api/healthz").json())["status"] == "degraded" and h,
                30,
                "healthz degraded",
                daemon.log,
            )
            assert any(p.startswith("s3: ") for p in health["problems"])  # type: ignore[index]
            local = wait_for(
                lambda: (s := segments(daemon)) and not any("://" in u for u in s) and s,
                30,
                "playlist back on local URIs",
                daemon.log,
            )
            newest = local[-1]  # type: ignore[index]
            assert daemon.get(f"/hls/0/{newest}").status_code == 200
            status = ctl_status(daemon)
            assert "degraded" in status and "s3: storage unreachable" in status, status
        finally:
            moto_s3.start()
        wait_for(lambda: daemon.get("/api/healthz").json()["status"] == "ok", 30, "healthz ok")
        wait_for(lambda: f"live/hls/0/{newest}" in moto_s3.keys(bucket, "live/"), 30, "catch-up")
        wait_for(lambda: base + newest in segments(daemon), 30, "bucket URI again", daemon.log)
        assert "storage unreachable" in daemon.log() and "reachable again" in daemon.log()

        publisher.stop()
        publisher = Publisher(daemon.rtmp_url(), size="320x180", rate=15)
        wait_for(
            lambda: not set(first_stream) & set(moto_s3.keys(bucket, "live/")),
            30,
            "the last stream's segments deleted from the bucket",
            daemon.log,
        )
        assert account.secret not in daemon.log()
    finally:
        if publisher is not None:
            publisher.stop()
        code = daemon.stop()
    assert code == 0, daemon.log()
