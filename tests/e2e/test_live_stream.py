"""End to end: real ffmpeg → RTMP → owncastd → ffmpeg HLS → HTTP, two variants at once."""

from __future__ import annotations

import socket

import pytest

from tests.e2e.harness import (
    STREAM_KEY,
    DaemonProcess,
    Publisher,
    probe_streams,
    wait_for,
    write_config,
)

pytestmark = pytest.mark.e2e

TWO_VARIANTS = (
    "[[video.variants]]\nvideo_bitrate = 600\nframerate = 30\nscaled_height = 240\n"
    "cpu_usage_level = 0\n",
    "[[video.variants]]\nvideo_passthrough = true\n",
)


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("owncast-data")
    write_config(data_dir, latency=0, variants=TWO_VARIANTS)
    process = DaemonProcess(data_dir).wait_ready()
    yield process
    code = process.stop()
    assert code == 0, f"owncastd exited with {code}\n{process.log()}"


def playlist_segments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def media_sequence(text: str) -> int:
    (line,) = [line for line in text.splitlines() if line.startswith("#EXT-X-MEDIA-SEQUENCE:")]
    return int(line.split(":")[1])


def test_offline_before_any_publisher(daemon):
    status = daemon.status()
    assert status["online"] is False
    assert status["lastConnectTime"] is None
    assert daemon.get("/hls/stream.m3u8").status_code == 404


def test_wrong_key_produces_no_stream(daemon):
    publisher = Publisher(daemon.rtmp_url("not-the-key"), seconds=5)
    code = publisher.wait(timeout=20)
    assert code != 0, "ffmpeg should fail to publish with a wrong key"
    assert daemon.status()["online"] is False
    assert daemon.get("/hls/stream.m3u8").status_code == 404
    assert daemon.status()["lastConnectTime"] is None
    wait_for(
        lambda: any("refused" in line and "WARNING" in line for line in daemon.lines),
        5,
        "a logged refusal",
        daemon.log,
    )
    assert not any(STREAM_KEY in line or "not-the-key" in line for line in daemon.lines)


def test_live_stream_two_variants_then_offline(daemon, tmp_path):
    publisher = Publisher(daemon.rtmp_url(), size="1280x720", rate=30)
    try:
        daemon.wait_online()

        master = daemon.get("/hls/stream.m3u8")
        assert master.status_code == 200
        assert master.headers["content-type"].startswith("application/x-mpegURL")
        assert "no-cache" in master.headers["cache-control"]
        assert master.headers["access-control-allow-origin"] == "*"
        assert playlist_segments(master.text) == ["0/stream.m3u8", "1/stream.m3u8"]

        heights = {0: 240, 1: 720}
        for index, height in heights.items():
            variant = daemon.get(f"/hls/{index}/stream.m3u8")
            segments = playlist_segments(variant.text)
            assert segments, variant.text
            segment = daemon.get(f"/hls/{index}/{segments[-1]}")
            assert segment.status_code == 200
            assert "max-age=31557600" in segment.headers["cache-control"]
            path = tmp_path / f"v{index}.ts"
            path.write_bytes(segment.content)
            streams = {s["codec_type"]: s for s in probe_streams(path)}
            assert streams["video"]["codec_name"] == "h264"
            assert streams["video"]["height"] == height
            assert streams["audio"]["codec_name"] == "aac"

        details = daemon.admin_status()["broadcaster"]["streamDetails"]
        assert (details["width"], details["height"]) == (1280, 720)
        assert round(details["framerate"]) == 30
        assert details["videoCodec"] == "H.264"
        assert details["audioCodec"] == "AAC"
        assert details["encoder"].startswith("Lavf")

        # Playlist requests count as viewers while live.
        assert daemon.status().get("viewerCount", 0) >= 1  # omitted when 0, as in Owncast

        # Garbage on the RTMP port and a second publisher hurt nobody.
        with socket.create_connection(("127.0.0.1", daemon.rtmp_port), timeout=5) as junk:
            junk.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(range(256)) * 8)
            junk.settimeout(15)
            while junk.recv(65536):
                pass  # the daemon closes the connection
        second = Publisher(daemon.rtmp_url(), seconds=5)
        assert second.wait(timeout=20) != 0, "a second publisher must be refused"
        before = playlist_segments(daemon.get("/hls/0/stream.m3u8").text)[-1]
        wait_for(
            lambda: playlist_segments(daemon.get("/hls/0/stream.m3u8").text)[-1] != before,
            10,
            "new segments after the bad clients",
            daemon.log,
        )
        assert daemon.status()["online"] is True
    finally:
        publisher.stop()

    daemon.wait_online(False, timeout=20)
    for index in (0, 1):
        wait_for(
            lambda i=index: (
                daemon.get(f"/hls/{i}/stream.m3u8").text.rstrip().endswith("#EXT-X-ENDLIST")
            ),
            20,
            f"ENDLIST in variant {index}",
            daemon.log,
        )
    status = daemon.status()
    assert status["lastDisconnectTime"] is not None
    assert daemon.admin_status()["broadcaster"] is None


def test_transcoder_crash_is_restarted_and_thumbnails_follow_the_stream(daemon):
    import psutil

    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        thumbnail = wait_for(
            lambda: (
                (r := daemon.get("/thumbnail.jpg")).headers["content-type"] == "image/jpeg" and r
            ),
            15,
            "a JPEG thumbnail while live",
            daemon.log,
        )
        assert thumbnail.content[:2] == b"\xff\xd8"
        preview = daemon.get("/preview.gif")
        assert preview.status_code == 200 and preview.content[:3] == b"GIF"

        (ffmpeg,) = [
            child
            for child in psutil.Process(daemon.process.pid).children()
            if "pipe:0" in child.cmdline()
        ]
        before_text = daemon.get("/hls/0/stream.m3u8").text
        before = playlist_segments(before_text)
        ffmpeg.kill()
        wait_for(
            lambda: any("restarting" in line for line in daemon.lines),
            10,
            "the restart line",
            daemon.log,
        )

        old_ids = {name.split("-")[1] for name in before}

        def new_run_segments():
            text = daemon.get("/hls/0/stream.m3u8").text
            ids = [name.split("-")[1] for name in playlist_segments(text)]
            return any(i not in old_ids for i in ids) and text

        text = wait_for(new_run_segments, 20, "segments from the restarted ffmpeg", daemon.log)
        # The same playlist goes on (issue 16 §6): the old run's segments, then a marked
        # discontinuity and the new run's, and the media sequence never goes back.
        ids = [name.split("-")[1] for name in playlist_segments(text)]
        first_new = next(n for n, i in enumerate(ids) if i not in old_ids)
        assert all(i in old_ids for i in ids[:first_new])
        assert all(i == ids[first_new] for i in ids[first_new:])
        lines = text.splitlines()
        marked = lines.index(playlist_segments(text)[first_new])
        assert "#EXT-X-DISCONTINUITY" in lines[marked - 3 : marked]
        assert media_sequence(text) >= media_sequence(before_text)
        assert daemon.status()["online"] is True
    finally:
        publisher.stop()
    daemon.wait_online(False, timeout=20)
    offline_thumbnail = wait_for(
        lambda: (
            (r := daemon.get("/thumbnail.jpg")).headers["content-type"] == "image/svg+xml" and r
        ),
        10,
        "the logo as thumbnail while offline",
        daemon.log,
    )
    assert b"<svg" in offline_thumbnail.content
    assert daemon.get("/preview.gif").status_code == 404
