"""Every read command: human output, --json output, and a server error, against a fake daemon."""

from __future__ import annotations

import itertools
import re

import pytest

from tests.ctl.conftest import (
    ADMIN_STATUS,
    HARDWARE,
    LOGS,
    MESSAGES,
    TOKENS,
    WEBHOOKS,
    FakeOwncast,
)

USERS = {"total": 2, "results": [MESSAGES[0]["user"], MESSAGES[1]["user"]]}
VIEWERS = [
    {
        "firstSeen": "2024-05-01T12:00:00Z",
        "userAgent": "Mozilla/5.0 Firefox",
        "ipAddress": "198.51.100.4",
        "clientID": "c1",
        "geo": None,
    }
]
OVER_TIME = [
    {"time": "2024-05-01T12:00:00Z", "value": 1},
    {"time": "2024-05-01T12:02:00Z", "value": 4},
]
BANS = [
    {"ipAddress": "203.0.113.9", "notes": "Banning of spammer", "createdAt": "2024-05-01T12:00:00Z"}
]
EMOJI = [{"name": "party", "url": "/img/emoji/party.gif"}]

# (args, the route whose failure is tested, routes to add, text in human output, JSON check)
READS = [
    (
        ["stats"],
        ("GET", "/api/admin/hardwarestats"),
        {("GET", "/api/admin/hardwarestats"): HARDWARE},
        ["CPU", "35%", "RAM", "42%", "no samples yet"],
        lambda j: j == {**HARDWARE, "liveLatency": None},  # Owncast has no liveLatency
    ),
    (
        ["viewers"],
        ("GET", "/api/admin/viewers"),
        {("GET", "/api/admin/viewers"): VIEWERS, ("GET", "/api/admin/viewersOverTime"): OVER_TIME},
        ["198.51.100.4", "1 viewing", "max 4"],
        lambda j: j == {"viewers": VIEWERS, "overTime": OVER_TIME},
    ),
    (
        ["config", "show"],
        ("GET", "/api/admin/serverconfig"),
        {},
        ["server.name", "New Owncast Server", "video.latency_level"],
        lambda j: (
            j["server.name"] == "New Owncast Server"
            and j["video.latency_level"] == 2
            and j["s3.secret"].startswith("(hidden")
        ),
    ),
    (
        ["config", "get", "server.tags"],
        ("GET", "/api/admin/serverconfig"),
        {},
        ['["owncast", "streaming"]'],
        lambda j: j == {"key": "server.tags", "value": ["owncast", "streaming"]},
    ),
    (
        ["streamkeys", "list"],
        ("GET", "/api/admin/serverconfig"),
        {},
        ["a-long-stream-key-0001", "OBS"],
        lambda j: j == [{"key": "a-long-stream-key-0001", "comment": "OBS"}],
    ),
    (
        ["chat", "tail"],
        ("GET", "/api/admin/chat/messages"),
        {("GET", "/api/admin/chat/messages"): MESSAGES},
        ["alice", "hello & welcome", "(hidden)"],
        None,
    ),
    (
        ["users", "list"],
        ("GET", "/api/admin/users"),
        {("GET", "/api/admin/users"): USERS},
        ["2 user(s)", "u-alice", "mod"],
        lambda j: j == USERS,
    ),
    (
        ["users", "search", "ali"],
        ("GET", "/api/admin/users"),
        {("GET", "/api/admin/users"): USERS},
        ["alice"],
        lambda j: j["total"] == 2,
    ),
    (
        ["ipbans", "list"],
        ("GET", "/api/admin/chat/users/ipbans"),
        {("GET", "/api/admin/chat/users/ipbans"): BANS},
        ["203.0.113.9", "Banning of spammer"],
        lambda j: j == BANS,
    ),
    (
        ["tokens", "list"],
        ("GET", "/api/admin/accesstokens"),
        {("GET", "/api/admin/accesstokens"): TOKENS},
        ["mybot", "tok-aa…", "CAN_SEND_MESSAGES", "never"],
        lambda j: j == TOKENS,
    ),
    (
        ["webhooks", "list"],
        ("GET", "/api/admin/webhooks"),
        {("GET", "/api/admin/webhooks"): WEBHOOKS},
        ["https://hooks.example/owncast", "CHAT"],
        lambda j: j == WEBHOOKS,
    ),
    (
        ["emoji", "list"],
        ("GET", "/api/emoji"),
        {("GET", "/api/emoji"): EMOJI},
        [":party:"],
        lambda j: j == EMOJI,
    ),
    (
        ["logs"],
        ("GET", "/api/admin/logs"),
        {("GET", "/api/admin/logs"): LOGS},
        ["ready http=8080", "WARNING", "ffmpeg is slow"],
        lambda j: j == LOGS,
    ),
    (
        ["logs", "--warnings"],
        ("GET", "/api/admin/logs/warnings"),
        {("GET", "/api/admin/logs/warnings"): LOGS[1:]},
        ["ffmpeg is slow"],
        lambda j: j == LOGS[1:],
    ),
]
IDS = [" ".join(r[0]) for r in READS]


def _setup(fake: FakeOwncast, routes: dict) -> None:
    for (method, path), answer in routes.items():
        fake.route(method, path, answer)


@pytest.mark.parametrize(("args", "failing", "routes", "texts", "check"), READS, ids=IDS)
def test_human_output(fake, ctl, args, failing, routes, texts, check):
    _setup(fake, routes)
    result = ctl(*args)
    assert result.exit_code == 0, result.stderr
    for text in texts:
        assert text in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(("args", "failing", "routes", "texts", "check"), READS, ids=IDS)
def test_json_output(fake, ctl, args, failing, routes, texts, check):
    _setup(fake, routes)
    result = ctl(*args, "--json")
    assert result.exit_code == 0, result.stderr
    if check is None:  # chat tail --json: one event per line, oldest first
        events = [__import__("json").loads(line) for line in result.stdout.splitlines()]
        assert [e["id"] for e in events] == ["m1", "m2"]
    else:
        assert check(result.json())


@pytest.mark.parametrize(("args", "failing", "routes", "texts", "check"), READS, ids=IDS)
def test_server_error_is_one_red_line_exit_1(fake, ctl, args, failing, routes, texts, check):
    _setup(fake, routes)
    fake.fail(*failing, status=500, message="database is locked")
    result = ctl(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and "database is locked" in lines[0]
    assert "Traceback" not in result.stderr


def test_status_human(ctl):
    result = ctl("status")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "● LIVE" in out and "Friday jam" in out
    assert "3 now · 5 peak this stream · 12 all-time peak" in out
    assert "1280×720 @ 30 fps" in out and "h264 2500 kbps" in out and "aac 160 kbps" in out
    assert "obs-output" in out and "Uptime" in out and "healthy 100%" in out
    assert "owncastd 0.1.0 (Owncast API 0.2.4)" in out
    assert result.stderr == ""  # strong password, strong key: no warnings


def test_status_says_when_the_encoder_announced_no_bitrate(fake, ctl):
    details = {**ADMIN_STATUS["broadcaster"]["streamDetails"], "videoBitrate": 0}
    status = {**ADMIN_STATUS, "broadcaster": {**ADMIN_STATUS["broadcaster"]}}
    status["broadcaster"]["streamDetails"] = {**details, "videoCodec": "H.264"}
    fake.route("GET", "/api/admin/status", status)
    out = ctl("status").stdout
    assert "H.264 bitrate not announced" in out and "H.264 0 kbps" not in out
    assert "aac 160 kbps" in out


def test_status_json_is_stable(ctl):
    result = ctl("status", "--json")
    data = result.json()
    assert set(data) == {"status", "daemon", "uptimeSeconds", "warnings", "liveLatency"}
    assert data["liveLatency"] is None  # Owncast's /api/admin/metrics/video has none
    assert data["status"]["viewerCount"] == 3 and data["uptimeSeconds"] > 0
    assert data["warnings"] == [] and data["daemon"] is None  # a server without /api/admin/daemon


def test_status_shows_daemon_health_and_pending_restarts(fake, ctl):
    daemon = {
        "status": "degraded",
        "parts": {"http": "up"},
        "problems": ["disk 97% full"],
        "restartRequired": ["web.port"],
        "lastReload": None,
    }
    fake.route("GET", "/api/admin/daemon", daemon)
    out = ctl("status").stdout
    assert "degraded disk 97% full" in out and "Restart needed" in out and "web.port" in out
    assert ctl("status", "--json").json()["daemon"] == daemon


def test_status_shows_the_web_listener_limits(fake, ctl):
    daemon = {
        "status": "ok",
        "parts": {"http": "up"},
        "problems": [],
        "restartRequired": [],
        "lastReload": None,
        "web": {
            "fastPath": True,
            "openConnections": 12,
            "maxConnections": 8192,
            "maxConnectionsPerIp": 128,
            "headerTimeout": 10.0,
            "keepAliveTimeout": 30.0,
            "writeTimeout": 30.0,
            "maxHeaderBytes": 65536,
        },
    }
    fake.route("GET", "/api/admin/daemon", daemon)
    out = " ".join(ctl("status").stdout.split())
    assert "fast path on" in out and "12/8192 connections (128 per IP)" in out
    assert "keep-alive 30.0 s" in out and "head ≤ 65536 B" in out


def test_status_warns_about_default_secrets(fake, ctl):
    fake.password = "abc123"
    config = {
        **fake.routes[("GET", "/api/admin/serverconfig")],
        "streamKeys": [{"key": "abc123", "comment": "Default stream key"}],
    }
    fake.route("GET", "/api/admin/serverconfig", config)
    result = ctl("status", password="abc123")
    assert result.exit_code == 0
    assert "admin password is weak (Owncast's default)" in result.stderr
    assert "stream key 'Default stream key' is weak (Owncast's default)" in result.stderr
    assert (
        ctl("status", "--json", password="abc123")
        .json()["warnings"][0]
        .startswith("the admin password is weak")
    )


def test_status_warnings_name_commands_that_exist(fake, ctl):
    """Each backquoted `owncastctl …` in a warning is a real command (its --help works), and
    federation on without a server URL is warned about."""
    fake.password = "abc123"
    config = {
        **fake.routes[("GET", "/api/admin/serverconfig")],
        "streamKeys": [{"key": "abc123", "comment": "Default stream key"}],
        "federation": {"enabled": True, "username": "streamer"},
    }
    fake.route("GET", "/api/admin/serverconfig", config)
    result = ctl("status", password="abc123")
    assert result.exit_code == 0
    warned = " ".join(result.stderr.split())
    assert "federation is on but server.url is not set" in warned
    commands = re.findall(r"`(owncastctl [^`]+)`", warned)
    assert len(commands) >= 4, warned
    for command in commands:
        words = command.split()[1:]
        path = list(itertools.takewhile(lambda w: w.isidentifier() and w.islower(), words))
        options = [w for w in words if w.startswith("--")]
        helped = ctl(*path, *options, "--help")  # an unknown option fails even with --help
        assert helped.exit_code == 0, (command, helped.stderr)

    fake.route("GET", "/api/admin/serverconfig", {**config, "yp": {"instanceUrl": "https://x.y"}})
    assert "federation is on" not in ctl("status", password="abc123").stderr


def test_status_offline(fake, ctl):
    from tests.ctl.conftest import ADMIN_STATUS

    fake.route("GET", "/api/admin/status", {**ADMIN_STATUS, "online": False, "broadcaster": None})
    result = ctl("status")
    assert "○ offline" in result.stdout and "Uptime" not in result.stdout
    assert ctl("status", "--json").json()["uptimeSeconds"] is None


def test_version_works_without_server(fake, ctl):
    result = ctl("version", "--json")
    assert result.json() == {"owncastctl": "0.1.0", "server": "0.1.0", "owncastApi": "0.2.4"}
    assert "server 0.1.0 (Owncast API 0.2.4) at" in ctl("version").stdout
    fake.fail("GET", "/api/status")
    result = ctl("version")
    assert result.exit_code == 0 and result.stdout.strip() == "owncastctl 0.1.0"


def test_chat_tail_limit_and_ids(fake, ctl):
    fake.route("GET", "/api/admin/chat/messages", MESSAGES)
    result = ctl("chat", "tail", "-n", "1", "--ids")
    assert "second message" in result.stdout and "hello" not in result.stdout
    assert "m2" in result.stdout


def test_logs_limit(fake, ctl):
    fake.route("GET", "/api/admin/logs", LOGS)
    result = ctl("logs", "-n", "1", "--json")
    assert result.json() == LOGS[-1:]


LIVE_LATENCY = {"clients": 3, "p50": 6.31, "p95": 7.04, "liveEdgeP50": 6.0, "liveEdgeP95": 6.5}
VIDEO_METRICS = {
    "errors": [],
    "liveLatency": LIVE_LATENCY,
    "liveLatencyP95": [{"time": "2024-05-01T12:00:00Z", "value": v} for v in (7.0, 7.5, 7.04)],
}


def test_stats_and_status_show_the_live_latency_viewers_see(fake, ctl):
    fake.route("GET", "/api/admin/hardwarestats", HARDWARE)
    fake.route("GET", "/api/admin/metrics/video", VIDEO_METRICS)
    stats = " ".join(ctl("stats").stdout.split())
    assert "Live latency: p50 6.3 s · p95 7.0 s (live edge 6.0 s / 6.5 s) · 3 players" in stats
    assert "p95 (1/min): " in stats
    assert ctl("stats", "--json").json() == {**HARDWARE, "liveLatency": LIVE_LATENCY}
    status = " ".join(ctl("status").stdout.split())
    assert "Live latency p50 6.3 s · p95 7.0 s" in status
    assert ctl("status", "--json").json()["liveLatency"] == LIVE_LATENCY


def test_live_latency_without_reports(fake, ctl):
    empty = {"clients": 0, "p50": None, "p95": None, "liveEdgeP50": None, "liveEdgeP95": None}
    fake.route("GET", "/api/admin/hardwarestats", HARDWARE)
    fake.route("GET", "/api/admin/metrics/video", {"liveLatency": empty})
    assert "no player reports in the last minute" in " ".join(ctl("stats").stdout.split())
