"""S3 offload through the playlist stitcher, against a real S3 server (moto).

A run playlist is written as ffmpeg writes it (segment files, then the playlist renamed into
place); the served playlist must point at the bucket only for segments that are there, old
segments must leave the bucket, and an outage must fall back to local URIs, be reported, and be
caught up when the server is back.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import trio

from owncastd.core.offload import SessionOffload
from owncastd.hls.output import HlsOutput
from owncastd.hls.playlist import parse_media_playlist
from owncastd.hls.stitcher import PlaylistStitcher
from owncastd.storage.s3 import S3Storage
from owncastd.storage.s3_config import S3Config
from tests.s3_server import MotoS3

WAIT = 15.0


class FakeRun:
    """Writes segments and the run playlist the way ffmpeg does (1 s segments)."""

    def __init__(self, output: HlsOutput, run_dir: Path, run_id: str) -> None:
        self.root, self.run_dir, self.run_id = output.root, run_dir, run_id
        self.count = 0

    def name(self, n: int) -> str:
        return f"stream-{self.run_id}-{n}.ts"

    def add(self, segments: int = 1) -> None:
        for _ in range(segments):
            (self.root / "0" / self.name(self.count)).write_bytes(os.urandom(2048))
            self.count += 1
        first = max(0, self.count - 5)
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:1"]
        lines.append(f"#EXT-X-MEDIA-SEQUENCE:{first}")
        for n in range(first, self.count):
            lines += ["#EXTINF:1.000000,", self.name(n)]
        tmp = self.run_dir / "0" / "stream.m3u8.tmp"
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(self.run_dir / "0" / "stream.m3u8")


async def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll an observable condition (uploads happen on moto's thread, on the real clock)."""
    with trio.fail_after(WAIT):
        while not condition():  # noqa: ASYNC110 (the state changes on other threads)
            await trio.sleep(0.02)


def served(output: HlsOutput) -> list[str]:
    try:
        text = output.variant_playlist(0).read_text()
    except FileNotFoundError:
        return []
    return [s.uri for s in parse_media_playlist(text).segments]


async def test_offload_uploads_rewrites_deletes_and_survives_an_outage(
    tmp_path: Path, moto_s3: MotoS3
) -> None:
    bucket = moto_s3.new_bucket()
    account = moto_s3.account
    config = S3Config(
        account.endpoint,
        bucket,
        account.region,
        account.access_key,
        account.secret,
        path_prefix="live",
        force_path_style=True,
        serving_endpoint="https://cdn.example.test/v",
    )
    offload = SessionOffload(S3Storage(config, backoff=0.01), 1, keep_extra=1, retry_interval=0.05)
    output = HlsOutput(tmp_path / "hls")
    output.reset(1)
    stitcher = PlaylistStitcher(output, variants=1, window=3, offload=offload)
    run_id = stitcher.new_run_id()
    run = FakeRun(output, await stitcher.begin_run(run_id), run_id)
    cdn = "https://cdn.example.test/v/live/hls/0/"

    def all_remote() -> bool:
        uris = served(output)
        return len(uris) == 3 and all(u.startswith(cdn) for u in uris)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(stitcher.run)
        run.add(3)
        await wait_for(all_remote, "playlist pointing at the bucket")
        run.add(3)
        await wait_for(lambda: all_remote() and served(output)[0] == cdn + run.name(3), "next")
        assert served(output) == [cdn + run.name(n) for n in (3, 4, 5)]
        keys = moto_s3.keys(bucket, "live/")
        for uri in served(output):  # a listed bucket URL is always in the bucket
            assert "live/" + uri.removeprefix("https://cdn.example.test/v/live/") in keys
        # window 3 + keep_extra 1: segments 0 and 1 are deleted from the bucket
        await wait_for(lambda: len(moto_s3.keys(bucket, "live/")) == 4, "old segments deleted")
        assert moto_s3.keys(bucket, "live/") == [f"live/hls/0/{run.name(n)}" for n in (2, 3, 4, 5)]
        head = moto_s3.client().head_object(Bucket=bucket, Key=f"live/hls/0/{run.name(5)}")
        assert head["ContentType"] == "video/mp2t"

        await trio.to_thread.run_sync(moto_s3.stop)
        try:
            run.add(2)
            await wait_for(lambda: offload.problem() is not None, "outage noticed")
            await wait_for(
                lambda: served(output) == [run.name(n) for n in (5, 6, 7)], "local fallback"
            )
            assert "storage unreachable" in (offload.problem() or "")
        finally:
            await trio.to_thread.run_sync(moto_s3.start)
        run.add(1)
        await wait_for(all_remote, "caught up")
        assert offload.problem() is None
        assert served(output) == [cdn + run.name(n) for n in (6, 7, 8)]
        keys = moto_s3.keys(bucket, "live/")
        assert {f"live/hls/0/{run.name(n)}" for n in (6, 7, 8)} <= set(keys)
        nursery.cancel_scope.cancel()
