"""sd_notify messages on a real datagram socket, and the watchdog pets from the event loop."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest
import trio

from owncastd.notify import pet_watchdog, reloading_message, sd_notify, watchdog_interval


@pytest.fixture(name="notify_socket")
def notify_socket_fixture(tmp_path):
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5)
        yield sock, {"NOTIFY_SOCKET": str(path)}


def test_messages_arrive_as_single_datagrams(notify_socket):
    sock, env = notify_socket
    assert sd_notify("READY=1\nSTATUS=serving", env)
    assert sd_notify("STOPPING=1", env)
    assert sock.recv(4096) == b"READY=1\nSTATUS=serving"
    assert sock.recv(4096) == b"STOPPING=1"


def test_abstract_socket_names_are_supported():
    name = f"owncastd-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert sd_notify("READY=1", {"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(100) == b"READY=1"


def test_no_socket_means_no_message_and_a_dead_socket_is_not_fatal(tmp_path, notify_socket):
    assert sd_notify("READY=1", {}) is False
    assert sd_notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}) is False
    sock, env = notify_socket  # the control: a live socket gets the message
    assert sd_notify("READY=1", env) is True
    assert sock.recv(100) == b"READY=1"


def test_a_full_socket_never_blocks_the_sender(notify_socket):
    _, env = notify_socket
    started = time.monotonic()
    results = [sd_notify("WATCHDOG=1" + "x" * 4000, env) for _ in range(2000)]
    assert time.monotonic() - started < 5
    assert True in results and False in results  # the overflow is dropped, not waited for


def test_reloading_carries_the_monotonic_clock():
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    first, second = reloading_message().split("\n")
    assert first == "RELOADING=1"
    key, value = second.split("=")
    assert key == "MONOTONIC_USEC" and before <= int(value) <= before + 5_000_000


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"WATCHDOG_USEC": "30000000"}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # meant for another process
        ({"WATCHDOG_USEC": "soon"}, None),
        ({"WATCHDOG_USEC": "0"}, None),
    ],
)
def test_watchdog_interval_is_half_the_timeout(env, expected):
    assert watchdog_interval(env) == expected


async def test_pets_come_every_interval(autojump_clock):
    sent: list[tuple[float, str]] = []
    with trio.move_on_after(10.01):
        await pet_watchdog(2.5, lambda message: sent.append((trio.current_time(), message)))
    assert [message for _, message in sent] == ["WATCHDOG=1"] * 5
    assert [when for when, _ in sent] == [0, 2.5, 5.0, 7.5, 10.0]


async def _arrivals_after(arrivals: list[float], since: float, count: int = 4) -> None:
    """Wait (up to 5 s) until `count` pets have arrived after `since`."""
    with trio.fail_after(5):
        while len([t for t in arrivals if t > since]) < count:  # noqa: ASYNC110 — a thread fills it
            await trio.sleep(0.01)


async def test_a_blocked_event_loop_stops_the_pets(notify_socket):
    sock, env = notify_socket
    sock.settimeout(0.2)
    arrivals: list[float] = []
    done = threading.Event()

    def collect() -> None:  # a real thread, so arrival times are not the event loop's
        while not done.is_set():
            try:
                sock.recv(100)
            except TimeoutError:
                continue
            arrivals.append(time.monotonic())

    collector = threading.Thread(target=collect)
    collector.start()
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(pet_watchdog, 0.05, lambda m: sd_notify(m, env))
            await _arrivals_after(arrivals, 0.0)
            blocked_at = time.monotonic()
            time.sleep(0.6)  # noqa: ASYNC251 — the wedged event loop this test is about
            unblocked_at = time.monotonic()
            await _arrivals_after(arrivals, unblocked_at)
            nursery.cancel_scope.cancel()
    finally:
        done.set()
        collector.join()
    during = [t for t in arrivals if blocked_at + 0.06 < t < unblocked_at]
    assert during == []  # nothing was sent while the loop was blocked
    assert len([t for t in arrivals if t < blocked_at]) >= 4  # before, pets kept coming
    assert len([t for t in arrivals if t > unblocked_at]) >= 4  # and they resume after
