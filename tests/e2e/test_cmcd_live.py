"""End to end: a player's CMCD reports to a real owncastd over real HTTP reach the admin read."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, write_config

pytestmark = pytest.mark.e2e


def test_cmcd_reports_over_real_http(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    write_config(data_dir)
    daemon = DaemonProcess(data_dir).wait_ready()
    try:
        url = daemon.url + "/api/metrics/cmcd"
        origin = {"Origin": "https://player.example", "User-Agent": "cmcd e2e"}
        preflight = httpx.options(url, headers=origin)
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "*"
        posted = httpx.post(
            url + "?CMCD=br%3D3200",
            content=b'{"sid":"e2e-player","mtp":12000}',
            headers={**origin, "CMCD-Status": "bs", "Content-Type": "text/plain"},
        )
        assert (posted.status_code, posted.content) == (200, b"")
        assert "content-type" not in posted.headers  # as Go's bare WriteHeader(200)
        refused = httpx.get(url, headers=origin)
        assert refused.status_code == 400
        assert refused.json() == {"success": False, "message": "no CMCD report found in request"}

        rows = httpx.get(
            daemon.url + "/api/admin/viewers/playback", auth=("admin", ADMIN_PASSWORD)
        ).json()
        [row] = [r for r in rows if r["clientID"] == "e2e-player"]
        assert row["userAgent"] == "cmcd e2e"
        figures = row["playback"]
        assert (figures["bitrateKbps"], figures["bandwidthKbps"]) == (3200, 12000)
        assert figures["errorCount"] == 1
    finally:
        code = daemon.stop()
    assert code == 0, daemon.log()
