"""Schemathesis against a real daemon: every documented operation, valid and invalid inputs, as
the admin; no answer may be a server error.

The daemon starts from `owncastd init --owncast-defaults` (admin password abc123). Operations
that would end the run are left out: `adminpass` (later requests would be refused) and
`update/forcequit` (stops the daemon; covered by test_admin_control.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.e2e.harness import OWNCASTD, DaemonProcess

pytestmark = pytest.mark.e2e

OPENAPI = Path(__file__).resolve().parents[2] / "owncastd" / "http" / "openapi.yaml"
EXAMPLES_PER_OPERATION = 8

schema = schemathesis.openapi.from_path(str(OPENAPI)).exclude(
    # chatwoot/setup calls out to the URL it is given (only 127.0.0.1 in tests; answers 502
    # when nothing is there): tests/contract/test_chatwoot_admin.py covers it.
    path=["/api/admin/config/adminpass", "/api/admin/update/forcequit", "/api/admin/chatwoot/setup"]
)
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)


@pytest.fixture(scope="module")
def compat_daemon(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("schemathesis") / "data"
    subprocess.run(
        [str(OWNCASTD), "--data-dir", str(data_dir), "init", "--owncast-defaults"],
        check=True,
        capture_output=True,
    )
    daemon = DaemonProcess(data_dir, extra_args=["--webserverip", "127.0.0.1"]).wait_ready()
    yield daemon
    assert daemon.stop() == 0, daemon.log()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case, compat_daemon):
    response = case.call(base_url=compat_daemon.url, auth=("admin", "abc123"), timeout=15)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: "
        f"{response.text[:300]}\n{compat_daemon.log()}"
    )
    assert compat_daemon.process.poll() is None, compat_daemon.log()
    if case.path == "/api/admin/serverconfig" and case.method == "GET":
        assert response.status_code == 200  # the credentials really work
