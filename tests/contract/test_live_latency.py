"""`POST /api/metrics/playback` with owncastd's additive live latency, read back at
`/api/admin/metrics/video` as `liveLatency` {clients, p50, p95, liveEdgeP50, liveEdgeP95} and the
`liveLatencyP50`/`liveLatencyP95` series, next to Owncast's unchanged fields."""

from __future__ import annotations

import pytest

from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401

OWNCAST_FIELDS = {
    "errors", "qualityVariantChanges", "highestLatency", "medianLatency", "lowestLatency",
    "medianSegmentDownloadDuration", "maximumSegmentDownloadDuration",
    "minimumSegmentDownloadDuration", "minPlayerBitrate", "medianPlayerBitrate",
    "maxPlayerBitrate", "availableBitrates", "segmentLength", "representation",
}  # fmt: skip


async def report(admin: AdminHarness, agent: str, body: dict):
    return await admin.post(
        "/api/metrics/playback", body, auth=False, headers={"User-Agent": agent}
    )


async def test_reported_latency_becomes_p50_p95(admin: AdminHarness):
    _, empty = await admin.get("/api/admin/metrics/video")
    assert empty["liveLatency"] == {
        "clients": 0, "p50": None, "p95": None, "liveEdgeP50": None, "liveEdgeP95": None,
    }  # fmt: skip
    for i in range(1, 21):
        response, body = await report(
            admin, f"player {i}", {"latency": float(i), "liveEdgeLatency": i / 2}
        )
        assert response.status_code == 200, body
        assert body == {"success": True, "message": "recorded"}
    admin.control.playback.aggregate()
    response, metrics = await admin.get("/api/admin/metrics/video")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-cache")
    assert set(metrics) > OWNCAST_FIELDS
    assert metrics["liveLatency"] == {
        "clients": 20, "p50": 10.0, "p95": 19.0, "liveEdgeP50": 5.0, "liveEdgeP95": 9.5,
    }  # fmt: skip
    assert [s["value"] for s in metrics["liveLatencyP50"]] == [10.0]
    assert [s["value"] for s in metrics["liveLatencyP95"]] == [19.0]
    assert set(metrics["liveLatencyP95"][0]) == {"time", "value"}
    assert [s["value"] for s in metrics["highestLatency"]] == [20.0]  # Owncast's, unchanged


@pytest.mark.parametrize(
    "body", [{"liveEdgeLatency": 601}, {"liveEdgeLatency": -0.5}, {"liveEdgeLatency": "3"}]
)
async def test_a_live_edge_latency_outside_0_600_is_refused(admin: AdminHarness, body):
    response, answer = await report(admin, "bad player", body)
    assert response.status_code == 400
    assert answer["success"] is False
    assert "liveEdgeLatency" in answer["message"]
    _, metrics = await admin.get("/api/admin/metrics/video")
    assert metrics["liveLatency"]["clients"] == 0


async def test_an_owncast_latency_over_600_is_taken_but_not_counted_live(admin: AdminHarness):
    response, _ = await report(admin, "slow player", {"latency": 900})
    assert response.status_code == 200  # Owncast's field keeps its range
    admin.control.playback.aggregate()
    _, metrics = await admin.get("/api/admin/metrics/video")
    assert [s["value"] for s in metrics["highestLatency"]] == [900.0]
    assert metrics["liveLatency"]["clients"] == 0
    assert metrics["liveLatencyP95"] == []


async def test_a_cmcd_live_latency_counts_too(admin: AdminHarness):
    response, _ = await admin.request(
        "POST",
        "/api/metrics/cmcd",
        auth=False,
        data=b'{"sid":"s1","ltc":4500}',
        headers={"User-Agent": "cmcd player", "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    _, metrics = await admin.get("/api/admin/metrics/video")
    assert metrics["liveLatency"]["clients"] == 1
    assert metrics["liveLatency"]["p50"] == 4.5  # CMCD ltc is in milliseconds
