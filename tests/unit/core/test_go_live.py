"""The go-live moment: 2 minutes after a publisher connects, every channel once; not again
within 10 minutes; a channel that hangs or fails holds back no other (Owncast §5.9)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import trio

from owncastd.core.events import StreamStarted, StreamStopped
from owncastd.core.go_live import GoLiveAnnouncer

AT = datetime(2026, 12, 4, tzinfo=UTC)


class Recorder:
    def __init__(self, name: str = "rec", *, hang: bool = False, fail: bool = False) -> None:
        self.name = name
        self.hang = hang
        self.fail = fail
        self.calls: list[float] = []

    async def announce(self) -> None:
        self.calls.append(trio.current_time())
        if self.hang:
            await trio.sleep_forever()
        if self.fail:
            raise OSError("connection refused")


def started() -> StreamStarted:
    return StreamStarted(remote_addr="127.0.0.1", at=AT)


async def test_channels_fire_two_minutes_after_connect_and_not_again_within_ten(
    autojump_clock: trio.testing.MockClock,
) -> None:
    channel = Recorder()
    announcer = GoLiveAnnouncer([channel])
    async with trio.open_nursery() as nursery:
        await nursery.start(announcer.run)
        announcer.on_stream_event(started())
        await trio.sleep(119)
        assert channel.calls == []
        await trio.sleep(2)
        assert channel.calls == [120]
        announcer.on_stream_event(StreamStopped(at=AT))  # reconnect 5 min later: too soon
        await trio.sleep(300 - 121)
        announcer.on_stream_event(started())
        await trio.sleep(200)
        assert channel.calls == [120]
        announcer.on_stream_event(StreamStopped(at=AT))
        await trio.sleep(1000)  # a reconnect after the quiet time notifies again
        announcer.on_stream_event(started())
        await trio.sleep(121)
        assert len(channel.calls) == 2 and announcer.sent == 2
        nursery.cancel_scope.cancel()


async def test_a_publisher_gone_within_two_minutes_sends_nothing(
    autojump_clock: trio.testing.MockClock,
) -> None:
    channel = Recorder()
    announcer = GoLiveAnnouncer([channel])
    async with trio.open_nursery() as nursery:
        await nursery.start(announcer.run)
        announcer.on_stream_event(started())
        await trio.sleep(60)
        announcer.on_stream_event(StreamStopped(at=AT))
        await trio.sleep(600)
        assert channel.calls == [] and announcer.sent == 0
        nursery.cancel_scope.cancel()


async def test_a_hanging_or_failing_channel_holds_back_no_other(
    autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    hanging, failing, fine = Recorder("hangs", hang=True), Recorder("fails", fail=True), Recorder()
    announcer = GoLiveAnnouncer([hanging, failing, fine], timeout=30)
    with caplog.at_level(logging.WARNING, logger="owncastd.core.go_live"):
        async with trio.open_nursery() as nursery:
            await nursery.start(announcer.run)
            announcer.on_stream_event(started())
            await trio.sleep(121)
            assert fine.calls == [120] and failing.calls == [120] and hanging.calls == [120]
            await trio.sleep(30)
            nursery.cancel_scope.cancel()
    messages = [r.getMessage() for r in caplog.records]
    assert "go-live notification failed channel=fails error=connection refused" in messages
    assert "go-live notification timed out channel=hangs" in messages


class Off(Recorder):
    async def announce(self) -> bool:
        self.calls.append(trio.current_time())
        return False


async def test_send_now_reports_each_channel_as_sent_skipped_or_failed(
    autojump_clock: trio.testing.MockClock,
) -> None:
    channels = [Recorder("a"), Off("b"), Recorder("c", fail=True), Recorder("d", hang=True)]
    announcer = GoLiveAnnouncer(channels, timeout=5)
    outcomes = await announcer.send_now()
    assert outcomes == {"sent": ["a"], "skipped": ["b"], "failed": ["c", "d"]}
    assert all(len(c.calls) == 1 for c in channels) and announcer.sent == 0
