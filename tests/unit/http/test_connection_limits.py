"""Connection caps, the open-files limit and an accept loop that survives EMFILE."""

from __future__ import annotations

import errno
import logging
import resource

import pytest
import trio
import trio.testing

from owncastd.http.transport.accept import accept_forever
from owncastd.http.transport.limits import (
    ConnectionCounter,
    ConnectionLimits,
    address_matcher,
    chat_clients_for,
    max_connections_for,
)
from owncastd.ops.open_files import raise_open_files_limit


def test_one_ipv6_host_counts_once_for_its_whole_64() -> None:
    counter = ConnectionCounter(ConnectionLimits(max_per_ip=2))
    admitted = [counter.admit(f"2001:db8::{n}") for n in range(1, 6)]
    assert admitted == [True, True, False, False, False]
    assert counter.admit("2001:db8:0:1::1")  # the next /64 is another host
    counter.release("2001:db8::1")
    assert counter.admit("2001:db8::7") and counter.from_ip("2001:db8::2") == 2


def test_counter_caps_total_and_per_address_and_forgets_on_release() -> None:
    counter = ConnectionCounter(
        ConnectionLimits(max_connections=5, max_per_ip=2, exempt=lambda ip: ip == "10.0.0.9")
    )
    assert counter.admit("1.1.1.1") and counter.admit("1.1.1.1")
    assert not counter.admit("1.1.1.1")
    assert counter.admit("2.2.2.2")
    assert counter.admit("10.0.0.9") and counter.admit("10.0.0.9")  # exempt from per-IP
    assert counter.total == 5
    assert not counter.admit("10.0.0.9") and not counter.admit("3.3.3.3")  # total cap
    counter.release("1.1.1.1")
    assert counter.from_ip("1.1.1.1") == 1 and counter.admit("1.1.1.1")
    for ip in ("1.1.1.1", "1.1.1.1", "2.2.2.2", "10.0.0.9", "10.0.0.9"):
        counter.release(ip)
    assert counter.total == 0 and counter.from_ip("1.1.1.1") == 0


def test_total_cap_scales_with_the_open_files_limit() -> None:
    assert max_connections_for(1024) == 768
    assert max_connections_for(4096) == 3584
    assert max_connections_for(1_048_576) == 8192
    assert max_connections_for(100) == 75
    assert max_connections_for(1) == 1


def test_address_matcher_follows_the_live_list() -> None:
    networks = ["127.0.0.1", "10.0.0.0/8"]
    matches = address_matcher(lambda: networks)
    assert matches("127.0.0.1") and matches("10.2.3.4") and matches("::ffff:10.0.0.1")
    assert not matches("192.0.2.1") and not matches("not an ip")
    networks.append("192.0.2.0/24")
    assert matches("192.0.2.1")


def test_open_files_soft_limit_is_raised_to_a_share_of_hard(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[tuple[int, int]] = []
    with caplog.at_level(logging.INFO, logger="owncastd.ops.open_files"):
        limit = raise_open_files_limit(
            getrlimit=lambda _: (1024, 100_000), setrlimit=lambda _, v: calls.append(v)
        )
    assert calls == [(70_000, 100_000)]
    assert (limit.soft, limit.hard, limit.before) == (70_000, 100_000, 1024)
    assert "open files limit soft=70000 hard=100000 was=1024" in caplog.text
    # Never lowered; a refused raise keeps the old limit.
    assert raise_open_files_limit(getrlimit=lambda _: (90_000, 100_000)).soft == 90_000

    def refuse(_: int, __: tuple[int, int]) -> None:
        raise ValueError("not allowed")

    assert raise_open_files_limit(getrlimit=lambda _: (256, 4096), setrlimit=refuse).soft == 256
    unlimited = raise_open_files_limit(
        getrlimit=lambda _: (1024, resource.RLIM_INFINITY), setrlimit=lambda _, v: None
    )
    assert unlimited.soft == 45_875


class ExhaustedListener(trio.abc.Listener[trio.SocketStream]):
    """accept() fails with EMFILE `failures` times, then yields `streams` one by one."""

    def __init__(self, failures: int, streams: list[object]) -> None:
        self.failures = failures
        self.streams = streams
        self.attempts: list[float] = []

    async def accept(self) -> trio.SocketStream:
        await trio.lowlevel.checkpoint()
        self.attempts.append(trio.current_time())
        if self.failures:
            self.failures -= 1
            raise OSError(errno.EMFILE, "Too many open files")
        if not self.streams:
            await trio.sleep_forever()
        return self.streams.pop(0)  # type: ignore[return-value]

    async def aclose(self) -> None:
        await trio.lowlevel.checkpoint()


async def test_accept_backs_off_on_emfile_logs_once_and_recovers(
    autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    listener = ExhaustedListener(failures=30, streams=["first", "second"])
    handled: list[object] = []
    both = trio.Event()

    async def handler(stream: object) -> None:
        handled.append(stream)
        if len(handled) == 2:
            both.set()

    with caplog.at_level(logging.INFO, logger="owncastd.http.transport.accept"):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(accept_forever, listener, handler, nursery)
            with trio.fail_after(120):
                await both.wait()
            nursery.cancel_scope.cancel()
    assert handled == ["first", "second"]
    gaps = [b - a for a, b in zip(listener.attempts, listener.attempts[1:30], strict=False)]
    assert gaps[0] >= 0.05 and max(gaps) < 1.01 and sum(gaps) > 10  # backed off, no spin
    messages = [r.getMessage() for r in caplog.records]
    assert sum("accept failing error=EMFILE" in m for m in messages) == 1
    assert sum("accept recovered failed_attempts=30" in m for m in messages) == 1


async def test_accept_raises_other_errors() -> None:
    class Broken(ExhaustedListener):
        async def accept(self) -> trio.SocketStream:
            raise OSError(errno.EBADF, "Bad file descriptor")

    async def handler(stream: trio.SocketStream) -> None:
        await stream.aclose()

    async with trio.open_nursery() as nursery:
        with pytest.raises(OSError, match="Bad file descriptor"):
            await accept_forever(Broken(0, []), handler, nursery)


def test_the_chat_cap_is_seventy_percent_of_the_open_files_limit() -> None:
    assert chat_clients_for(1024) == 716
    assert chat_clients_for(1) == 1
    assert chat_clients_for(10**9) == int((1 << 20) * 0.7)  # bounded however high the limit
