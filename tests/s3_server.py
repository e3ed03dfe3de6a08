"""A real S3 server for the tests: moto's server on 127.0.0.1, with SigV4 checked.

moto runs in a thread of the test process (its objects live in memory, so the server can be
stopped and started again on the same port with the bucket intact: an outage, then recovery).
Authentication is switched on once an IAM user with full access exists: a request signed with
any other key or secret is refused, as a real bucket would.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
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

    def stop(self) -> None:
        """Stop serving (the bucket stays in memory): connections are refused."""
        self._server.stop()

    def start(self) -> None:
        """Serve again on the same port."""
        self._server = self._cls(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    """One moto server for the session (each test makes its own bucket)."""
    server = MotoS3()
    try:
        yield server
    finally:
        server.stop()
