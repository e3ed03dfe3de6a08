"""The Chatwoot outbox under a burst (issue 15): N viewers each write one private message at
once; how long until every one is stored (acknowledged) and until every one reached Chatwoot.

In-process: the real bridge and SQLite store, and the in-memory Chatwoot of the tests with a
fixed delay per call (`--latency`); each new viewer costs three calls (contact, conversation,
message). Prints one line. Usage:

    .venv/bin/python bench/chatwoot_outbox.py --viewers 500 --latency 0.02 --concurrency 16
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import trio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from owncastd.core.chatwoot.bridge import ChatwootBridge
from owncastd.core.chatwoot.settings import BridgeSettings
from owncastd.store.chatwoot import ChatwootStore
from owncastd.store.database import Store
from tests.unit.chatwoot.fake_api import FakeChatwoot


def slow_chatwoot(latency: float) -> FakeChatwoot:
    """The fake, each call taking `latency` seconds."""
    api = FakeChatwoot()
    for name in ("ensure_contact", "open_conversation", "post_incoming"):
        call = getattr(api, name)

        async def slow(*args, _call=call, **kwargs):
            await trio.sleep(latency)
            return await _call(*args, **kwargs)

        setattr(api, name, slow)
    return api


async def run(viewers: int, latency: float, concurrency: int) -> str:
    api = slow_chatwoot(latency)
    settings = BridgeSettings(enabled=True, concurrency=concurrency)
    with tempfile.TemporaryDirectory() as directory:
        store = Store(Path(directory) / "owncast.db")
        async with trio.open_nursery() as nursery:
            await nursery.start(store.run)
            bridge = ChatwootBridge(ChatwootStore(store), api, lambda: settings, lambda u, e: 0)
            await nursery.start(bridge.run)
            started, waits = time.monotonic(), []

            async def write(i: int) -> None:
                begin = time.monotonic()
                await bridge.submit(f"viewer-{i}", f"Viewer {i}", f"hello {i}")
                waits.append(time.monotonic() - begin)

            async with trio.open_nursery() as writers:
                for i in range(viewers):
                    writers.start_soon(write, i)
            acknowledged = time.monotonic() - started
            await api.wait_until(lambda: len(api.incoming()) == viewers)
            delivered = time.monotonic() - started
            nursery.cancel_scope.cancel()
    waits.sort()
    return (
        f"viewers={viewers} latency={latency * 1000:.0f}ms concurrency={concurrency}: "
        f"all acknowledged in {acknowledged:.2f}s (p50 {waits[len(waits) // 2] * 1000:.0f} ms, "
        f"p99 {waits[int(len(waits) * 0.99)] * 1000:.0f} ms), all at Chatwoot in "
        f"{delivered:.2f}s, posts={api.calls.count('post_incoming')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per Chatwoot call")
    parser.add_argument("--concurrency", type=int, default=BridgeSettings().concurrency)
    args = parser.parse_args()
    print(trio.run(run, args.viewers, args.latency, args.concurrency))


if __name__ == "__main__":
    main()
