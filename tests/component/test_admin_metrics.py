"""Viewers, viewersOverTime, hardwarestats, playback metrics and Prometheus (reference §8)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
import trio

from owncastd.core.media import StreamDetails
from owncastd.metrics.hardware import HardwareMonitor
from owncastd.store.database import Store
from owncastd.store.viewer_samples import ViewerSampleRepository
from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401
from tests.component.app_fixtures import START, START_Z, VERSION

ADMIN_GETS = [
    "/api/admin/viewers",
    "/api/admin/viewersOverTime",
    "/api/admin/hardwarestats",
    "/api/admin/metrics/video",
    "/api/admin/prometheus",
]


@pytest.mark.parametrize("path", ADMIN_GETS)
async def test_admin_metric_routes_need_the_admin(admin: AdminHarness, path):
    response, _ = await admin.get(path, auth=False)
    assert response.status_code == 401
    preflight, _ = await admin.request("OPTIONS", path, auth=False)
    assert preflight.status_code == 204


async def test_viewers_lists_active_viewers(admin: AdminHarness, mock_clock):
    _, empty = await admin.get("/api/admin/viewers")
    assert empty == []
    await admin.go_online()
    await admin.get("/api/ping", auth=False, headers={"User-Agent": "Player/1"})
    response, viewers = await admin.get("/api/admin/viewers")
    assert response.status_code == 200
    assert len(viewers) == 1
    viewer = viewers[0]
    assert set(viewer) == {"firstSeen", "lastSeen", "userAgent", "ipAddress", "clientID", "geo"}
    assert viewer["userAgent"] == "Player/1"
    assert viewer["firstSeen"] == START_Z
    assert len(viewer["clientID"]) == 32


async def test_viewers_over_time_samples_only_while_online(admin: AdminHarness, mock_clock):
    history = admin.control.viewer_history
    await history.tick()  # offline: nothing recorded
    await admin.go_online()
    await admin.get("/api/ping", auth=False)
    await history.tick()
    admin.wall.advance(120)
    await admin.get("/api/ping", auth=False, headers={"User-Agent": "other"})
    await history.tick()
    _, samples = await admin.get("/api/admin/viewersOverTime")
    assert [s["value"] for s in samples] == [1, 2]
    assert samples[0]["time"] == START_Z
    later = int((START + timedelta(seconds=60)).timestamp())
    _, window = await admin.get(f"/api/admin/viewersOverTime?windowStart={later}")
    assert [s["value"] for s in window] == [2]


@pytest.mark.parametrize("value", ["yesterday", "1.5", "9" * 30])
async def test_viewers_over_time_refuses_a_bad_window(admin: AdminHarness, value):
    response, body = await admin.get(f"/api/admin/viewersOverTime?windowStart={value}")
    assert response.status_code == 400
    assert "windowStart" in body["message"]


async def test_viewer_samples_survive_a_restart(tmp_path: Path):
    path = tmp_path / "owncast.db"
    for count in (3, 4):
        async with trio.open_nursery() as nursery:
            store = Store(path)
            await nursery.start(store.run)
            repo = ViewerSampleRepository(store)
            await repo.add(START + timedelta(minutes=count), count)
            nursery.cancel_scope.cancel()
    async with trio.open_nursery() as nursery:
        store = Store(path)
        await nursery.start(store.run)
        samples = await ViewerSampleRepository(store).since(START)
        nursery.cancel_scope.cancel()
    assert [count for _, count in samples] == [3, 4]


async def test_hardwarestats_series(admin: AdminHarness):
    admin.probe.cpu = [12.5, 50.0]
    await admin.control.hardware.sample()
    await admin.control.hardware.sample()
    response, stats = await admin.get("/api/admin/hardwarestats")
    assert response.status_code == 200
    assert [s["value"] for s in stats["cpu"]] == [12.5, 50.0]
    assert [s["value"] for s in stats["memory"]] == [20.0, 20.0]
    assert [s["value"] for s in stats["disk"]] == [30.0, 30.0]
    assert stats["cpu"][0]["time"] == START_Z


async def test_hardware_keeps_300_samples_and_warns_on_high_load(tmp_path, caplog):
    from tests.component.admin_fixtures import ScriptedProbe
    from tests.component.app_fixtures import WallClock

    probe = ScriptedProbe()
    monitor = HardwareMonitor(tmp_path, WallClock(START), probe=probe)
    for _ in range(310):
        await monitor.sample()
    assert len(monitor.cpu) == len(monitor.memory) == len(monitor.disk) == 300
    probe.cpu = [99.0, 98.0, 97.0, 10.0]
    with caplog.at_level(logging.WARNING, logger="owncastd.metrics.hardware"):
        await monitor.sample()  # average of 10 and 99: fine
        await monitor.sample()  # 99 and 98: high
        await monitor.sample()  # still high: not repeated at once
        await monitor.sample()  # 97 and 10: fine again
    warnings = [r for r in caplog.records if "hardware load high" in r.getMessage()]
    assert len(warnings) == 1
    assert "resource=cpu" in warnings[0].getMessage()


async def test_real_psutil_sample(tmp_path):
    from tests.component.app_fixtures import WallClock

    monitor = HardwareMonitor(tmp_path, WallClock(START))
    await monitor.sample()
    for series in (monitor.cpu, monitor.memory, monitor.disk):
        assert series.latest is not None and 0.0 <= series.latest <= 100.0


async def test_playback_reports_become_video_metrics(admin: AdminHarness):
    reports = [
        ("a", {"bandwidth": 1000, "latency": 4, "downloadDuration": 0.5, "errors": 1}),
        ("b", {"bandwidth": 3000, "latency": 8, "downloadDuration": 1.5, "errors": 2}),
        ("c", {"bandwidth": 2000, "latency": 6, "downloadDuration": 1.0, "errors": 0}),
        ("c", {"bandwidth": 2000, "latency": 6, "downloadDuration": 1, "qualityVariantChanges": 3}),
    ]  # fmt: skip
    for agent, report in reports:
        response, body = await admin.post(
            "/api/metrics/playback", report, auth=False, headers={"User-Agent": agent}
        )
        assert response.status_code == 200, body
    admin.control.playback.aggregate()
    response, metrics = await admin.get("/api/admin/metrics/video")
    assert response.status_code == 200

    def values(name):
        return [s["value"] for s in metrics[name]]

    assert values("errors") == [3.0]  # c's newest report replaced its first
    assert values("qualityVariantChanges") == [3.0]
    assert values("lowestLatency") == [4.0]
    assert values("medianLatency") == [6.0]
    assert values("highestLatency") == [8.0]
    assert values("minimumSegmentDownloadDuration") == [0.5]
    assert values("medianSegmentDownloadDuration") == [1.0]
    assert values("maximumSegmentDownloadDuration") == [1.5]
    assert values("minPlayerBitrate") == [1000.0]
    assert values("medianPlayerBitrate") == [2000.0]
    assert values("maxPlayerBitrate") == [3000.0]
    assert metrics["availableBitrates"] == [1200]
    assert metrics["segmentLength"] == 2
    assert metrics["representation"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"bandwidth": "fast"},
        {"latency": -1},
        {"errors": True},
        {"bandwidth": 1e300},
        {"downloadDuration": [1]},
    ],
)
async def test_bad_playback_reports_are_refused(admin: AdminHarness, body):
    response, answer = await admin.post("/api/metrics/playback", body, auth=False)
    assert response.status_code == 400
    assert answer["success"] is False
    admin.control.playback.aggregate()
    assert admin.control.playback.errors.latest == 0
    good = {"bandwidth": 1000, "latency": 4, "downloadDuration": 0.5, "errors": 3}
    response, answer = await admin.post("/api/metrics/playback", good, auth=False)
    assert response.status_code == 200, answer
    admin.control.playback.aggregate()
    assert admin.control.playback.errors.latest == 3  # a good report does count


async def test_playback_report_body_limits(admin: AdminHarness):
    response, _ = await admin.post(
        "/api/metrics/playback", auth=False, data=b'{"errors": 1' + b" " * 5000 + b"}"
    )
    assert response.status_code == 413
    response, _ = await admin.post(
        "/api/metrics/playback", auth=False, data=b"[]", headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 415
    response, _ = await admin.post(
        "/api/metrics/playback",
        auth=False,
        data=b'{"errors": 1}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200  # a small JSON body is taken


async def test_playback_window_is_bounded(tmp_path):
    from owncastd.metrics.playback import PlaybackMetrics, PlaybackReport
    from tests.component.app_fixtures import WallClock

    metrics = PlaybackMetrics(WallClock(START), max_clients=3)
    assert all(metrics.record(str(i), PlaybackReport(errors=1)) for i in range(3))
    assert not metrics.record("late", PlaybackReport(errors=1))
    assert metrics.record("1", PlaybackReport(errors=5))  # a known client may update
    metrics.aggregate()
    assert metrics.errors.latest == 7.0


async def test_prometheus_serves_real_metrics(admin: AdminHarness, mock_clock):
    session = await admin.go_online()
    session.set_details(StreamDetails(video_bitrate=2500, audio_bitrate=128))
    await admin.get("/api/ping", auth=False)
    admin.probe.cpu = [42.0]
    await admin.control.hardware.sample()
    await admin.get("/api/status", auth=False)
    await admin.get("/no/such/route", auth=False)
    for method in ("GET", "POST", "PUT", "DELETE"):
        response, text = await admin.request(method, "/api/admin/prometheus")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = text.decode()
    labels = f'host="",version="{VERSION}"'
    assert f"owncast_instance_active_viewer_count{{{labels}}} 1.0" in text
    assert f"owncast_instance_active_chat_client_count{{{labels}}} 0.0" in text
    assert f"owncast_instance_cpu_usage{{{labels}}} 42.0" in text
    assert "owncastd_stream_online 1.0" in text
    assert 'owncastd_ingest_bitrate_kbps{kind="video"} 2500.0' in text
    assert 'owncastd_ingest_bitrate_kbps{kind="audio"} 128.0' in text
    assert "owncastd_ffmpeg_restarts_total 2.0" in text
    assert 'owncastd_http_requests_total{method="GET",route="/api/status",status="200"} 1.0' in (
        text
    )
    assert 'route="unmatched",status="404"' in text
    assert "/no/such/route" not in text
    assert "process_resident_memory_bytes" in text
    assert "process_cpu_seconds_total" in text


async def test_chat_figures_come_from_the_chat_source(admin: AdminHarness):
    class Chat:
        async def refresh(self) -> None:
            return None

        def client_count(self) -> int:
            return 7

        def user_count(self) -> int:
            return 70

        def message_count(self) -> int:
            return 700

    admin.control.metrics.set_chat(Chat())
    _, text = await admin.get("/api/admin/prometheus")
    text = text.decode()
    assert "owncast_instance_active_chat_client_count{" in text
    assert "} 7.0" in text and "} 70.0" in text and "} 700.0" in text


async def test_each_app_has_its_own_registry(tmp_path, nursery):
    from tests.component.admin_fixtures import build_admin

    first = await build_admin(tmp_path / "one", nursery)
    second = await build_admin(tmp_path / "two", nursery)
    await first.get("/api/status", auth=False)
    _, text = await second.get("/api/admin/prometheus")
    assert 'route="/api/status"' not in text.decode()
    _, text = await first.get("/api/admin/prometheus")  # the app that served it counted it
    assert 'route="/api/status"' in text.decode()
