"""The transport decision, measured: fan-out through hypercorn's ASGI websocket path.

Option (a) for `/ws` was an ASGI-level route that bypasses Quart but still sends every frame
through hypercorn (one `websocket.send` per client per event: wsproto framing per client, a
send lock, a shielded `send_all`). This script serves exactly that — a minimal ASGI app on
`hypercorn.trio.serve`, one writer task per client draining a bounded queue — connects N
clients with `bench/chat.py`'s client processes and broadcasts at a fixed rate, then prints the
server's CPU per delivered frame. Compare with `bench/chat.py`'s `daemon_us_per_delivery`
(the front door + direct writes, the whole chat pipeline included).

Run: `.venv/bin/python bench/chat_transport.py [--clients 1000] [--rate 10] [--seconds 6]`.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.chat import client_process, collect_reports, percentile, raise_nofile


def serve(port_file: str, expected: int, rate: float, seconds: float) -> None:
    """The server side (runs in its own process)."""
    import trio
    from hypercorn.config import Config
    from hypercorn.trio import serve as hypercorn_serve

    clients: list[trio.MemorySendChannel[str]] = []

    async def broadcast() -> None:
        while len(clients) < expected:  # noqa: ASYNC110 - a bench, polling is fine
            await trio.sleep(0.1)
        await trio.sleep(1.0)
        Path(port_file + ".go").write_text(str(time.time()))  # noqa: ASYNC240
        start = trio.current_time()
        seq = 0
        while trio.current_time() - start < seconds:
            body = f"b {seq} {time.time_ns()}"
            payload = '{"type":"CHAT","id":"x","body":"' + body + '","visible":true}'
            for channel in list(clients):
                try:
                    channel.send_nowait(payload)
                except trio.WouldBlock:
                    clients.remove(channel)
            seq += 1
            await trio.sleep_until(start + seq / rate)
        Path(port_file + ".done").write_text(str(seq))  # noqa: ASYNC240

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "websocket":
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await receive()
        await send({"type": "websocket.accept"})
        send_channel, receive_channel = trio.open_memory_channel[str](256)
        clients.append(send_channel)

        async def writer() -> None:
            async for text in receive_channel:
                await send({"type": "websocket.send", "text": text})

        async with trio.open_nursery() as nursery:
            nursery.start_soon(writer)
            while (await receive())["type"] != "websocket.disconnect":
                pass
            nursery.cancel_scope.cancel()

    async def main() -> None:
        config = Config()
        config.bind = ["127.0.0.1:0"]

        class Status:
            def started(self, binds: list[str]) -> None:
                with open(port_file, "w") as out:
                    out.write(binds[0].rsplit(":", 1)[1])

        async with trio.open_nursery() as nursery:
            nursery.start_soon(broadcast)
            await hypercorn_serve(app, config, task_status=Status())  # type: ignore[arg-type]

    trio.run(main)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--procs", type=int, default=3)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    raise_nofile()
    if args.serve:
        serve(args.serve, args.clients, args.rate, args.seconds)
        return
    port_file = f"/tmp/chat-transport-{os.getpid()}"
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", port_file, "--clients", str(args.clients),
         "--rate", str(args.rate), "--seconds", str(args.seconds)]
    )  # fmt: skip
    try:
        while not os.path.exists(port_file) or not Path(port_file).read_text():
            time.sleep(0.05)
        port = int(Path(port_file).read_text())
        ctx = mp.get_context("fork")
        pipes = []
        per = [args.clients // args.procs] * args.procs
        per[0] += args.clients - sum(per)
        offset = 0
        for count in per:
            parent, child = ctx.Pipe()
            ctx.Process(target=_clients, args=(port, count, offset, child)).start()
            pipes.append(parent)
            offset += count
        for pipe in pipes:
            assert pipe.recv() == "ready"
        while not os.path.exists(port_file + ".go"):
            time.sleep(0.01)
        proc = psutil.Process(server.pid)
        cpu0 = sum(proc.cpu_times()[:2])
        t0 = time.monotonic()
        for pipe in pipes:
            pipe.send("report")
            pipe.recv()
        while not os.path.exists(port_file + ".done"):
            time.sleep(0.05)
        time.sleep(1.0)
        cpu = sum(proc.cpu_times()[:2]) - cpu0
        wall = time.monotonic() - t0
        delivered, latencies, _ = collect_reports(pipes)
        sent = int(Path(port_file + ".done").read_text())
        print(
            f"transport=hypercorn-asgi n={args.clients} rate={args.rate:g} sent={sent} "
            f"delivered={delivered} expected={sent * args.clients} "
            f"server_cpu_pct={100 * cpu / wall:.0f} "
            f"server_us_per_delivery={1e6 * cpu / max(1, delivered):.1f} "
            f"p50_ms={percentile(latencies, 0.5):.1f} p99_ms={percentile(latencies, 0.99):.1f}"
        )
        for pipe in pipes:
            pipe.send("stop")
    finally:
        server.kill()
        for suffix in ("", ".go", ".done"):
            Path(port_file + suffix).unlink(missing_ok=True)


def _clients(port: int, count: int, offset: int, control) -> None:
    """`bench/chat.py`'s client process, without registering (no tokens needed here)."""
    import bench.chat as chat

    chat.register = lambda _port, n: ["x"] * n  # type: ignore[assignment]
    client_process(port, count, offset, control)


if __name__ == "__main__":
    main()
