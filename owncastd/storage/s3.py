"""An S3-compatible bucket as :class:`~owncastd.core.storage.Storage`: boto3 on worker threads.

Why boto3 through `trio.to_thread` (bench/storage.py measures it): one well-kept client that
signs SigV4, does multipart and speaks to every S3-compatible server; a segment upload is a few
hundred µs of CPU, so a thread hop per request costs nothing that matters at 1–2 uploads per
second. Concurrency is bounded by a :class:`trio.CapacityLimiter` (botocore's pool has as many
connections). botocore's own retries are off so that an outage is seen within seconds; each
operation is retried here with backoff. Objects from `MULTIPART_THRESHOLD` up are sent as a
multipart upload. The secret never reaches a log line or an error message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import trio

from owncastd.core.storage import StorageError
from owncastd.storage.s3_config import S3Config

log = logging.getLogger(__name__)
_T = TypeVar("_T")

CONCURRENCY = 4
ATTEMPTS = 3
BACKOFF = 0.25  # seconds before the 2nd attempt; doubles each time
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 10.0
MULTIPART_THRESHOLD = 16 * 1024 * 1024
MULTIPART_CHUNK = 8 * 1024 * 1024
DELETE_BATCH = 1000  # S3's DeleteObjects limit


class S3Storage:
    """A bucket; the client is made lazily on the first call (importing boto3 takes ~0.3 s)."""

    def __init__(
        self, config: S3Config, *, attempts: int = ATTEMPTS, backoff: float = BACKOFF
    ) -> None:
        self.config = config
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._limiter = trio.CapacityLimiter(CONCURRENCY)
        self._client: Any = None
        self._client_lock = threading.Lock()  # the first calls may come from several threads

    def url(self, key: str) -> str:
        """The object's public URL (serving endpoint or bucket URL, with the path prefix)."""
        return self.config.url(key)

    async def put(
        self, key: str, data: Path | bytes, content_type: str, cache_control: str = ""
    ) -> None:
        """Upload `data` (multipart from MULTIPART_THRESHOLD bytes)."""
        extra: dict[str, str] = {"ContentType": content_type}
        if cache_control:
            extra["CacheControl"] = cache_control
        if self.config.acl:
            extra["ACL"] = self.config.acl
        full = self.config.key(key)

        def upload() -> None:
            client = self._boto()
            if isinstance(data, Path) and data.stat().st_size >= MULTIPART_THRESHOLD:
                client.upload_file(str(data), self.config.bucket, full, extra, Config=_transfer())
                return
            body = data.read_bytes() if isinstance(data, Path) else data
            client.put_object(Bucket=self.config.bucket, Key=full, Body=body, **extra)

        await self._call(f"put {key}", upload)

    async def get(self, key: str) -> bytes:
        """The object's bytes."""
        full = self.config.key(key)

        def download() -> bytes:
            reply = self._boto().get_object(Bucket=self.config.bucket, Key=full)
            return bytes(reply["Body"].read())

        return await self._call(f"get {key}", download)

    async def delete(self, keys: Sequence[str]) -> None:
        """Delete in batches of up to 1000 keys (DeleteObjects)."""
        full = [self.config.key(k) for k in keys]
        for start in range(0, len(full), DELETE_BATCH):
            batch = [{"Key": k} for k in full[start : start + DELETE_BATCH]]

            def remove(batch: list[dict[str, str]] = batch) -> None:
                reply = self._boto().delete_objects(
                    Bucket=self.config.bucket, Delete={"Objects": batch, "Quiet": True}
                )
                if errors := reply.get("Errors"):
                    first = errors[0]
                    raise StorageError(
                        f"delete failed for {len(errors)} keys: {first.get('Code')} "
                        f"{first.get('Message')}"
                    )

            await self._call(f"delete {len(batch)} keys", remove)

    async def list(self, prefix: str = "") -> list[str]:
        """Every key under the path prefix + `prefix`, without the path prefix."""
        full = self.config.key(prefix) if prefix else self.config.key("")
        strip = len(self.config.key(""))

        def walk() -> list[str]:
            pages = self._boto().get_paginator("list_objects_v2")
            keys: list[str] = []
            for page in pages.paginate(Bucket=self.config.bucket, Prefix=full):
                keys += [item["Key"][strip:] for item in page.get("Contents", [])]
            return sorted(keys)

        return await self._call(f"list {prefix}", walk)

    async def _call(self, what: str, fn: Callable[[], _T]) -> _T:
        """Run `fn` on a worker thread, retrying with backoff; StorageError when it keeps
        failing (the message names the operation and the error, never the credentials)."""
        delay = self._backoff
        for attempt in range(1, self._attempts + 1):
            try:
                return await trio.to_thread.run_sync(fn, limiter=self._limiter)
            except (StorageError, FileNotFoundError):
                raise  # FileNotFoundError: the local file to upload is gone
            except Exception as exc:  # botocore raises many unrelated types
                reason = _reason(exc)
                if attempt == self._attempts or _permanent(exc):
                    raise StorageError(f"s3 {what}: {reason}") from None
                log.debug("s3 retry what=%s attempt=%d error=%s", what, attempt, reason)
            await trio.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _boto(self) -> Any:
        """The boto3 client (made once, on a worker thread)."""
        with self._client_lock:
            if self._client is None:
                self._client = make_client(self.config)
            return self._client


def make_client(config: S3Config) -> Any:
    """A boto3 S3 client for `config` with SigV4, short timeouts and no botocore retries."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=config.endpoint,
        region_name=config.region,
        aws_access_key_id=config.access_key,
        aws_secret_access_key=config.secret,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if config.force_path_style else "auto"},
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"total_max_attempts": 1},
            max_pool_connections=CONCURRENCY,
            # botocore ≥ 1.36 adds a CRC32 of every body by default: CPU for nothing that
            # SigV4's payload hash does not already cover (and older S3 servers reject it).
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def _transfer() -> Any:
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(
        multipart_threshold=MULTIPART_THRESHOLD,
        multipart_chunksize=MULTIPART_CHUNK,
        max_concurrency=CONCURRENCY,
    )


def _reason(exc: Exception) -> str:
    """A short, secret-free description of a boto3/botocore error."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
        return f"{error.get('Code', 'error')} (HTTP {status}): {error.get('Message', '')}".strip()
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


# Errors a retry will not fix: credentials, signatures, a missing bucket, refused access.
_PERMANENT = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "NoSuchBucket",
    "NoSuchKey",
    "InvalidBucketName",
    "AuthorizationHeaderMalformed",
}


def _permanent(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    return isinstance(response, dict) and response.get("Error", {}).get("Code") in _PERMANENT
