"""Owncast's `s3` setter (reference §1.5: `{enabled, endpoint, servingEndpoint, accessKey, secret,
bucket, region, acl, forcePathStyle}`, plus `pathPrefix`), checked against a real S3 server:
valid settings pass a put/get/delete round trip and are saved; every problem with the fields is
listed in one 400; a failing round trip is a 400 with the reason and saves nothing."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401
from tests.s3_server import MotoS3, moto_s3  # noqa: F401


def s3_value(moto: MotoS3, bucket: str, **changes: Any) -> dict[str, Any]:
    account = moto.account
    value = {
        "enabled": True,
        "endpoint": account.endpoint,
        "servingEndpoint": "https://cdn.example.test",
        "accessKey": account.access_key,
        "secret": account.secret,
        "bucket": bucket,
        "region": account.region,
        "acl": "public-read",
        "forcePathStyle": True,
        "pathPrefix": "owncast",
    }
    return value | changes


async def test_valid_settings_pass_a_round_trip_and_are_saved(
    admin: AdminHarness,
    moto_s3: MotoS3,  # noqa: F811
) -> None:
    bucket = moto_s3.new_bucket()
    value = s3_value(moto_s3, bucket)
    response, body = await admin.set_config("s3", value)
    assert response.status_code == 200, body
    assert body == {"success": True, "message": "changed; applies from the next stream"}
    _, config = await admin.get("/api/admin/serverconfig")
    assert config["s3"] == value
    s3 = admin.settings.current.s3
    assert (s3.enabled, s3.bucket, s3.path_prefix) == (True, bucket, "owncast")
    assert moto_s3.keys(bucket) == []  # the probe object was deleted
    assert f'bucket = "{bucket}"' in admin.config_text()


async def test_every_problem_is_listed_and_nothing_saved(admin: AdminHarness) -> None:
    before = admin.config_text()
    value = {"enabled": True, "acl": "everyone", "region": "eu"}
    response, body = await admin.set_config("s3", value)
    assert response.status_code == 400
    assert body["success"] is False
    message = body["message"]
    for key in ("endpoint", "access_key", "secret", "bucket"):
        assert f"[s3] {key}: required when s3 is enabled" in message
    assert "[s3] acl: must be one of private, public-read" in message
    assert "region" not in message.replace("[s3] region", "")  # given: not a problem
    assert admin.config_text() == before
    assert admin.settings.current.s3.enabled is False


async def test_a_failing_round_trip_is_refused_with_the_reason(
    admin: AdminHarness,
    moto_s3: MotoS3,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    bucket = moto_s3.new_bucket()
    before = admin.config_text()
    wrong = "wrong-secret-9f8e7d6c5b4a"
    cases = [
        (s3_value(moto_s3, bucket, secret=wrong), "SignatureDoesNotMatch"),
        (s3_value(moto_s3, "no-such-bucket-here"), "NoSuchBucket"),
        (s3_value(moto_s3, bucket, endpoint="http://127.0.0.1:9"), "s3 put"),
    ]
    for value, reason in cases:
        response, body = await admin.set_config("s3", value)
        assert response.status_code == 400, body
        assert body["message"].startswith(
            "s3: [s3] round trip: the put, get and delete of a probe object failed: s3 "
        )
        assert reason in body["message"]
        assert wrong not in body["message"]
    assert admin.config_text() == before
    assert admin.settings.current.s3.enabled is False
    assert wrong not in caplog.text


async def test_turning_s3_off_needs_no_bucket(admin: AdminHarness) -> None:
    value = {"enabled": False, "endpoint": "http://127.0.0.1:9", "bucket": "kept"}
    response, body = await admin.set_config("s3", value)
    assert response.status_code == 200, body
    assert admin.settings.current.s3.bucket == "kept"
