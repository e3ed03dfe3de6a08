"""The cluster origin's HTTP routes (issue 18, contract §6) as edges and the admin see them:
status, JSON shape, and the shared secret guarding `/api/cluster/*`."""

from __future__ import annotations

from pathlib import Path

import trio

from tests.cluster.origin_fixtures import SECRET, start_origin
from tests.cluster_fixtures import RedisServer, redis_server_fixture
from tests.component.app_fixtures import ADMIN_PASSWORD
from tests.component.chat_fixtures import ChatServer, chat_fixture

__all__ = ["chat_fixture", "redis_server_fixture"]

HEADER = "X-Owncastd-Cluster"


async def test_cluster_routes_want_the_secret_and_answer_as_the_contract_says(
    tmp_path: Path, nursery: trio.Nursery, redis_server: RedisServer
) -> None:
    server, _, _ = await start_origin(nursery, tmp_path, redis_server)
    user = await server.register("rita")
    token = user["accessToken"]
    async with server.http() as http:
        for headers in ({}, {HEADER: "wrong"}, {HEADER: SECRET + "x"}, {HEADER: ""}):
            refused = await http.get(
                "/api/cluster/token", params={"accessToken": token}, headers=headers
            )
            assert refused.status_code == 401
            assert refused.json() == {"success": False, "message": "cluster secret required"}
            assert "rita" not in refused.text
            registered = await http.post("/api/cluster/register", json={}, headers=headers)
            assert registered.status_code == 401
        assert (await server.store.counts())[0] == 1  # no user was made by a refused register

        answer = await http.get(
            "/api/cluster/token", params={"accessToken": token}, headers={HEADER: SECRET}
        )
        assert answer.status_code == 200
        assert answer.headers["cache-control"].startswith("no-")
        assert answer.json() == {
            "userId": user["id"],
            "displayName": "rita",
            "displayColor": answer.json()["displayColor"],
            "isModerator": False,
            "isBot": False,
            "authenticated": False,
            "disabled": False,
        }
        assert isinstance(answer.json()["displayColor"], int)
        unknown = await http.get(
            "/api/cluster/token", params={"accessToken": "nope"}, headers={HEADER: SECRET}
        )
        assert unknown.status_code == 404

        created = await http.post(
            "/api/cluster/register",
            json={"displayName": "via-edge"},
            headers={HEADER: SECRET, "X-Forwarded-For": "198.51.100.4"},
        )
        assert created.status_code == 200
        assert set(created.json()) == {"id", "accessToken", "displayName"}
        assert created.json()["displayName"] == "via-edge"

        await server.room.moderation.set_user_enabled(user["id"], False)
        disabled = await http.get(
            "/api/cluster/token", params={"accessToken": token}, headers={HEADER: SECRET}
        )
        assert disabled.status_code == 404
        assert disabled.json() == {  # the edge answers ERROR_USER_DISABLED from this
            "success": False,
            "message": "user disabled",
            "userId": user["id"],
            "disabled": True,
        }

        assert (await http.get("/api/admin/cluster")).status_code == 401
        status = await http.get("/api/admin/cluster", auth=("admin", ADMIN_PASSWORD))
        assert status.status_code == 200
        body = status.json()
        assert body["role"] == "origin"
        assert set(body["redis"]) == {"ok", "url", "latencyMs"}
        assert body["redis"]["url"] == redis_server.url
        assert body["edges"] == []


async def test_a_single_node_has_no_cluster_routes(chat: ChatServer) -> None:
    async with chat.http() as http:
        headers = {HEADER: ""}
        token = await http.get("/api/cluster/token", params={"accessToken": "x"}, headers=headers)
        assert token.status_code == 404
        assert (
            await http.post("/api/cluster/register", json={}, headers=headers)
        ).status_code == 404
        status = await http.get("/api/admin/cluster", auth=("admin", ADMIN_PASSWORD))
        assert status.json() == {"role": "single", "redis": None, "edges": []}
