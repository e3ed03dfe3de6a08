"""The Storage contract, run against the local disk, a real S3 server (moto, SigV4 on) and a
second S3-compatible server (s3rver, from npm) to catch client assumptions."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
import trio

from owncastd.core.storage import Storage, StorageError
from owncastd.storage import s3 as s3_module
from owncastd.storage.local import LocalStorage
from owncastd.storage.probe import round_trip
from owncastd.storage.s3 import S3Storage
from owncastd.storage.s3_config import S3Config
from tests.s3_server import MotoS3, S3rver

Make = Callable[..., S3Storage]


@pytest.fixture
def make_s3(moto_s3: MotoS3) -> Make:
    bucket = moto_s3.new_bucket()
    account = moto_s3.account

    def make(**changes: object) -> S3Storage:
        fields: dict[str, object] = {
            "endpoint": account.endpoint,
            "bucket": bucket,
            "region": account.region,
            "access_key": account.access_key,
            "secret": account.secret,
            "force_path_style": True,
        }
        fields.update(changes)
        return S3Storage(S3Config(**fields), backoff=0.01)  # type: ignore[arg-type]

    return make


@pytest.fixture(params=["local", "moto", "s3rver"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "objects", "http://example.test/files")
    if request.param == "moto":
        return request.getfixturevalue("make_s3")(path_prefix="live/a")
    server: S3rver = request.getfixturevalue("s3rver")
    account = server.account
    prefix = f"t-{secrets.token_hex(4)}/live"  # one bucket for the session: a prefix per test
    config = S3Config(
        account.endpoint,
        server.BUCKET,
        account.region,
        account.access_key,
        account.secret,
        path_prefix=prefix,
        force_path_style=True,
    )
    return S3Storage(config, backoff=0.01)


async def test_put_get_list_delete_round_trip(storage: Storage, tmp_path: Path) -> None:
    source = tmp_path / "seg.ts"
    source.write_bytes(b"\x47" * 188 * 10)
    await storage.put("hls/0/seg-1.ts", source, "video/mp2t", "public, max-age=60")
    await storage.put("hls/0/seg-2.ts", b"two", "video/mp2t")
    await storage.put("hls/1/seg-1.ts", b"other", "video/mp2t")
    assert await storage.get("hls/0/seg-1.ts") == source.read_bytes()
    assert await storage.list("hls/0/") == ["hls/0/seg-1.ts", "hls/0/seg-2.ts"]
    await storage.delete(["hls/0/seg-1.ts", "hls/0/missing.ts"])
    assert await storage.list("hls/") == ["hls/0/seg-2.ts", "hls/1/seg-1.ts"]
    with pytest.raises(StorageError):
        await storage.get("hls/0/seg-1.ts")
    assert await round_trip(storage) is None
    assert await storage.list("") == ["hls/0/seg-2.ts", "hls/1/seg-1.ts"]  # probe cleaned up


async def test_s3_objects_carry_prefix_type_and_cache(make_s3: Make, moto_s3: MotoS3) -> None:
    storage = make_s3(path_prefix="/live/a/", acl="public-read")
    await storage.put("hls/0/x.ts", b"x", "video/mp2t", "public, max-age=31557600")
    head = moto_s3.client().head_object(Bucket=storage.config.bucket, Key="live/a/hls/0/x.ts")
    assert head["ContentType"] == "video/mp2t"
    assert head["CacheControl"] == "public, max-age=31557600"
    assert (
        storage.url("hls/0/x.ts") == f"{moto_s3.endpoint}/{storage.config.bucket}/live/a/hls/0/x.ts"
    )


async def test_s3_multipart_for_large_files(
    make_s3: Make,
    moto_s3: MotoS3,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(s3_module, "MULTIPART_THRESHOLD", 5 * 1024 * 1024)
    monkeypatch.setattr(s3_module, "MULTIPART_CHUNK", 5 * 1024 * 1024)
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\x01" * (11 * 1024 * 1024))
    storage = make_s3()
    await storage.put("replays/big.mp4", big, "video/mp4")
    head = moto_s3.client().head_object(Bucket=storage.config.bucket, Key="replays/big.mp4")
    assert head["ContentLength"] == big.stat().st_size
    assert head["ETag"].strip('"').endswith("-3")  # three parts: a multipart upload


async def test_s3_wrong_secret_fails_without_leaking_it(make_s3: Make) -> None:
    storage = make_s3(secret="not-the-secret-0123456789")
    problem = await round_trip(storage)
    assert problem is not None and "SignatureDoesNotMatch" in problem
    assert "not-the-secret" not in problem
    assert "not-the-secret" not in repr(storage.config)


async def test_s3_unreachable_fails_after_retries(make_s3: Make) -> None:
    with trio.fail_after(10):
        storage = make_s3(endpoint="http://127.0.0.1:9")  # discard port: refused
        with pytest.raises(StorageError, match="put"):
            await storage.put("a", b"a", "text/plain")


def test_bucket_urls_follow_the_settings() -> None:
    base = S3Config("https://s3.example.com", "bkt", "eu", "k", "s", path_prefix="p")
    assert base.url("hls/0/a.ts") == "https://bkt.s3.example.com/p/hls/0/a.ts"
    forced = S3Config("https://s3.example.com", "bkt", "eu", "k", "s", force_path_style=True)
    assert forced.url("a.ts") == "https://s3.example.com/bkt/a.ts"
    cdn = S3Config(
        "https://s3.example.com", "bkt", "eu", "k", "s", serving_endpoint="https://cdn.x"
    )
    assert cdn.url("a.ts") == "https://cdn.x/a.ts"
