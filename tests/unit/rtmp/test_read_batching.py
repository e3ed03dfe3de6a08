"""The receive low-water mark a publishing RTMP connection asks the kernel for."""

from __future__ import annotations

from owncastd.rtmp.read_batching import BATCH_SECONDS, MAX_LOWAT, ReadBatcher


def feed(batcher: ReadBatcher, rate: int, seconds: float, start: float = 0.0) -> float:
    """Reads of `rate` bytes/s every 10 ms; returns the time after the last one."""
    now = start
    for _ in range(int(seconds * 100)):
        batcher.received(rate // 100, now)
        now += 0.01
    return now


def close_to(mark: int, expected: float) -> bool:
    return abs(mark - expected) <= expected * 0.02


def test_the_mark_follows_the_rate_within_bounds() -> None:
    marks: list[int] = []
    batcher = ReadBatcher(marks.append)
    assert not batcher.active
    now = feed(batcher, 750_000, 1.1)  # 6 Mbit/s
    assert len(marks) == 1 and close_to(marks[0], 750_000 * BATCH_SECONDS) and batcher.active
    now = feed(batcher, 780_000, 1.1, now)  # a small change: no new setsockopt
    assert len(marks) == 1
    feed(batcher, 20_000_000, 1.1, now)  # 160 Mbit/s: capped
    assert marks[-1] == MAX_LOWAT


def test_quiet_goes_back_to_one_byte_and_measures_anew() -> None:
    marks: list[int] = []
    batcher = ReadBatcher(marks.append)
    feed(batcher, 750_000, 1.1)
    batcher.idle()
    assert marks[-1] == 1 and not batcher.active
    feed(batcher, 125_000, 1.1, 100.0)  # the gap before is not counted as a slow rate
    assert close_to(marks[-1], 125_000 * BATCH_SECONDS)


def test_no_socket_or_no_support_means_plain_reads() -> None:
    plain = ReadBatcher(None)
    feed(plain, 750_000, 2)
    assert not plain.active

    def unsupported(size: int) -> None:
        raise OSError("not here")

    batcher = ReadBatcher(unsupported)
    feed(batcher, 750_000, 2)
    assert not batcher.active
