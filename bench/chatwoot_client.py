"""Chatwoot bridge benchmark, the stand-in side (issue 15): how fast N viewers' first private
messages reach a Chatwoot through `ChatwootClient` (contact, conversation, incoming message:
four to five REST calls each), with C viewers sent at once.

Prints `name=value` lines: `messages`, `concurrency`, `seconds` (first call → last message
stored in the stand-in), `messages_per_s`, `p50_ms`/`p99_ms` per viewer (its whole sequence),
`errors`. `--prism` puts Prism (the seed Swagger validator, as in the tests) in front, which
adds its own cost. The issue's whole benchmark (the bridge in a real daemon, under public chat
load) is `bench/chatwoot.py`.

    .venv/bin/python bench/chatwoot_client.py [--messages 500] [--concurrency 4] [--prism]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import trio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from owncastd.chatwoot.api import ChatwootClient  # noqa: E402
from tests.chatwoot_standin.prism import SEED, Prism  # noqa: E402
from tests.chatwoot_standin.state import ChatwootState  # noqa: E402
from tests.chatwoot_standin.swagger import write_prism_copy  # noqa: E402


async def one_viewer(client: ChatwootClient, n: int, took: list[float], errors: list[str]) -> None:
    start = time.perf_counter()
    try:
        contact_id, source_id = await client.ensure_contact(f"bench-viewer-{n}", f"Viewer {n}")
        conv = await client.open_conversation(contact_id, source_id, None)
        await client.post_incoming(conv, f"hello from viewer {n}", f"bench-{n}")
    except Exception as exc:  # counted, the run goes on
        errors.append(f"{type(exc).__name__}: {exc}")
        return
    took.append(time.perf_counter() - start)


async def run(url: str, token: str, inbox_id: int, messages: int, concurrency: int) -> dict:
    client = ChatwootClient(url, 1, inbox_id, token, timeout=30)
    took: list[float] = []
    errors: list[str] = []
    limit = trio.CapacityLimiter(concurrency)

    async def limited(n: int) -> None:
        async with limit:
            await one_viewer(client, n, took, errors)

    start = time.perf_counter()
    async with trio.open_nursery() as nursery:
        for n in range(messages):
            nursery.start_soon(limited, n)
    seconds = time.perf_counter() - start
    await client.aclose()
    ordered = sorted(took) or [0.0]
    return {
        "seconds": seconds,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "errors": errors,
    }


def start_standin(*flags: str) -> tuple[subprocess.Popen[str], str]:
    """The stand-in in its own process (in this one, its threads would fight the client for
    the GIL) and its URL; `flags` go to its command line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.chatwoot_standin.server", *flags],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--prism", action="store_true", help="send through Prism")
    args = parser.parse_args()
    process, standin_url = start_standin()
    prism = None
    try:
        inbox = httpx.post(f"{standin_url}/_test/inbox", json={"name": "owncast"}).json()
        url = standin_url
        if args.prism:
            work = Path(tempfile.mkdtemp(prefix="bench-chatwoot-"))
            spec = write_prism_copy(work / "swagger.json", SEED)
            prism = Prism(spec, standin_url, work / "prism.log")
            url = prism.url
        result = trio.run(run, url, ChatwootState.token, inbox["id"], args.messages,
                          args.concurrency)  # fmt: skip
        state = httpx.get(f"{standin_url}/_test/state", timeout=30).json()
    finally:
        if prism is not None:
            prism.close()
        process.terminate()
        process.wait()
    stored = sum(
        1 for c in state["conversations"] for m in c["messages"] if m["message_type"] == "incoming"
    )
    print(f"messages={args.messages}")
    print(f"concurrency={args.concurrency}")
    print(f"through_prism={args.prism}")
    print(f"stored={stored}")
    print(f"seconds={result['seconds']:.2f}")
    print(f"messages_per_s={stored / result['seconds']:.1f}")
    print(f"p50_ms={result['p50_ms']:.1f}")
    print(f"p99_ms={result['p99_ms']:.1f}")
    print(f"errors={len(result['errors'])}")
    for line in sorted(set(result["errors"]))[:5]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
