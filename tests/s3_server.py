"""A real S3 server for the tests: moto's server on 127.0.0.1, with SigV4 checked.

moto runs in a thread of the test process (its objects live in memory, so the server can be
stopped and started again on the same port with the bucket intact: an outage, then recovery).
Authentication is switched on once an IAM user with full access exists: a request signed with
any other key or secret is refused, as a real bucket would.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REGION = "us-east-1"
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


@dataclass(frozen=True)
class S3Account:
    """The endpoint and credentials the tests give to the daemon."""

    endpoint: str
    access_key: str
    secret: str
    region: str = REGION


class MotoS3:
    """moto's ThreadedMotoServer on a loopback port, restartable on the same port."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self._cls = ThreadedMotoServer
        self._server: Any = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.account = self._enable_auth()

    def _enable_auth(self) -> S3Account:
        import boto3
        from moto import settings

        iam = boto3.client(
            "iam",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        name = f"owncastd-{secrets.token_hex(3)}"
        # moto's switch is process-wide: an earlier server may have turned checking on.
        settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=ALLOW_ALL)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # from now on every request is checked
        return S3Account(self.endpoint, key["AccessKeyId"], key["SecretAccessKey"])

    def client(self, secret: str | None = None) -> Any:
        """A boto3 client for the test's own checks (path style)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.account.access_key,
            aws_secret_access_key=secret or self.account.secret,
            config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}),
        )

    def new_bucket(self, *, cors: bool = False) -> str:
        """A fresh bucket (CORS open to any origin for GET when `cors`)."""
        name = f"b-{secrets.token_hex(5)}"
        client = self.client()
        client.create_bucket(Bucket=name)
        if cors:
            rule = {
                "AllowedMethods": ["GET", "HEAD"],
                "AllowedOrigins": ["*"],
                "AllowedHeaders": ["*"],
            }
            client.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [rule]})
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key in `bucket` under `prefix`."""
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    @contextlib.contextmanager
    def anonymous_reads(self) -> Iterator[None]:
        """Within: no request is authenticated, so a browser can GET objects (moto fails an
        unsigned GET while authentication is on, even of a public-read object)."""
        from moto import settings

        settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
        try:
            yield
        finally:
            settings.INITIAL_NO_AUTH_ACTION_COUNT = 0

    def stop(self) -> None:
        """Stop serving (the bucket stays in memory): connections are refused."""
        self._server.stop()

    def start(self) -> None:
        """Serve again on the same port."""
        self._server = self._cls(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()


S3RVER = Path(__file__).resolve().parent / "s3rver" / "node_modules" / ".bin" / "s3rver"
S3RVER_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


class S3rver:
    """s3rver (npm), a second S3-compatible server: a different XML and HTTP implementation
    to catch client assumptions. It does not check signatures; moto does."""

    BUCKET = "owncastd-s3rver"

    def __init__(self, directory: Path) -> None:
        if not S3RVER.exists():
            raise RuntimeError(f"{S3RVER} missing: run `python3 tools/bootstrap.py test`")
        argv = [str(S3RVER), "-d", str(directory), "-a", "127.0.0.1", "-p", "0",
                "--configure-bucket", self.BUCKET]  # fmt: skip
        self.process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        deadline = time.monotonic() + 20
        port = 0
        while not port and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            if found := S3RVER_LISTENING.search(line):
                port = int(found[1])
        if not port:
            self.stop()
            raise RuntimeError("s3rver did not start")
        stdout = self.process.stdout  # s3rver logs every request: keep draining its pipe
        threading.Thread(target=lambda: stdout.read(), daemon=True).start()
        self.endpoint = f"http://127.0.0.1:{port}"
        self.account = S3Account(self.endpoint, "S3RVER", "S3RVER")

    def stop(self) -> None:
        """Terminate s3rver."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="session")
def s3rver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3rver]:
    """One s3rver for the session."""
    server = S3rver(tmp_path_factory.mktemp("s3rver"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    """One moto server for the session (each test makes its own bucket)."""
    server = MotoS3()
    try:
        yield server
    finally:
        server.stop()
