"""S3 offload costs: upload throughput and client CPU per upload, the daemon's CPU per Mbit/s with
S3 on vs off, and how long after a segment is listed locally the playlist points at the bucket.

* **Client** (this process, `moto_server` as a separate process on a loopback port): `--uploads`
  objects of `--size` KB (about one 6 Mbit/s segment) through
  (a) :class:`owncastd.storage.s3.S3Storage` — boto3 on trio worker threads, as the daemon does;
  (b) a trio-native client: botocore's SigV4 signer + an httpx.AsyncClient on trio.
  Prints MB/s and this process's CPU-ms per upload for each, 4 uploads in flight.
* **Daemon**: the cached 6 Mbit/s 720p30 FLV (bench/ingest.py makes it) pushed with `-c copy` into
  a real owncastd (one passthrough variant, latency 0) twice: S3 off, then S3 on (moto). The
  daemon's own CPU (psutil, ffmpeg children excluded) over the same window after going online,
  per Mbit pushed; "S3 adds" is on − off at 6 Mbit/s, in % of one core. Both runs poll the
  variant playlist every 50 ms (the same HTTP load).
* **Delay**: for each segment, from the first poll that listed it (locally: viewers can fetch it
  from then on) to the first poll that listed its bucket URL (p50/p95/max).

Run: `.venv/bin/python bench/storage.py [--duration 30] [--uploads 200] [--size 768]`
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import httpx
import trio
from _daemon import Owncastd, free_port, stop_process, write_config
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from ingest import PASSTHROUGH, SETTLE_AFTER_ONLINE, make_input, measure_until_exit, pusher

from owncastd.storage.s3 import S3Storage
from owncastd.storage.s3_config import S3Config

REGION = "us-east-1"
KEY, SECRET = "bench-access-key", "bench-secret-key"
CONCURRENCY = 4
POLL = 0.05


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    """`moto_server` on a free loopback port (its own process, so its CPU is not ours)."""
    port = free_port()
    binary = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "moto_server"
    popen = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(endpoint, timeout=1)
            return popen, endpoint
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not start")


def new_bucket(endpoint: str, name: str) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )
    client.create_bucket(Bucket=name)


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def boto3_uploads(endpoint: str, bucket: str, body: bytes, count: int) -> None:
    storage = S3Storage(S3Config(endpoint, bucket, REGION, KEY, SECRET, force_path_style=True))
    await storage.put("warm-up", body, "video/mp2t")
    async with trio.open_nursery() as nursery:
        limiter = trio.CapacityLimiter(CONCURRENCY)

        async def one(n: int) -> None:
            async with limiter:
                await storage.put(f"boto3/{n}.ts", body, "video/mp2t", "public, max-age=60")

        for n in range(count):
            nursery.start_soon(one, n)


async def native_uploads(endpoint: str, bucket: str, body: bytes, count: int) -> None:
    credentials = Credentials(KEY, SECRET)

    def signed(key: str) -> dict[str, str]:
        request = AWSRequest(
            "PUT",
            f"{endpoint}/{bucket}/{key}",
            data=body,
            headers={"Content-Type": "video/mp2t", "Cache-Control": "public, max-age=60"},
        )
        S3SigV4Auth(credentials, "s3", REGION).add_auth(request)
        return dict(request.headers.items())

    async with httpx.AsyncClient(timeout=10) as client:
        limiter = trio.CapacityLimiter(CONCURRENCY)

        async def one(key: str) -> None:
            async with limiter:
                reply = await client.put(
                    f"{endpoint}/{bucket}/{key}", content=body, headers=signed(key)
                )
                reply.raise_for_status()

        await one("native/warm-up")
        async with trio.open_nursery() as nursery:
            for n in range(count):
                nursery.start_soon(one, f"native/{n}.ts")


def client_bench(endpoint: str, count: int, size_kb: int) -> None:
    body = os.urandom(size_kb * 1024)
    for name, fn in (("boto3_to_thread", boto3_uploads), ("trio_native_httpx", native_uploads)):
        bucket = f"client-{name.replace('_', '-')}"
        new_bucket(endpoint, bucket)
        cpu0, wall0 = own_cpu(), time.monotonic()
        trio.run(fn, endpoint, bucket, body, count)
        cpu, wall = own_cpu() - cpu0, time.monotonic() - wall0
        print(f"client_{name}_uploads={count}")
        print(f"client_{name}_mb_per_s={count * len(body) / wall / 1e6:.1f}")
        print(f"client_{name}_cpu_ms_per_upload={1000 * cpu / count:.2f}")


class PlaylistPoller:
    """Polls the variant playlist every 50 ms: first time each segment is listed, and first
    time it is listed by its bucket URL."""

    def __init__(self, daemon: Owncastd) -> None:
        self.daemon = daemon
        self.listed: dict[str, float] = {}
        self.remote: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        client = httpx.Client(timeout=5)
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                text = client.get(f"{self.daemon.url}/hls/0/stream.m3u8").text
            except httpx.HTTPError:
                text = ""
            for line in text.splitlines():
                if not line or line.startswith("#"):
                    continue
                name = line.rsplit("/", 1)[-1]
                self.listed.setdefault(name, now)
                if "://" in line:
                    self.remote.setdefault(name, now)
            time.sleep(POLL)
        client.close()

    def stop(self) -> list[float]:
        """Stop; the listed-to-bucket delays of every segment seen both ways."""
        self._stop.set()
        self._thread.join()
        return [self.remote[n] - self.listed[n] for n in self.remote if n in self.listed]


def daemon_run(path: Path, endpoint: str | None) -> tuple[Any, list[float]]:
    """One push; the measuring window and (S3 on) the listed-to-bucket delays."""
    with tempfile.TemporaryDirectory(prefix="owncastd-bench-") as tmp:
        data_dir = Path(tmp)
        extra = ""
        if endpoint is not None:
            bucket = f"live-{int(time.time() * 1000)}"
            new_bucket(endpoint, bucket)
            extra = (
                f'\n[s3]\nenabled = true\nendpoint = "{endpoint}"\naccess_key = "{KEY}"\n'
                f'secret = "{SECRET}"\nbucket = "{bucket}"\nregion = "{REGION}"\n'
                "force_path_style = true\n"
            )
        write_config(data_dir, latency=0, variants=PASSTHROUGH + extra)
        with Owncastd(data_dir) as daemon:
            push, progress = pusher(path, daemon.rtmp_url)
            try:
                daemon.wait_online()
                poller = PlaylistPoller(daemon)
                time.sleep(SETTLE_AFTER_ONLINE)
                window = measure_until_exit(push, progress, {"daemon": daemon.process})
                delays = poller.stop()
            finally:
                stop_process(push)
            if endpoint is not None and "s3 storage unreachable" in daemon.log(500):
                print("# warning: the daemon saw S3 unreachable during the run")
    return window, delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="input length in seconds")
    parser.add_argument("--uploads", type=int, default=200, help="client uploads per client")
    parser.add_argument("--size", type=int, default=768, help="object size in KB")
    parser.add_argument("--skip-daemon", action="store_true")
    args = parser.parse_args()
    moto, endpoint = start_moto()
    try:
        client_bench(endpoint, args.uploads, args.size)
        if args.skip_daemon:
            return
        path = make_input(args.duration, False)
        off, _ = daemon_run(path, None)
        on, delays = daemon_run(path, endpoint)
    finally:
        stop_process(moto)
    pct = {}
    for name, window in (("off", off), ("on", on)):
        per_mbit = window.per_mbit("daemon")
        pct[name] = per_mbit * 6 * 100
        print(f"daemon_s3_{name}_window_s={window.seconds:.1f}")
        print(f"daemon_s3_{name}_ingest_mbps={window.mbit / window.seconds:.2f}")
        print(f"daemon_s3_{name}_cpu_s_per_mbit={per_mbit:.5f}")
        print(f"daemon_s3_{name}_pct_core_at_6mbps={pct[name]:.2f}")
    print(f"s3_adds_pct_core_at_6mbps={pct['on'] - pct['off']:.2f}")
    if delays:
        delays.sort()
        p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
        print(f"listed_to_bucket_segments={len(delays)}")
        print(f"listed_to_bucket_p50_s={statistics.median(delays):.3f}")
        print(f"listed_to_bucket_p95_s={p95:.3f}")
        print(f"listed_to_bucket_max_s={delays[-1]:.3f}")
    print(
        f"\n# S3 offload added {pct['on'] - pct['off']:.2f}% of one core at 6 Mbit/s "
        "(goal < 1%); a segment is playable locally as soon as it is listed, and listed by "
        "its bucket URL after the delays above."
    )


if __name__ == "__main__":
    main()
