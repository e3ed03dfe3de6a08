"""Schemathesis against a real daemon's integrations API with a token holding every scope:
valid and invalid inputs for every `/api/integrations/…` operation; no answer may be a server
error, and each answer of an authorised call carries `Access-Control-Allow-Origin: *`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.e2e.harness import OWNCASTD, DaemonProcess

pytestmark = pytest.mark.e2e

OPENAPI = Path(__file__).resolve().parents[2] / "owncastd" / "http" / "openapi.yaml"
SCOPES = ["CAN_SEND_MESSAGES", "CAN_SEND_SYSTEM_MESSAGES", "HAS_ADMIN_ACCESS"]

schema = schemathesis.openapi.from_path(str(OPENAPI)).include(path_regex="^/api/integrations/")
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)


@pytest.fixture(scope="module")
def token_daemon(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("integrations-schemathesis") / "data"
    subprocess.run(
        [str(OWNCASTD), "--data-dir", str(data_dir), "init", "--owncast-defaults"],
        check=True,
        capture_output=True,
    )
    daemon = DaemonProcess(data_dir, extra_args=["--webserverip", "127.0.0.1"]).wait_ready()
    created = httpx.post(
        daemon.url + "/api/admin/accesstokens/create",
        json={"name": "fuzz bot", "scopes": SCOPES},
        auth=("admin", "abc123"),
    )
    assert created.status_code == 200, created.text
    yield daemon, created.json()["accessToken"]
    assert daemon.stop() == 0, daemon.log()


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case, token_daemon):
    daemon, token = token_daemon
    headers = {"Authorization": f"Bearer {token}"}
    response = case.call(base_url=daemon.url, headers=headers, timeout=15)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: "
        f"{response.text[:300]}\n{daemon.log()}"
    )
    if case.method != "OPTIONS" and response.status_code not in (401, 404, 405):
        assert response.headers.get("access-control-allow-origin") == ["*"], response.headers
    assert daemon.process.poll() is None, daemon.log()
