"""An edge's backlog replayed after an origin restart (issue 18 user trial): entries are
rate-limited by when the edge added them (the stream id's time), not when the origin reads
them, so messages sent 4 s apart while the origin was down are not a "flood"; entries added
close together still are (an abuser on an edge is limited as on the origin)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import trio

from owncastd.core.chat.pipeline import FLOODING
from tests.cluster.origin_fixtures import start_origin
from tests.cluster_fixtures import RedisServer, listening_edges, redis_server_fixture

__all__ = ["redis_server_fixture"]


async def test_a_replayed_backlog_is_limited_by_sending_time(
    tmp_path: Path, nursery: trio.Nursery, redis_server: RedisServer
) -> None:
    server, _, _ = await start_origin(nursery, tmp_path, redis_server)
    server.go_live()
    async with listening_edges(redis_server, "edge-r") as (edge,):
        user = await server.register("replayed-rhea")
        client = edge.new_client_id()
        await edge.xadd("connect", client, user["id"])
        await edge.frame("CONNECTED_USER_INFO", f"c:{client}")
        start = int(time.time() * 1000) + 1000  # ids must grow past the connect entry's
        offsets = [0, 4000, 8000, 12000, 12100]  # the last one 0.1 s after the one before
        base = {"kind": "message", "edge": edge.id, "client": client, "user": user["id"]}
        async with edge.redis.pipeline(transaction=False) as pipe:  # read in one go
            for n, offset in enumerate(offsets, 1):
                body = json.dumps({"type": "CHAT", "body": f"r{n}"})
                pipe.xadd(
                    "owncastd:chat:in", base | {"body": body}, identifier=f"{start + offset}-0"
                )
        refused = await edge.frame("CHAT_ACTION", f"c:{client}")
        assert FLOODING in refused["body"]
        with trio.fail_after(5):
            while len(history := await server.store.history()) < 4:  # noqa: ASYNC110
                await trio.sleep(0.01)
        assert [m.body for m in history] == ["<p>r1</p>", "<p>r2</p>", "<p>r3</p>", "<p>r4</p>"]
