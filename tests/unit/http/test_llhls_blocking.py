"""Blocking playlist reload and blocking preload-hint fetches (RFC 8216bis §6.2.5.2) on the
lean path's LL-HLS routes, on trio's autojump clock: waits end the moment the part lands."""

from __future__ import annotations

import trio

from owncastd.config.settings import VideoSettings
from owncastd.hls.llhls.live import LiveVariant, LowLatencyOutput
from owncastd.hls.llhls.window import Part
from owncastd.http.transport.fast_http import Request
from owncastd.http.transport.fast_llhls import LowLatencyRoutes

T0 = 1_796_000_000.0


def setup() -> tuple[LowLatencyRoutes, LiveVariant, list[str]]:
    output = LowLatencyOutput(clock=lambda: T0)
    (variant,) = output.begin(VideoSettings(low_latency=True), 1.0)
    variant.window.set_init(b"init")
    counted: list[str] = []
    return LowLatencyRoutes(output, lambda request, peer: counted.append(peer)), variant, counted


def add_parts(variant: LiveVariant, count: int, *, first_independent: bool = True) -> None:
    """`count` parts of 0.25 s (a keyframe every fourth: 1 s segments)."""
    window = variant.window
    for _ in range(count):
        total = sum(len(s.parts) for s in window.segments)
        independent = total % 4 == 0 and first_independent
        window.add_part(Part(0.25, independent, f"part{total}".encode()), T0 + total * 0.25)
    variant.changed()


async def get(routes: LowLatencyRoutes, target: str) -> tuple[int, bytes, bytes]:
    request = Request("GET", target, True, {})
    return await routes.reply(request, target.partition("?")[0].removeprefix("/hls/ll/"), "p")


async def test_a_reload_for_the_next_part_returns_as_soon_as_it_exists(
    autojump_clock: trio.abc.Clock,
) -> None:
    routes, variant, counted = setup()
    add_parts(variant, 2)  # 0.0, 0.1 exist
    answers: list[tuple[float, int, bytes]] = []

    async def reload() -> None:
        status, _, body = await get(routes, "/hls/ll/0/stream.m3u8?_HLS_msn=0&_HLS_part=2")
        answers.append((trio.current_time(), status, body))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(reload)
        await trio.sleep(0.7)
        assert answers == []  # held
        landed = trio.current_time()
        add_parts(variant, 1)
    (at, status, body) = answers[0]
    assert (at, status) == (landed, 200)
    assert b'URI="0.2.m4s"' in body and b'PRELOAD-HINT:TYPE=PART,URI="0.3.m4s"' in body
    assert counted == ["p"]  # a media playlist counts its viewer


async def test_a_satisfied_or_plain_reload_answers_at_once(autojump_clock: object) -> None:
    routes, variant, _ = setup()
    add_parts(variant, 5)  # segment 0 complete, 1.0 exists
    start = trio.current_time()
    for target in ("/hls/ll/0/stream.m3u8", "/hls/ll/0/stream.m3u8?_HLS_msn=0"):
        status, headers, body = await get(routes, target)
        assert status == 200 and body == variant.playlist
        assert b"cache-control: no-cache" in headers
        assert b"access-control-allow-origin: *" in headers
    assert trio.current_time() == start


async def test_too_far_ahead_is_400_at_once(autojump_clock: object) -> None:
    routes, variant, _ = setup()
    add_parts(variant, 6)  # segment 0 complete; 1.0, 1.1 exist
    start = trio.current_time()
    for query in ("_HLS_msn=3", "_HLS_msn=1&_HLS_part=5", "_HLS_part=1", "_HLS_msn=x"):
        status, _, _ = await get(routes, f"/hls/ll/0/stream.m3u8?{query}")
        assert status == 400, query
    assert trio.current_time() == start
    # The limits themselves are allowed (they park): msn = last complete + 2, part + 3.
    for query in ("_HLS_msn=2", "_HLS_msn=1&_HLS_part=4"):
        with trio.move_on_after(0.1) as scope:
            await get(routes, f"/hls/ll/0/stream.m3u8?{query}")
        assert scope.cancelled_caught, query


async def test_a_part_that_never_comes_is_503_after_three_target_durations(
    autojump_clock: trio.abc.Clock,
) -> None:
    routes, variant, _ = setup()
    add_parts(variant, 2)
    start = trio.current_time()
    status, _, _ = await get(routes, "/hls/ll/0/stream.m3u8?_HLS_msn=0&_HLS_part=2")
    assert status == 503
    assert trio.current_time() - start == 3.0  # TARGETDURATION 1


async def test_the_preload_hinted_part_is_held_until_it_exists(
    autojump_clock: trio.abc.Clock,
) -> None:
    routes, variant, _ = setup()
    add_parts(variant, 3)
    answers: list[tuple[float, int, bytes, bytes]] = []

    async def fetch() -> None:
        status, headers, body = await get(routes, "/hls/ll/0/0.3.m4s")
        answers.append((trio.current_time(), status, headers, body))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(fetch)
        await trio.sleep(0.2)
        landed = trio.current_time()
        add_parts(variant, 1)
    at, status, headers, body = answers[0]
    assert (at, status, body) == (landed, 200, b"part3")
    assert b"cache-control: public, max-age=" in headers and b"video/mp4" in headers
    # Parts far ahead are not held.
    start = trio.current_time()
    assert (await get(routes, "/hls/ll/0/7.0.m4s"))[0] == 404
    assert trio.current_time() == start


async def test_a_hinted_part_that_a_new_segment_replaced_is_404_once_known(
    autojump_clock: trio.abc.Clock,
) -> None:
    routes, variant, _ = setup()
    add_parts(variant, 3)
    answers: list[tuple[float, int]] = []

    async def fetch() -> None:
        status, _, _ = await get(routes, "/hls/ll/0/0.3.m4s")
        answers.append((trio.current_time(), status))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(fetch)
        await trio.sleep(0.2)
        landed = trio.current_time()
        # A keyframe came and segment 0 is long enough (as when the GOP is shorter than the
        # target): that part is 1.0, and segment 0 closed without a 0.3.
        variant.window.segment_target = 0.5
        variant.window.add_part(Part(0.25, True, b"keyframe"), T0)
        variant.changed()
    assert answers == [(landed, 404)]


async def test_a_thousand_parked_reloads_wake_on_one_update(autojump_clock: object) -> None:
    routes, variant, _ = setup()
    add_parts(variant, 1)
    done: list[float] = []

    async def reload() -> None:
        status, _, _ = await get(routes, "/hls/ll/0/stream.m3u8?_HLS_msn=0&_HLS_part=1")
        assert status == 200
        done.append(trio.current_time())

    async with trio.open_nursery() as nursery:
        for _ in range(1000):
            nursery.start_soon(reload)
        await trio.sleep(0.5)
        landed = trio.current_time()
        add_parts(variant, 1)
    assert done == [landed] * 1000


async def test_the_stream_ending_releases_waiters_with_endlist(
    autojump_clock: trio.abc.Clock,
) -> None:
    output = LowLatencyOutput(clock=lambda: T0)
    (variant,) = output.begin(VideoSettings(low_latency=True), 1.0)
    variant.window.set_init(b"init")
    routes = LowLatencyRoutes(output, lambda request, peer: None)
    add_parts(variant, 2)
    answers: list[bytes] = []

    async def reload() -> None:
        answers.append((await get(routes, "/hls/ll/0/stream.m3u8?_HLS_msn=1"))[2])

    async with trio.open_nursery() as nursery:
        nursery.start_soon(reload)
        await trio.sleep(0.3)
        output.end()
    assert answers[0].endswith(b"#EXT-X-ENDLIST\n")


async def test_files_master_and_unknowns(autojump_clock: object) -> None:
    routes, variant, _ = setup()
    add_parts(variant, 5)
    assert await get(routes, "/hls/ll/0/init.mp4") == (
        200,
        (await get(routes, "/hls/ll/0/init.mp4"))[1],
        b"init",
    )
    status, _, body = await get(routes, "/hls/ll/0/0.m4s")
    assert (status, body) == (200, b"part0part1part2part3")
    assert (await get(routes, "/hls/ll/0/1.m4s"))[0] == 404  # open: not a segment yet
    assert (await get(routes, "/hls/ll/1/stream.m3u8"))[0] == 404  # no such variant
    assert (await get(routes, "/hls/ll/0/init-1.mp4"))[0] == 404
    assert (await get(routes, "/hls/ll/0/x.m4s"))[0] == 404
    status, headers, body = await get(routes, "/hls/ll/stream.m3u8")
    assert status == 200 and body.startswith(b"#EXTM3U\n#EXT-X-VERSION:9\n")
    assert b"content-type: application/vnd.apple.mpegurl" in headers
    offline = LowLatencyRoutes(None, lambda request, peer: None)
    assert (await get(offline, "/hls/ll/stream.m3u8"))[0] == 404
    assert (await get(LowLatencyRoutes(LowLatencyOutput(), print), "/hls/ll/stream.m3u8"))[0] == 404


def test_no_variants_while_low_latency_is_off() -> None:
    output = LowLatencyOutput(clock=lambda: T0)
    output.begin(VideoSettings(low_latency=True), 1.0)
    assert output.begin(VideoSettings(), 1.0) == [] and output.variant(0) is None


def test_offline_clears_the_last_streams_video_and_segments_follow_the_level() -> None:
    output = LowLatencyOutput(clock=lambda: T0)
    (variant,) = output.begin(VideoSettings(low_latency=True, latency_level=3))
    assert variant.window.segment_target == 4  # level 3: 4 s segments, as the classic ones
    output.clear()
    assert variant.window.ended and output.variant(0) is None
