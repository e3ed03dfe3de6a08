"""The directory pinger (develop §4): every 4 min while a publisher is connected, only when the
directory is on, the stream online and the server URL valid; a new key is kept; a refusal is
logged once; a failing directory never stops it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import trio

from owncastd.core.directory import DirectoryPinger, DirectoryReply, DirectoryTarget
from owncastd.core.events import StreamStarted, StreamStopped

AT = datetime(2026, 12, 4, tzinfo=UTC)


class FakeDirectory:
    def __init__(self) -> None:
        self.pings: list[tuple[float, str, str, str]] = []
        self.replies: list[DirectoryReply | Exception] = []

    async def ping(self, service_url: str, key: str, server_url: str) -> DirectoryReply:
        self.pings.append((trio.current_time(), service_url, key, server_url))
        reply = self.replies.pop(0) if self.replies else DirectoryReply(key, True, "")
        if isinstance(reply, Exception):
            raise reply
        return reply


class Setup:
    def __init__(self) -> None:
        self.directory = FakeDirectory()
        self.target = DirectoryTarget(True, "https://yp.test", "https://live.example")
        self.online = True
        self.key: str | None = None
        self.pinger = DirectoryPinger(
            self.directory,
            lambda: self.target,
            lambda: self.online,
            self.load,
            self.save,
        )

    async def load(self) -> str | None:
        return self.key

    async def save(self, key: str) -> None:
        self.key = key


def started() -> StreamStarted:
    return StreamStarted(remote_addr="127.0.0.1", at=AT)


async def test_pings_every_four_minutes_while_live_and_keeps_a_new_key(
    autojump_clock: trio.testing.MockClock,
) -> None:
    s = Setup()
    s.directory.replies = [DirectoryReply("k1", True, ""), DirectoryReply("k1", True, "")]
    async with trio.open_nursery() as nursery:
        await nursery.start(s.pinger.run)
        await trio.sleep(1000)
        assert s.directory.pings == []  # offline: nothing
        s.pinger.on_stream_event(started())
        await trio.sleep(239)
        assert s.directory.pings == []  # the first ping waits for the first tick
        await trio.sleep(242)
        times = [p[0] - 1000 for p in s.directory.pings]
        assert times == [240, 480]
        assert [p[2] for p in s.directory.pings] == ["", "k1"]  # the new key goes out next
        assert s.directory.pings[0][1:] == ("https://yp.test", "", "https://live.example")
        assert s.key == "k1"
        s.pinger.on_stream_event(StreamStopped(at=AT))
        await trio.sleep(2000)
        assert len(s.directory.pings) == 2
        nursery.cancel_scope.cancel()


@pytest.mark.parametrize(
    ("enabled", "online", "server_url"),
    [
        (False, True, "https://live.example"),
        (True, False, "https://live.example"),
        (True, True, ""),
        (True, True, "live.example"),
    ],
)
async def test_nothing_is_sent_unless_enabled_online_and_the_url_is_valid(
    autojump_clock: trio.testing.MockClock, enabled: bool, online: bool, server_url: str
) -> None:
    s = Setup()
    s.target = DirectoryTarget(enabled, "https://yp.test", server_url)
    s.online = online
    async with trio.open_nursery() as nursery:
        await nursery.start(s.pinger.run)
        s.pinger.on_stream_event(started())
        await trio.sleep(1000)
        assert s.directory.pings == []
        s.target = DirectoryTarget(True, "https://yp.test", "https://live.example")
        s.online = True  # the settings of the moment are read at each tick
        await trio.sleep(240)
        assert len(s.directory.pings) == 1
        nursery.cancel_scope.cancel()


async def test_a_refusal_is_logged_once_and_errors_never_stop_pinging(
    autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    s = Setup()
    s.directory.replies = [
        DirectoryReply("", False, "not reachable"),
        DirectoryReply("", False, "not reachable"),
        OSError("connection refused"),
        DirectoryReply("", True, ""),
        DirectoryReply("", False, "again"),
    ]
    with caplog.at_level(logging.WARNING, logger="owncastd.core.directory"):
        async with trio.open_nursery() as nursery:
            await nursery.start(s.pinger.run)
            s.pinger.on_stream_event(started())
            await trio.sleep(240 * 5 + 1)
            nursery.cancel_scope.cancel()
    assert len(s.directory.pings) == 5
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "directory refused the listing error=not reachable",
        "directory ping failed service=https://yp.test error=connection refused",
        "directory refused the listing error=again",
    ]
