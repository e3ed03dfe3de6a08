"""Abuse while live (issue 16, "Done when"): a page playing the stream keeps playing while
outsiders run slowloris heads and bodies, RTMP holders, AMF0 bombs and a websocket flood.

The attackers (tests/attack_clients.py, in their own process) come from 127.0.0.2 … and
127.0.1.x; everything legitimate (chromium, the `/api/ping` probe, a new chat client, the
ffmpeg publisher) comes from 127.0.0.1, so per-IP limits can tell them apart as they would
tell a viewer from an attacker. During the attack the test records, and asserts at the end:
the video's currentTime keeps advancing, every `/api/ping` is answered and p95 < 1 s,
`/api/status` says online, a newly registered chat client connects and gets its own
message back, and a publisher with the stream key gets through to the key check (refused as
"already live": the holders did not lock the streamer out). After the attackers stop by
themselves, the daemon still serves all of that.
"""

from __future__ import annotations

import itertools
import time

import httpx
import pytest
import trio
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from tests.abuse_probe import Prober, Samples, attack_tallies, start_attacks
from tests.browser.test_viewer_page import CHROMIUM, CHROMIUM_ARGS
from tests.chat_ws_client import ChatWs, Refused
from tests.component.rtmp_client import RtmpTestClient, command_of
from tests.e2e.harness import STREAM_KEY, DaemonProcess, Publisher, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ATTACK_SECONDS = 18.0
PING_P95_LIMIT = 1.0
LONGEST_STALL = 4.0
CHAT_AT = (4.0, 11.0)
PUBLISH_AT = (8.0, 15.0)
AFTER_PINGS = 8
CURRENT_TIME = "document.querySelector('#player').currentTime"


@pytest.fixture
def viewer():
    """A chromium page (as in tests/browser/test_viewer_page.py) and its page errors."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page, errors
        browser.close()


async def _chat_round_trip(port: int, text: str) -> None:
    """Register, connect to /ws and see our own message come back."""
    with trio.fail_after(10):
        async with httpx.AsyncClient(timeout=5) as http:
            reply = await http.post(
                f"http://127.0.0.1:{port}/api/chat/register", json={"displayName": "viewer"}
            )
            token = reply.json()["accessToken"]
        ws = await ChatWs.connect(port, token)
        assert not isinstance(ws, Refused), ws
        try:
            await ws.next_event("CONNECTED_USER_INFO")
            await ws.send_json({"type": "CHAT", "body": text})
            while (await ws.next_event("CHAT"))["body"] != f"<p>{text}</p>":
                pass
        finally:
            await ws.aclose()


def chat_problem(port: int, text: str) -> str | None:
    """None if a new chat client could connect and send, else what went wrong."""
    try:
        trio.run(_chat_round_trip, port, text)
    except Exception as exc:
        return f"chat {text!r}: {exc!r}"[:300]
    return None


async def _second_publish(port: int) -> None:
    """The streamer's key from 127.0.0.1 reaches the ingest gate (refused: already live)."""
    with trio.fail_after(10):
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        try:
            reply = await RtmpTestClient(stream).publish(STREAM_KEY)
        finally:
            await stream.aclose()
    info = command_of(reply)[3]
    assert isinstance(info, dict) and "already live" in str(info.get("description")), info


def publish_problem(port: int, when: float) -> str | None:
    """None if a publisher with the right key got through to the key check, else what failed.

    RTMP holders filling the pre-publish table must not lock the real streamer out (were it
    to reconnect); while live, getting through means "already live" comes back.
    """
    try:
        trio.run(_second_publish, port)
    except Exception as exc:
        return f"publish at {when} s: {exc!r}"[:300]
    return None


def longest_stall(samples: list[tuple[float, float]]) -> float:
    """The longest wall time over which the video's currentTime did not advance."""
    longest, since = 0.0, samples[0][0]
    for (_, before), (when, now) in itertools.pairwise(samples):
        if now > before:
            since = when
        longest = max(longest, when - since)
    return longest


def probe_problems(samples: Samples, when: str) -> list[str]:
    figures = samples.figures()
    problems = [f"{when}: ping failed {f}" for f in samples.failures[:5]]
    problems += [f"{when}: status failed {s}" for s in samples.status_failed[:5]]
    problems += [f"{when}: status {s}" for s in samples.offline[:5]]
    if figures["ping_p95_ms"] > PING_P95_LIMIT * 1000:
        problems.append(f"{when}: ping p95 {figures['ping_p95_ms']} ms > {PING_P95_LIMIT} s")
    return problems


def wait_for_pings(page, prober: Prober, count: int) -> Samples:
    """The prober's samples once `count` pings are in (or after 10 s)."""
    deadline = time.monotonic() + 10
    samples = prober.samples
    while len(samples.latencies) + len(samples.failures) < count and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    return prober.restart()


def watch_attack(page, daemon: DaemonProcess, attackers) -> tuple[list, list[str]]:
    """Run the chat and publish checks until the attackers end; the page samples currentTime itself
    every 0.25 s (so a check that takes long cannot hide a stall), returned as (s, currentTime).
    """
    page.evaluate(f"""window.played = [];
        setInterval(() => window.played.push([performance.now() / 1000, {CURRENT_TIME}]), 250)""")
    started = time.monotonic()
    problems: list[str] = []
    chats, publishes = list(CHAT_AT), list(PUBLISH_AT)
    while attackers.poll() is None:
        if chats and time.monotonic() - started >= chats[0]:
            problem = chat_problem(daemon.http_port, f"still here at {chats.pop(0)} s")
            problems += [problem] if problem else []
        if publishes and time.monotonic() - started >= publishes[0]:
            problem = publish_problem(daemon.rtmp_port, publishes.pop(0))
            problems += [problem] if problem else []
        page.wait_for_timeout(250)
    if time.monotonic() - started < ATTACK_SECONDS - 1:
        problems.append(f"the attackers ended early: {attackers.stderr.read()[-2000:]}")
    played = [tuple(sample) for sample in page.evaluate("window.played")]
    return played, problems


def test_page_keeps_playing_while_outsiders_attack(tmp_path, viewer):
    page, errors = viewer
    write_config(tmp_path, latency=0)
    daemon = DaemonProcess(tmp_path).wait_ready()
    publisher = Publisher(daemon.rtmp_url())
    attackers = None
    try:
        daemon.wait_online()
        page.goto(daemon.url + "/")
        page.wait_for_function(f"{CURRENT_TIME} > 1", timeout=30_000)
        with Prober(daemon.url) as prober:
            attackers = start_attacks(
                f"127.0.0.1:{daemon.http_port}", f"127.0.0.1:{daemon.rtmp_port}", ATTACK_SECONDS
            )
            played, problems = watch_attack(page, daemon, attackers)
            tallies = attack_tallies(attackers, timeout=15)
            during = prober.restart()
            # After the attack: once the video has played on for 2 s (the server has closed
            # what the attackers left), the daemon answers as before.
            start = page.evaluate(CURRENT_TIME)
            try:
                page.wait_for_function(f"{CURRENT_TIME} > {start + 2}", timeout=15_000)
            except PlaywrightTimeoutError:
                problems.append(f"after: the video did not play on from {start:.1f} s")
            prober.restart()
            problems += [p for p in [chat_problem(daemon.http_port, "after")] if p]
            after = wait_for_pings(page, prober, AFTER_PINGS)
        problems += probe_problems(during, "during") + probe_problems(after, "after")
        stall = longest_stall(played)
        if stall > LONGEST_STALL:
            problems.append(f"video stalled {stall:.1f} s (currentTime {played[::4]})")
        assert daemon.process.poll() is None, "owncastd exited"
    finally:
        if attackers is not None and attackers.poll() is None:  # the test broke off early
            attackers.kill()
            attackers.wait()
        publisher.stop()
        code = daemon.stop()
    (first, start_time), (last, end_time) = played[0], played[-1]
    playing = (
        f"played {end_time - start_time:.1f} s in {last - first:.1f} s, longest stall {stall:.1f} s"
    )
    report = f"{playing}\nduring={during.figures()} after={after.figures()}\nattacks={tallies}"
    assert not problems, "\n".join([*problems, report, daemon.log()])
    # The attacks really ran (refusing them is fine; never trying would make this test moot).
    assert set(tallies) == {"slowloris", "slow_bodies", "rtmp_holders", "amf_bombs", "websockets"}
    for name, tally in tallies.items():
        assert tally["opened"] + tally["connect_failed"] > 0, (name, tally)
    assert code == 0, daemon.log()
    assert not errors, errors
