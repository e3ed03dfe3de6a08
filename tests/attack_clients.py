"""Outsider attacks for the "abuse while live" check (issue 16): loopback only, bounded, ending
by themselves.

Each attack is a number of *slots*; a slot opens one connection, abuses it until the server
closes it (or the run ends), then opens the next one after a back-off that doubles while the
server keeps closing fast (0.25 s up to 2 s), so a refusing server is not hammered in a loop:

- ``slowloris``: a GET head sent one byte every ``trickle`` seconds, never finished.
- ``slow_bodies``: a complete ``POST /api/chat/register`` head with a 1 MB Content-Length, then
  the body one byte every ``trickle`` seconds.
- ``rtmp_holders``: connections to the RTMP port that never publish; by slot, one sends nothing,
  one sends C0+C1 only, one completes the handshake and ``connect`` and then waits. They come
  from several source addresses (127.0.1.1 …) so a per-IP cap alone does not stop them.
- ``amf_bombs``: after the handshake, ~64 KiB AMF0 command messages (a strict array of 16k
  empty objects, of 60-deep object chains, or of 32k nulls, in turn) sent as fast as the
  server reads them.
- ``websockets``: ``/ws`` upgrades with tokens registered from the same source, held open.

Every attack comes from its own 127.x address (``SOURCES``), never 127.0.0.1, so the checks a
test makes from 127.0.0.1 stand for a legitimate viewer that per-IP limits must not hit.
``run_attacks(plan)`` returns one :class:`Tally` per attack; ``python -m tests.attack_clients
--http 127.0.0.1:8080 --rtmp 127.0.0.1:1935 --duration 18`` runs them and prints the tallies
as one JSON line (bench/abuse_live.py and tests/e2e/test_abuse_live.py use it that way).
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import itertools
import json
import struct
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field

import httpx
import trio

from owncastd.rtmp.chunks import ChunkWriter
from tests.chat_ws_client import ChatWs, Refused
from tests.component.rtmp_client import ClientCodec, RtmpTestClient

SOURCES = {
    "slowloris": ("127.0.0.2",),
    "slow_bodies": ("127.0.0.3",),
    "websockets": ("127.0.0.4",),
    "amf_bombs": ("127.0.0.5",),
    "rtmp_holders": tuple(f"127.0.1.{n}" for n in range(1, 9)),
}
FAST_CLOSE = 1.0
BACKOFF_FIRST = 0.25
BACKOFF_MAX = 2.0
STEP_TIMEOUT = 5.0
BOMB_SIZE = 64 * 1024
TOKENS = 4
CLOSED = (trio.BrokenResourceError, trio.ClosedResourceError, OSError, EOFError)
OPEN_ERRORS = (OSError, trio.BrokenResourceError, trio.ClosedResourceError, trio.TooSlowError)


@dataclass(frozen=True)
class Plan:
    """What to run, against which loopback ports, for how long."""

    http: tuple[str, int]
    rtmp: tuple[str, int]
    duration: float = 18.0
    slowloris: int = 30
    slow_bodies: int = 30
    rtmp_holders: int = 24
    amf_bombs: int = 3
    websockets: int = 150
    trickle: float = 2.0

    def __post_init__(self) -> None:
        for host, _ in (self.http, self.rtmp):
            if not ipaddress.ip_address(host).is_loopback:
                raise ValueError(f"attacks only go to loopback addresses, not {host}")


@dataclass
class Tally:
    """What happened to one attack's connections."""

    attack: str
    opened: int = 0
    connect_failed: int = 0
    closed_fast: int = 0  # closed or answered by the server within FAST_CLOSE of opening
    closed_later: int = 0
    stalled: int = 0  # a step (handshake, upgrade) got no answer within STEP_TIMEOUT
    held_to_end: int = 0  # still open when the run ended
    longest_hold: float = 0.0
    max_open: int = 0
    messages: int = 0  # head/body bytes trickled, bombs sent, websockets accepted
    errors: list[str] = field(default_factory=list)
    open_now: int = 0

    def open(self) -> float:
        self.opened += 1
        self.open_now += 1
        self.max_open = max(self.max_open, self.open_now)
        return trio.current_time()

    def close(self, started: float, how: str) -> float:
        """Count a connection's end (`how`: "server", "stalled" or "end"); seconds it lasted."""
        held = trio.current_time() - started
        self.open_now -= 1
        self.longest_hold = max(self.longest_hold, round(held, 1))
        if how == "end":
            self.held_to_end += 1
        elif how == "stalled":
            self.stalled += 1
        elif held < FAST_CLOSE:
            self.closed_fast += 1
        else:
            self.closed_later += 1
        return held

    def error(self, exc: BaseException) -> None:
        if len(self.errors) < 5:
            self.errors.append(repr(exc)[:200])

    def summary(self) -> dict[str, object]:
        out = asdict(self)
        del out["open_now"]
        return out


Attack = Callable[[trio.SocketStream], Awaitable[None]]


async def _closed_within(stream: trio.SocketStream, seconds: float) -> bool:
    """True if the server closed, reset or answered within `seconds` (any answer counts)."""
    with trio.move_on_after(seconds):
        with contextlib.suppress(*CLOSED):
            await stream.receive_some(65536)
        return True
    return False


async def _wait_closed(stream: trio.SocketStream) -> None:
    """Read and drop whatever the server sends until it closes (or resets)."""
    with contextlib.suppress(*CLOSED):
        while await stream.receive_some(65536):
            pass


async def _slot(
    target: tuple[str, int], sources: tuple[str, ...], tally: Tally, attack: Attack
) -> None:
    """Open, run `attack` on the connection until the server ends it, back off, repeat."""
    backoff = BACKOFF_FIRST
    for source in itertools.cycle(sources):
        try:
            with trio.fail_after(STEP_TIMEOUT):
                stream = await trio.open_tcp_stream(*target, local_address=source)
        except OPEN_ERRORS as exc:
            tally.connect_failed += 1
            tally.error(exc)
            await trio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)
            continue
        started = tally.open()
        how = "server"
        try:
            await attack(stream)
        except CLOSED:  # reset or broken pipe: the server ended it
            pass
        except trio.TooSlowError:
            how = "stalled"
        except Exception as exc:  # one connection's trouble is counted, the slot goes on
            tally.error(exc)
        except BaseException:  # cancelled: the run is over
            how = "end"
            raise
        finally:
            held = tally.close(started, how)
            with trio.move_on_after(1, shield=True):
                await trio.aclose_forcefully(stream)
        backoff = BACKOFF_FIRST if held >= FAST_CLOSE else min(backoff * 2, BACKOFF_MAX)
        await trio.sleep(backoff)


def _trickler(first: bytes, drip: bytes, every: float, tally: Tally) -> Attack:
    """Send `first`, then `drip` one byte every `every` seconds until the server reacts."""

    async def attack(stream: trio.SocketStream) -> None:
        await stream.send_all(first)
        for byte in itertools.cycle(drip):
            if await _closed_within(stream, every):
                return
            await stream.send_all(bytes([byte]))
            tally.messages += 1

    return attack


def slowloris(host: str, every: float, tally: Tally) -> Attack:
    head = f"GET /api/status HTTP/1.1\r\nHost: {host}\r\nUser-Agent: slowloris\r\n".encode()
    return _trickler(head, b"X-Slow: aaaaaaaaaaaaaaaa\r\n", every, tally)


def slow_body(host: str, every: float, tally: Tally) -> Attack:
    head = (
        f"POST /api/chat/register HTTP/1.1\r\nHost: {host}\r\nUser-Agent: slowbody\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
    ).encode()
    return _trickler(head, b'{"displayName": "' + b"a" * 64, every, tally)


async def rtmp_handshake(stream: trio.SocketStream) -> RtmpTestClient:
    client = RtmpTestClient(stream)
    with trio.fail_after(STEP_TIMEOUT):
        await client.handshake()
    return client


def rtmp_holder(mode: int) -> Attack:
    """Hold a connection that never publishes: 0 silent, 1 after C0+C1, 2 after `connect`."""

    async def attack(stream: trio.SocketStream) -> None:
        if mode == 1:
            await stream.send_all(ClientCodec().c0c1())
        elif mode == 2:
            client = await rtmp_handshake(stream)
            await client.send(client.codec.connect("live"))
        await _wait_closed(stream)

    return attack


def bomb_payloads(size: int = BOMB_SIZE) -> list[bytes]:
    """AMF0 command bodies of about `size` bytes that are slow to decode."""
    name = b"\x02\x00\x04bomb" + b"\x00" + struct.pack(">d", 1.0) + b"\x05"
    room = size - len(name) - 5
    units = {
        "empty objects": b"\x03\x00\x00\x09",
        "60-deep chains": b"\x03" + b"\x00\x01a\x03" * 59 + b"\x00\x00\x09" * 60,
        "nulls": b"\x05",
    }
    return [
        name + b"\x0a" + struct.pack(">I", room // len(unit)) + unit * (room // len(unit))
        for unit in units.values()
    ]


def amf_bomber(tally: Tally, tried: Callable[[], None]) -> Attack:
    """Handshake, then AMF0 bombs as fast as the server takes them, until it closes.
    `tried` is called once, when the first handshake is over (done or failed)."""
    writer = ChunkWriter()
    writer.chunk_size = 4096
    bombs = [writer.write(3, 20, 0, 0, payload) for payload in bomb_payloads()]
    first = [tried]

    async def attack(stream: trio.SocketStream) -> None:
        try:
            client = await rtmp_handshake(stream)
        finally:
            while first:
                first.pop()()
        await client.send(client.codec.set_chunk_size())
        async with trio.open_nursery() as nursery:

            async def drain() -> None:
                await _wait_closed(stream)
                nursery.cancel_scope.cancel()

            nursery.start_soon(drain)
            with contextlib.suppress(*CLOSED):
                for bomb in itertools.cycle(bombs):
                    await stream.send_all(bomb)
                    tally.messages += 1
            nursery.cancel_scope.cancel()

    return attack


async def register_tokens(plan: Plan, source: str, count: int = TOKENS) -> list[str | None]:
    """Chat tokens registered from `source` (None, i.e. no token, if registering fails)."""
    host, port = plan.http
    transport = httpx.AsyncHTTPTransport(local_address=source)
    tokens: list[str | None] = []
    async with httpx.AsyncClient(transport=transport, timeout=STEP_TIMEOUT) as http:
        for n in range(count):
            try:
                reply = await http.post(
                    f"http://{host}:{port}/api/chat/register", json={"displayName": f"flood{n}"}
                )
                tokens.append(reply.json()["accessToken"])
            except (httpx.HTTPError, ValueError, KeyError):
                tokens.append(None)
    return tokens


def websocket_holder(host: str, token: str | None, tally: Tally) -> Attack:
    async def attack(stream: trio.SocketStream) -> None:
        ws = await ChatWs.upgrade(stream, host, token)
        if isinstance(ws, Refused):
            return
        tally.messages += 1
        await _wait_closed(stream)

    return attack


def _attacks(
    plan: Plan,
    tallies: dict[str, Tally],
    tokens: list[str | None],
    bomber_tried: Callable[[], None],
) -> list[tuple[str, Attack]]:
    """One attack per slot, the bombs first."""
    host = f"{plan.http[0]}:{plan.http[1]}"
    attacks: dict[str, list[Attack]] = {
        "amf_bombs": [
            amf_bomber(tallies["amf_bombs"], bomber_tried) for _ in range(plan.amf_bombs)
        ],
        "rtmp_holders": [rtmp_holder(n % 3) for n in range(plan.rtmp_holders)],
        "websockets": [
            websocket_holder(host, tokens[n % len(tokens)], tallies["websockets"])
            for n in range(plan.websockets)
        ],
        "slowloris": [slowloris(host, plan.trickle, tallies["slowloris"])] * plan.slowloris,
        "slow_bodies": [slow_body(host, plan.trickle, tallies["slow_bodies"])] * plan.slow_bodies,
    }
    return [(name, attack) for name, slots in attacks.items() for attack in slots]


async def run_attacks(plan: Plan) -> list[Tally]:
    """Run every attack of `plan` at once for `plan.duration` seconds; the tallies.

    The bombers go first and the rest start once each bomber's first handshake is over (at
    most STEP_TIMEOUT later): otherwise the holders, started in the same instant, could fill
    a small pre-publish table and keep the bombs out, and the run would test less.
    """
    tallies = {name: Tally(name) for name in SOURCES}
    tokens = await register_tokens(plan, SOURCES["websockets"][0]) if plan.websockets else []
    bombers_in = trio.Event()
    waiting = [plan.amf_bombs]
    if not plan.amf_bombs:
        bombers_in.set()

    def bomber_tried() -> None:
        waiting[0] -= 1
        if waiting[0] <= 0:
            bombers_in.set()

    with trio.move_on_after(plan.duration):
        async with trio.open_nursery() as nursery:
            for n, (name, attack) in enumerate(_attacks(plan, tallies, tokens, bomber_tried)):
                if name != "amf_bombs" and not bombers_in.is_set():
                    with trio.move_on_after(STEP_TIMEOUT):
                        await bombers_in.wait()
                    bombers_in.set()
                target = plan.rtmp if name in ("amf_bombs", "rtmp_holders") else plan.http
                first = n % len(SOURCES[name])
                sources = SOURCES[name][first:] + SOURCES[name][:first]
                nursery.start_soon(_slot, target, sources, tallies[name], attack)
    return [tally for name, tally in tallies.items() if getattr(plan, name)]


def host_port(text: str) -> tuple[str, int]:
    """`127.0.0.1:8080` or a URL such as `rtmp://127.0.0.1:1935/live` → (host, port)."""
    if "://" in text:
        text = text.split("://", 1)[1].split("/", 1)[0]
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--http", required=True, help="web port, host:port or URL (loopback)")
    parser.add_argument("--rtmp", required=True, help="RTMP port, host:port or URL (loopback)")
    parser.add_argument("--duration", type=float, default=18.0)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply connection counts")
    parser.add_argument("--attacks", default=",".join(SOURCES), help="comma-separated subset")
    args = parser.parse_args()
    chosen = set(args.attacks.split(","))
    if not chosen <= SOURCES.keys():
        parser.error(f"unknown attacks {sorted(chosen - SOURCES.keys())}; known: {list(SOURCES)}")
    base = Plan(host_port(args.http), host_port(args.rtmp), args.duration)
    counts = {
        name: max(1, round(getattr(base, name) * args.scale)) if name in chosen else 0
        for name in SOURCES
    }
    plan = Plan(base.http, base.rtmp, args.duration, **counts)
    tallies = trio.run(run_attacks, plan)
    print(json.dumps({t.attack: t.summary() for t in tallies}), flush=True)


if __name__ == "__main__":
    main()
