"""Viewer tracking stays bounded: User-Agent length, total viewers and viewers per IP."""

from __future__ import annotations

import logging

import trio
import trio.testing

from owncastd.core.events import StreamStopped
from owncastd.core.viewers import (
    MAX_USER_AGENT_CHARS,
    MAX_VIEWERS,
    MAX_VIEWERS_PER_IP,
    ViewerTracker,
    client_id_for,
)
from tests.unit.core.test_stream import NOW, make_stream


def live_tracker(**caps: int) -> tuple[ViewerTracker, object]:
    stream, _, _ = make_stream()
    stream.begin("peer")
    return ViewerTracker(stream, clock=lambda: NOW, expiry=15, **caps), stream


def test_default_caps():
    assert (MAX_USER_AGENT_CHARS, MAX_VIEWERS, MAX_VIEWERS_PER_IP) == (512, 100_000, 64)


async def test_a_huge_user_agent_is_stored_cut_and_keeps_one_identity():
    viewers, _ = live_tracker()
    huge = "Mozilla/5.0 " + "x" * 64_000
    viewers.seen("1.1.1.1", huge)
    viewers.seen("1.1.1.1", huge[:600])  # same first 512 characters: the same viewer
    (viewer,) = viewers.viewers()
    assert viewer.user_agent == huge[:512]
    assert (
        viewer.client_id == client_id_for("1.1.1.1", huge) == client_id_for("1.1.1.1", huge[:512])
    )
    assert client_id_for("1.1.1.1", "short UA") == client_id_for("1.1.1.1", "short UA"[:512])


async def test_total_cap_counts_no_new_viewers_but_refreshes_known_ones(autojump_clock, caplog):
    viewers, stream = live_tracker(max_viewers=3)
    with caplog.at_level(logging.WARNING, logger="owncastd.core.viewers"):
        for i in range(10):
            viewers.seen(f"10.0.0.{i}", "ua")
    assert viewers.count == 3
    assert stream.stats.session_peak_viewers == 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "total=3" in warnings[0].getMessage()
    await trio.sleep(10)
    viewers.seen("10.0.0.0", "ua")  # known: still refreshed
    await trio.sleep(10)
    viewers.prune()
    assert [v.ip_address for v in viewers.viewers()] == ["10.0.0.0"]
    viewers.seen("10.0.0.9", "ua")  # room again once others expired
    assert viewers.count == 2


async def test_per_ip_cap_leaves_room_for_other_addresses(autojump_clock, caplog):
    viewers, _ = live_tracker(max_per_ip=2)
    with caplog.at_level(logging.WARNING, logger="owncastd.core.viewers"):
        for i in range(5):
            viewers.seen("203.0.113.9", f"agent {i}")
        viewers.seen("198.51.100.1", "agent 0")
    assert sorted(v.ip_address for v in viewers.viewers()) == [
        "198.51.100.1",
        "203.0.113.9",
        "203.0.113.9",
    ]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    await trio.sleep(16)
    viewers.prune()
    viewers.seen("203.0.113.9", "agent 4")  # the address's slots freed by expiry
    assert viewers.count == 1


async def test_a_stopped_stream_frees_the_caps_and_warns_again_next_time(caplog):
    viewers, _ = live_tracker(max_viewers=1)
    with caplog.at_level(logging.WARNING, logger="owncastd.core.viewers"):
        viewers.seen("1.1.1.1", "a")
        viewers.seen("1.1.1.1", "b")
        viewers.seen("1.1.1.1", "c")
        viewers.on_event(StreamStopped(at=NOW))
        assert viewers.count == 0
        viewers.seen("2.2.2.2", "a")  # the next stream (the bus event alone, for the test)
        viewers.seen("2.2.2.2", "b")
    assert [v.ip_address for v in viewers.viewers()] == ["2.2.2.2"]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


def test_forwarded_for_only_believed_from_trusted_proxies():
    from owncastd.core.viewers import client_ip

    loopback = ("127.0.0.1", "::1")
    # Read from the right: 10.0.0.1 is what our proxy saw; it is no trusted proxy, so it is the
    # client, and whatever stands left of it was sent by that client.
    assert client_ip("127.0.0.1", "203.0.113.7, 10.0.0.1", loopback) == "10.0.0.1"
    both = (*loopback, "10.0.0.0/8")  # with the inner proxy trusted too, the walk goes on
    assert client_ip("127.0.0.1", "203.0.113.7, 10.0.0.1", both) == "203.0.113.7"
    assert client_ip("::ffff:127.0.0.1", "203.0.113.7", loopback) == "203.0.113.7"
    # Anyone else sending the header is taken at their own address: no posing as a victim.
    assert client_ip("198.51.100.4", "203.0.113.7", loopback) == "198.51.100.4"
    assert client_ip("198.51.100.4", "203.0.113.7", ()) == "198.51.100.4"
    assert client_ip("10.1.2.3", "203.0.113.7", ("10.0.0.0/8",)) == "203.0.113.7"
    assert client_ip("10.1.2.3", "", ("10.0.0.0/8",)) == "10.1.2.3"
    assert client_ip("not-an-ip", "203.0.113.7", loopback) == "not-an-ip"


def test_a_forged_forwarded_for_entry_is_never_believed():
    """A client behind a proxy prepends whatever it likes; the proxy appends the real address.
    Bans and per-address caps must see the real one (Owncast takes the first entry)."""
    from owncastd.core.viewers import client_ip

    loopback = ("127.0.0.1", "::1")
    assert client_ip("127.0.0.1", "6.6.6.6, 203.0.113.9", loopback) == "203.0.113.9"
    assert client_ip("127.0.0.1", "203.0.113.9, 127.0.0.1", loopback) == "203.0.113.9"
    # Garbage ends the walk at the last believed address.
    assert client_ip("127.0.0.1", "203.0.113.9, junk", loopback) == "127.0.0.1"
    assert client_ip("127.0.0.1", "::ffff:203.0.113.9", loopback) == "203.0.113.9"
