"""The ingest gate cannot be wedged: begin/end are transactional, the admin's disconnect always
frees the stream, and a session stuck without a connection or media shows in health."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from owncastd.core.events import EventBus
from owncastd.core.media import FlvTag, TagKind
from owncastd.core.stream import (
    STUCK_INGEST_SECONDS,
    DisconnectOutcome,
    Phase,
    Stream,
    StreamStats,
)
from tests.unit.core.test_stream import NOW, make_stream


class FailingSink:
    """A stats store whose queue is full: every save raises."""

    def __init__(self) -> None:
        self.attempts = 0

    def save_stats(self, stats: StreamStats) -> None:
        self.attempts += 1
        raise trio.WouldBlock


async def test_rapid_short_sessions_never_wedge_the_gate():
    """25 back-to-back publishes while the transcoder is busy (nobody takes the sessions):
    each begins and ends, the last one waiting is the newest, and a normal publish goes live."""
    stream, _, _ = make_stream()
    for _ in range(25):
        session = stream.begin("203.0.113.7:1935")
        session.end()
        assert stream.session is None and stream.phase is Phase.ENDING
    live = stream.begin("203.0.113.7:1936")
    assert stream.session is live and stream.is_live
    assert stream.sessions.receive_nowait() is live  # older (ended) ones were dropped
    live.end()
    assert stream.session is None


async def test_failing_stats_save_cannot_leave_a_half_begun_or_unended_session(caplog):
    sink = FailingSink()
    stream = Stream(
        bus=EventBus(),
        stream_keys=lambda: ["k"],
        segment_seconds=lambda: 1,
        stats=StreamStats(),
        stats_sink=sink,
        clock=lambda: NOW,
    )
    session = stream.begin("peer")
    assert stream.session is session and stream.is_live
    session.end()
    assert stream.session is None and stream.phase is Phase.ENDING
    assert stream.begin("peer") is stream.session  # the gate is free again
    assert sink.attempts >= 2 and "saving stream stats failed" in caplog.text


async def test_begin_that_fails_changes_nothing():
    calls = []

    def segment_seconds() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("settings unreadable")
        return 1

    stream = Stream(
        bus=EventBus(),
        stream_keys=lambda: ["k"],
        segment_seconds=segment_seconds,
        stats=StreamStats(),
        stats_sink=FailingSink(),
        clock=lambda: NOW,
    )
    with pytest.raises(RuntimeError):
        stream.begin("peer")
    assert stream.session is None and stream.phase is Phase.OFFLINE
    assert stream.begin("peer") is stream.session


async def test_disconnect_clears_a_session_whose_connection_is_gone():
    """Nobody watches the session (its connection died without ending it): the admin's
    disconnect still frees the stream and says what it found."""
    stream, _, _ = make_stream()
    assert stream.disconnect() is DisconnectOutcome.NOTHING
    stream.begin("peer")
    assert stream.disconnect() is DisconnectOutcome.CLEARED_STALE
    assert stream.session is None and not stream.is_live
    assert stream.begin("peer") is stream.session


async def test_disconnect_drops_a_watching_connection_and_ends_the_session():
    stream, _, _ = make_stream()
    session = stream.begin("peer")
    reasons = []

    async def connection() -> None:
        reasons.append(await session.wait_disconnect_requested())

    async with trio.open_nursery() as nursery:
        nursery.start_soon(connection)
        await trio.testing.wait_all_tasks_blocked()
        assert stream.disconnect() is DisconnectOutcome.DISCONNECTED
    assert reasons == ["disconnected by the admin"]
    assert stream.session is None


async def test_health_names_a_session_without_connection_or_media(autojump_clock):
    stream, _, _ = make_stream()
    assert stream.ingest_problem() is None
    orphan = stream.begin("198.51.100.4:5000")
    await trio.sleep(6)
    problem = stream.ingest_problem()
    assert problem is not None and problem.startswith("ingest:")
    assert "connection is gone" in problem and f"session={orphan.id}" in problem
    assert "198.51.100.4" not in problem  # healthz is public: the publisher's address stays out
    orphan.end()
    assert stream.ingest_problem() is None

    session = stream.begin("198.51.100.4:5001")
    async with trio.open_nursery() as nursery:
        nursery.start_soon(session.wait_disconnect_requested)
        for ts in range(10):
            await session.send(FlvTag(TagKind.VIDEO, ts, b"x"))
            await trio.sleep(3)
            assert stream.ingest_problem() is None
        await trio.sleep(STUCK_INGEST_SECONDS)
        problem = stream.ingest_problem()
        assert problem is not None and "no media flowing" in problem
        session.end()
        assert stream.ingest_problem() is None
        nursery.cancel_scope.cancel()
