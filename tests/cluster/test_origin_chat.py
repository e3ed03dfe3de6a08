"""The origin's side of the cluster (issue 18) against a real redis-server, a real SQLite store
and a real local websocket client; the edge is played by `TestEdge`, which speaks the wire
contract directly through Redis."""

from __future__ import annotations

from pathlib import Path

import trio

from tests.cluster.origin_fixtures import start_origin
from tests.cluster_fixtures import RedisServer, listening_edges, redis_server_fixture


async def test_edge_and_local_clients_chat_and_moderation_reaches_the_edge(
    tmp_path: Path, nursery: trio.Nursery, redis_server: RedisServer
) -> None:
    server, origin, _ = await start_origin(nursery, tmp_path, redis_server)
    server.go_live()
    async with listening_edges(redis_server, "edge-a") as (edge,):
        remote_user = await server.register("remote-rita")
        client_id = edge.new_client_id()
        await edge.xadd("connect", client_id, remote_user["id"])
        info = await edge.frame("CONNECTED_USER_INFO", f"c:{client_id}")
        assert info["user"]["id"] == remote_user["id"]

        local_user, local = await server.join("local-lou")
        joined = await edge.frame("USER_JOINED", "*", after=0)
        assert joined["user"]["id"] in (remote_user["id"], local_user["id"])
        assert len(server.room.clients()) == 2

        # edge → origin → local socket and every edge, with an id derived from the entry id
        entry_id = await edge.send_chat(client_id, remote_user["id"], "hello from the edge")
        chat = await local.next_event("CHAT")
        assert chat["body"] == "<p>hello from the edge</p>"
        assert chat["user"]["id"] == remote_user["id"]
        assert chat["id"] == "r" + entry_id
        echoed = await edge.frame("CHAT", "*")
        assert echoed == chat

        # local socket → the edge's sockets (one publish, target "*")
        mark = len(edge.frames)
        await local.send_json({"type": "CHAT", "body": "hello from the origin"})
        heard = await edge.frame("CHAT", "*", after=mark)
        assert heard["body"] == "<p>hello from the origin</p>"
        chat_targets = [t for t, e in edge.frames if e.get("type") == "CHAT"]
        assert chat_targets == ["*", "*"]  # each message published once, never per socket
        # The local message is broadcast first and stored by the group-commit writer.
        with trio.fail_after(5):
            while len(history := await server.store.history()) < 2:  # noqa: ASYNC110
                await trio.sleep(0.01)
        assert [m.body for m in history] == [chat["body"], heard["body"]]

        # a moderator hide reaches every edge as VISIBILITY-UPDATE
        await server.room.moderation.set_visibility([chat["id"]], False)
        hidden = await edge.frame("VISIBILITY-UPDATE", "*")
        assert hidden["ids"] == [chat["id"]] and hidden["visible"] is False
        assert (await local.next_event("VISIBILITY-UPDATE"))["ids"] == [chat["id"]]

        # a ban: the edge's socket is told (targeted), the token cache dropped, the socket closed
        await server.room.moderation.set_user_enabled(remote_user["id"], False)
        await edge.frame("ERROR_USER_DISABLED", f"c:{client_id}")
        await edge.control(type="token_revoked", user=remote_user["id"])
        await edge.control(type="disconnect", target=f"c:{client_id}")
        assert [c.user.id for c in server.room.clients()] == [local_user["id"]]

        # a banned user's new connection (from the address banned with them) is refused
        again = edge.new_client_id()
        await edge.xadd("connect", again, remote_user["id"])
        await edge.control(type="disconnect", target=f"c:{again}")

        # a resync (the socket was there before an origin restart): registered, nothing sent
        resynced = edge.new_client_id()
        await edge.xadd("resync", resynced, local_user["id"], ip="203.0.113.77")
        with trio.fail_after(5):  # handled by the origin's consumer task
            while origin.remote.get(resynced) is None:  # noqa: ASYNC110
                await trio.sleep(0.01)
        await server.room.moderation.set_moderator(local_user["id"], True)
        await edge.control(type="token_revoked", user=local_user["id"])  # isModerator changed
        info = await edge.frame("CONNECTED_USER_INFO", f"c:{resynced}")
        assert info["user"]["scopes"] == ["MODERATOR"]  # the first frame it got: the new scope
        assert len(server.room.clients_of(local_user["id"])) == 2
        await local.aclose()


async def test_an_edge_without_heartbeats_loses_its_clients_and_viewers(
    tmp_path: Path, nursery: trio.Nursery, redis_server: RedisServer
) -> None:
    server, origin, viewers = await start_origin(nursery, tmp_path, redis_server)
    server.go_live()
    viewers.seen("203.0.113.50", "a local viewer")
    async with listening_edges(redis_server, "edge-a", "edge-b") as (edge_a, edge_b):
        redis = edge_a.redis
        user = await server.register("viewer")
        await edge_a.heartbeat(viewers=7, sockets=1)
        await edge_b.heartbeat(viewers=3)
        client_id = edge_a.new_client_id()
        await edge_a.xadd("connect", client_id, user["id"])
        await edge_a.frame("CONNECTED_USER_INFO", f"c:{client_id}")
        await origin.scan()
        assert server.stream.is_live
        status = origin.status_json()
        assert [e["id"] for e in status["edges"]] == ["edge-a", "edge-b"]
        assert status["redis"]["ok"] is True
        assert status["redis"]["url"] == redis_server.url
        assert viewers.count == 1 + 7 + 3  # the origin's own and the live edges'

        await redis.delete(["owncastd:edge:edge-a"])  # its hash expired: edge-a is gone
        await origin.scan()
        await edge_a.control(type="disconnect", target=f"c:{client_id}")
        assert server.room.clients() == []
        assert [e["id"] for e in origin.status_json()["edges"]] == ["edge-b"]
        assert await redis.zrange("owncastd:edges", 0, -1) == ("edge-b",)
        assert viewers.count == 1 + 3


__all__ = ["redis_server_fixture"]  # the fixture, used by name


async def test_redis_down_leaves_local_chat_working_and_the_origin_resumes(
    tmp_path: Path, nursery: trio.Nursery, redis_server: RedisServer
) -> None:
    server, origin, _ = await start_origin(nursery, tmp_path, redis_server)
    _, alice = await server.join("alice")
    _, bob = await server.join("bob")
    redis_server.stop()
    await alice.send_json({"type": "CHAT", "body": "redis is gone"})
    assert (await bob.next_event("CHAT"))["body"] == "<p>redis is gone</p>"
    with trio.fail_after(10):
        while origin.health.ok:  # noqa: ASYNC110 (the pinger notices within a second or two)
            await trio.sleep(0.05)
    assert origin.status_json()["redis"]["ok"] is False
    assert origin.problem() == "cluster: Redis is unreachable; edges' chat is paused"

    redis_server.start()  # empty: no stream, no group (no persistence)
    async with listening_edges(redis_server, "edge-a") as (edge,):
        user = await server.register("back")
        client = edge.new_client_id()
        with trio.fail_after(15):  # the consumer retries every second and remakes its group
            while not any(t == f"c:{client}" for t, _ in edge.frames):
                await edge.xadd("connect", client, user["id"])
                with trio.move_on_after(1.5):
                    await edge.frame("CONNECTED_USER_INFO", f"c:{client}")
        await edge.send_chat(client, user["id"], "after the outage")
        assert (await bob.next_event("CHAT"))["body"] == "<p>after the outage</p>"
        assert origin.health.ok
        assert origin.problem() is None
    await alice.aclose()
    await bob.aclose()
