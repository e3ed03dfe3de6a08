"""A publish reserves the stream; only its confirmation (its codec passed) announces it, and a
reservation that ends unconfirmed (refused for its codec, or gone) leaves no trace."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from owncastd.core.events import BroadcasterDetailsChanged, StreamStarted, StreamStopped
from owncastd.core.media import StreamDetails
from owncastd.core.stream import Phase
from owncastd.errors import AlreadyLiveError
from tests.unit.core.test_stream import make_stream


async def test_a_reservation_announces_nothing_until_confirmed(
    autojump_clock: trio.testing.MockClock,
) -> None:
    stream, events, sink = make_stream()
    stats = stream.stats
    session = stream.reserve("203.0.113.5")
    session.set_details(StreamDetails(video_codec="H.264", width=640))
    assert (stream.phase, stream.session, stream.broadcaster) == (Phase.OFFLINE, None, None)
    assert events == [] and sink.saved == [] and stream.stats == stats
    assert stream.occupied
    with pytest.raises(trio.WouldBlock):
        stream.sessions.receive_nowait()  # the transcoder gets nothing yet

    session.confirm()
    session.confirm()  # once only
    assert stream.phase is Phase.LIVE and stream.session is session
    assert [type(e) for e in events] == [StreamStarted, BroadcasterDetailsChanged]
    assert stream.stats.last_connect_time is not None and len(sink.saved) == 1
    assert stream.sessions.receive_nowait() is session


async def test_an_unconfirmed_reservation_ends_without_a_trace() -> None:
    stream, events, sink = make_stream()
    stats = stream.stats
    session = stream.reserve("203.0.113.5")
    session.end()
    session.confirm()  # too late: nothing
    assert (stream.phase, stream.session, stream.occupied) == (Phase.OFFLINE, None, False)
    assert events == [] and sink.saved == [] and stream.stats == stats
    stream.reserve("203.0.113.6")  # the slot is free again


async def test_a_reservation_or_a_live_session_refuses_a_second_publisher() -> None:
    stream, events, _ = make_stream()
    first = stream.reserve("203.0.113.5")
    with pytest.raises(AlreadyLiveError, match="already live"):
        stream.reserve("203.0.113.6")
    with pytest.raises(AlreadyLiveError):
        stream.begin("203.0.113.6")
    first.confirm()
    with pytest.raises(AlreadyLiveError):
        stream.reserve("203.0.113.6")
    first.end()
    assert [type(e) for e in events] == [StreamStarted, StreamStopped]


async def test_begin_still_announces_at_once() -> None:
    stream, events, _ = make_stream()
    session = stream.begin("203.0.113.5")
    assert stream.session is session and [type(e) for e in events] == [StreamStarted]
