"""Stream state machine: key checks, one publisher, warm-up, delayed offline, peaks."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import trio
import trio.testing

from owncastd.core.events import (
    Event,
    EventBus,
    StreamStarted,
    StreamStopped,
    StreamWentOffline,
    StreamWentOnline,
)
from owncastd.core.media import FlvTag, TagKind
from owncastd.core.stream import Phase, Stream, StreamStats, restore_stats, warmup_seconds
from owncastd.core.viewers import ViewerTracker, client_id_for, client_ip
from owncastd.errors import AlreadyLiveError, BadStreamKeyError

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Sink:
    def __init__(self) -> None:
        self.saved: list[StreamStats] = []

    def save_stats(self, stats: StreamStats) -> None:
        self.saved.append(stats)


def make_stream(keys=("secret-key",), segment=1, offline_delay=300.0):
    bus = EventBus()
    events: list[Event] = []
    bus.subscribe(events.append)
    sink = Sink()
    stream = Stream(
        bus=bus,
        stream_keys=lambda: list(keys),
        segment_seconds=lambda: segment,
        stats=StreamStats(overall_peak_viewers=3),
        stats_sink=sink,
        clock=lambda: NOW,
        offline_delay=offline_delay,
    )
    return stream, events, sink


def test_key_check_accepts_any_configured_key_and_refuses_others():
    stream, _, _ = make_stream(keys=("one", "two"))
    stream.check_key("two")
    for bad in ("", "on", "one ", "three", "ONE"):
        with pytest.raises(BadStreamKeyError):
            stream.check_key(bad)


def test_no_keys_configured_refuses_everything():
    stream, _, _ = make_stream(keys=())
    for key in ("", "one"):
        with pytest.raises(BadStreamKeyError):
            stream.check_key(key)
    make_stream(keys=("one",))[0].check_key("one")  # the control: a configured key passes


async def test_second_publisher_refused_until_first_ends():
    stream, events, _ = make_stream()
    first = stream.begin("10.0.0.1:5000")
    assert stream.phase is Phase.LIVE and stream.is_live
    with pytest.raises(AlreadyLiveError):
        stream.begin("10.0.0.2:5000")
    first.end()
    first.end()  # idempotent
    assert stream.phase is Phase.ENDING
    assert [type(e) for e in events] == [StreamStarted, StreamStopped]
    second = stream.begin("10.0.0.2:5000")
    assert stream.session is second


async def test_online_only_after_warmup_and_media(autojump_clock):
    stream, events, _ = make_stream(segment=1)
    async with trio.open_nursery() as nursery:
        await nursery.start(stream.run)
        session = stream.begin("peer")
        start = trio.current_time()
        await trio.sleep(20)
        assert not stream.online, "no segments yet: must not be online"
        stream.media_ready(session)
        await trio.testing.wait_all_tasks_blocked()
        assert stream.online, "warm-up (7 s) already passed"
        assert trio.current_time() - start >= warmup_seconds(1)
        assert any(isinstance(e, StreamWentOnline) for e in events)
        nursery.cancel_scope.cancel()


async def test_warmup_waits_for_deadline(autojump_clock):
    stream, _, _ = make_stream(segment=4)
    async with trio.open_nursery() as nursery:
        await nursery.start(stream.run)
        session = stream.begin("peer")
        stream.media_ready(session)
        await trio.sleep(11.9)
        assert not stream.online
        await trio.sleep(0.2)
        assert stream.online  # 3 x 4 s segments = 12 s
        nursery.cancel_scope.cancel()


async def test_delayed_offline_after_end(autojump_clock):
    stream, events, sink = make_stream(offline_delay=300)
    async with trio.open_nursery() as nursery:
        await nursery.start(stream.run)
        session = stream.begin("peer")
        session.end()
        assert not stream.online and stream.phase is Phase.ENDING
        assert sink.saved[-1].last_disconnect_time == NOW
        await trio.sleep(299)
        assert stream.phase is Phase.ENDING
        await trio.sleep(2)
        assert stream.phase is Phase.OFFLINE
        assert isinstance(events[-1], StreamWentOffline)
        nursery.cancel_scope.cancel()


async def test_reconnect_during_ending_cancels_offline_timer(autojump_clock):
    stream, events, _ = make_stream(offline_delay=10)
    async with trio.open_nursery() as nursery:
        await nursery.start(stream.run)
        stream.begin("peer").end()
        await trio.sleep(5)
        stream.begin("peer")
        await trio.sleep(60)
        assert stream.phase is Phase.LIVE
        assert not any(isinstance(e, StreamWentOffline) for e in events)
        nursery.cancel_scope.cancel()


async def test_media_flows_with_backpressure_and_closes_on_end():
    stream, _, _ = make_stream()
    session = stream.begin("peer")
    received = []

    async def consume():
        async for tag in session.media:
            received.append(tag.timestamp)

    async with trio.open_nursery() as nursery:
        for ts in range(300):  # more than the queue holds: send must wait for the consumer
            if ts == 10:
                nursery.start_soon(consume)
            await session.send(FlvTag(TagKind.VIDEO, ts, b"x"))
        session.end()
    assert received == list(range(300))
    await session.send(FlvTag(TagKind.VIDEO, 1, b"x"))  # after end: dropped, no error


async def test_sessions_channel_hands_sessions_to_the_transcoder():
    stream, _, _ = make_stream()
    session = stream.begin("peer")
    assert stream.sessions.receive_nowait() is session


async def test_peaks_and_stats_saved_periodically(autojump_clock):
    stream, _, sink = make_stream()
    async with trio.open_nursery() as nursery:
        await nursery.start(stream.run)
        stream.begin("peer")
        stream.record_viewer_count(5)
        await trio.sleep(61)
        assert sink.saved[-1].session_peak_viewers == 5
        assert sink.saved[-1].overall_peak_viewers == 5
        nursery.cancel_scope.cancel()


def test_restore_resets_old_session_peak():
    old = StreamStats(last_disconnect_time=NOW - timedelta(minutes=6), session_peak_viewers=9)
    assert restore_stats(old, NOW).session_peak_viewers == 0
    recent = StreamStats(last_disconnect_time=NOW - timedelta(minutes=4), session_peak_viewers=9)
    assert restore_stats(recent, NOW).session_peak_viewers == 9


async def test_viewers_counted_only_while_live_and_expire(autojump_clock):
    stream, _, _ = make_stream()
    viewers = ViewerTracker(stream, clock=lambda: NOW, expiry=15)
    viewers.seen("1.1.1.1", "ua")
    assert viewers.count == 0  # offline: not tracked
    stream.begin("peer")
    viewers.seen("1.1.1.1", "ua")
    viewers.seen("1.1.1.1", "ua")
    viewers.seen("1.1.1.1", "other browser")
    assert viewers.count == 2
    assert stream.stats.session_peak_viewers == 2
    await trio.sleep(10)
    viewers.seen("1.1.1.1", "ua")
    await trio.sleep(10)
    viewers.prune()
    assert [v.user_agent for v in viewers.viewers()] == ["ua"]
    viewers.on_event(StreamStopped(at=NOW))
    assert viewers.count == 0


def test_client_identity_matches_owncast():
    assert client_id_for("1.2.3.4", "UA") == hashlib.md5(b"1.2.3.4UA").hexdigest()
    assert client_ip("::ffff:10.0.0.1", None) == "10.0.0.1"
    assert client_ip("127.0.0.1", "9.9.9.9, 127.0.0.1", ("127.0.0.1",)) == "9.9.9.9"
    assert client_ip("127.0.0.1", "9.9.9.9, 127.0.0.1") == "127.0.0.1"  # nobody trusted
    assert client_ip("127.0.0.1", "") == "127.0.0.1"
