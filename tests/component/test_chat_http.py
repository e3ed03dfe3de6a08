"""Chat over HTTP against the real server: registration, history, the moderator and admin
routes end to end (hide, disable, moderators, IP bans, clients) and custom emoji."""

from __future__ import annotations

import base64
import logging
import re

import trio

from tests.chat_ws_client import ChatWs, Refused
from tests.component.chat_fixtures import ADMIN_PASSWORD, ChatServer
from tests.component.edge_chat_fixtures import (
    chat_or_edge_fixture,
    module_redis_fixture,
    single_node_only,
)

__all__ = ["chat_or_edge_fixture", "module_redis_fixture"]

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


async def test_register_names_and_tokens(chat: ChatServer) -> None:
    first = await chat.register("alice")
    assert set(first) == {"id", "accessToken", "displayName"}
    assert first["displayName"] == "alice"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}=", first["accessToken"])
    taken = await chat.register("ALICE")
    assert taken["displayName"].startswith("ALICE") and len(taken["displayName"]) == 8
    proxied = await chat.register("body-name", **{"X-Forwarded-User": "proxy-user"})
    assert proxied["displayName"] == "proxy-user"
    long = await chat.register("<script>x</script>" + "w" * 10_000)
    assert long["displayName"] == "w" * 30
    generated = await chat.register()
    assert re.fullmatch(r"[a-z]+-[a-z]+", generated["displayName"])
    forbidden = await chat.register("TheAdmin")
    assert "admin" not in forbidden["displayName"].lower()
    async with chat.http() as client:
        bare = await client.post("/api/chat/register")
        assert bare.status_code == 200 and bare.json()["displayName"]
        bad = await client.post("/api/chat/register", content=b"{nope")
        assert bad.status_code == 400 and bad.json()["success"] is False
        preflight = await client.options("/api/chat/register")
        assert preflight.status_code == 204


@single_node_only("it calls moderator/admin routes on the viewer URL: an edge has none")
async def test_deeply_nested_json_is_a_400_not_a_crash(chat: ChatServer, caplog) -> None:
    nested = [b"[" * 5000, b'{"a":' * 5000, b"[" * 5000 + b"]" * 5000]
    async with chat.http() as client:
        for body in nested:
            response = await client.post("/api/chat/register", content=body)
            assert response.status_code == 400, response.text
            assert response.json()["success"] is False
            assert "nested too deeply" in response.json()["message"]
            admin = await client.post(
                "/api/admin/chat/users/ipbans/create",
                content=body,
                auth=("admin", ADMIN_PASSWORD),
            )
            assert admin.status_code == 400 and admin.json()["success"] is False
    assert (await chat.register("after"))["displayName"] == "after"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_history_newest_fifty_visible_oldest_first(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    alice, alice_ws = await chat.join("alice")
    for i in range(55):
        await alice_ws.send_json({"type": "CHAT", "body": f"m{i}"})
    for _ in range(55):
        await alice_ws.next_event("CHAT")
    async with chat.http() as client:
        # Messages are broadcast first and committed by the group-commit writer a moment
        # later, so wait for the last one to be in the history.
        with trio.fail_after(10):
            while True:
                params = {"accessToken": alice["accessToken"]}
                response = await client.get("/api/chat", params=params)
                assert response.status_code == 200
                history = response.json()
                if history and history[-1]["body"] == "<p>m54</p>":
                    break
                await trio.sleep(0.05)
        assert response.headers["Cache-Control"].startswith("no-cache")
        assert [m["body"] for m in history] == [f"<p>m{i}</p>" for i in range(5, 55)]
        assert history[0]["user"]["displayName"] == "alice" and history[0]["type"] == "CHAT"
        for token in ("", "unknown"):
            refused = await client.get("/api/chat", params={"accessToken": token})
            assert refused.status_code == 401


@single_node_only("it calls moderator/admin routes on the viewer URL: an edge has none")
async def test_moderator_hides_a_message_everyone_sees_it_go(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    mod, mod_ws = await chat.join("mod")
    alice, alice_ws = await chat.join("alice")
    await alice_ws.send_json({"type": "CHAT", "body": "rude"})
    message = await mod_ws.next_event("CHAT")
    token = {"accessToken": mod["accessToken"]}
    async with chat.http() as client:
        denied = await client.post(
            "/api/chat/messagevisibility",
            params=token,
            json={"idArray": [message["id"]], "visible": False},
        )
        assert denied.status_code == 401
        promoted = await chat.admin_post(
            "/api/admin/chat/users/setmoderator", {"userId": mod["id"], "isModerator": True}
        )
        assert promoted.json() == {"success": True, "message": f"{mod['id']} moderator: true"}
        info = await mod_ws.next_event("CONNECTED_USER_INFO")
        assert info["user"]["scopes"] == ["MODERATOR"]
        hidden = await client.post(
            "/api/chat/messagevisibility",
            params=token,
            json={"idArray": [message["id"]], "visible": False},
        )
        assert hidden.status_code == 200 and hidden.json()["success"] is True
        update = await alice_ws.next_event("VISIBILITY-UPDATE")
        assert update["ids"] == [message["id"]] and update["visible"] is False
        history = await client.get("/api/chat", params={"accessToken": alice["accessToken"]})
        assert history.json() == []
        admin_view = await chat.admin_get("/api/admin/chat/messages")
        assert admin_view[0]["id"] == message["id"] and admin_view[0]["visible"] is False
        assert "hiddenAt" in admin_view[0]
        details = await client.get(f"/api/moderation/chat/user/{alice['id']}", params=token)
        data = details.json()
        assert data["user"]["id"] == alice["id"]
        assert [m["id"] for m in data["messages"]] == [message["id"]]
        assert (
            len(data["connectedClients"]) == 1 and data["connectedClients"][0]["messageCount"] == 1
        )
        mods = await chat.admin_get("/api/admin/chat/users/moderators")
        assert [u["id"] for u in mods] == [mod["id"]]
        bad = await client.post("/api/chat/messagevisibility", params=token, json={"idArray": "x"})
        assert bad.status_code == 400


@single_node_only("it calls moderator/admin routes on the viewer URL: an edge has none")
async def test_disable_user_closes_bans_ip_and_refuses_them(chat: ChatServer) -> None:
    chat.configure("chat", spam_protection_enabled=False)
    mod = await chat.register("mod")
    await chat.admin_post(
        "/api/admin/chat/users/setmoderator", {"userId": mod["id"], "isModerator": True}
    )
    watcher_user, watcher = await chat.join("watcher")
    spammer = await chat.register("spammer")
    spam_ws = await chat.connect(
        spammer["accessToken"], headers=[("X-Forwarded-For", "198.51.100.23")]
    )
    await spam_ws.next_event("CONNECTED_USER_INFO")
    await spam_ws.send_json({"type": "CHAT", "body": "buy now"})
    spam = await watcher.next_event("CHAT")
    async with chat.http() as client:
        response = await client.post(
            "/api/chat/users/setenabled",
            params={"accessToken": mod["accessToken"]},
            json={"userId": spammer["id"], "enabled": False},
        )
        assert response.json() == {"success": True, "message": f"{spammer['id']} enabled: false"}
        assert (await spam_ws.next_event("ERROR_USER_DISABLED"))["user"]["id"] == spammer["id"]
        with trio.fail_after(4):
            assert await spam_ws.wait_closed() == 1000
        update = await watcher.next_event("VISIBILITY-UPDATE")
        assert update["ids"] == [spam["id"]]
        removed = await watcher.next_event("CHAT_ACTION")
        assert removed["body"] == "<p><strong>spammer</strong> has been removed from chat.</p>\n"
        again = await chat.connect(spammer["accessToken"])
        assert (await again.next_event())["type"] == "ERROR_USER_DISABLED"
        history = await client.get("/api/chat", params={"accessToken": spammer["accessToken"]})
        assert history.status_code == 401
        others = await client.get("/api/chat", params={"accessToken": watcher_user["accessToken"]})
        assert others.status_code == 200  # only the disabled user is shut out
    disabled = await chat.admin_get("/api/admin/chat/users/disabled")
    assert [u["id"] for u in disabled] == [spammer["id"]] and "disabledAt" in disabled[0]
    bans = await chat.admin_get("/api/admin/chat/users/ipbans")
    assert bans == [
        {
            "ipAddress": "198.51.100.23",
            "notes": "Banning of spammer",
            "createdAt": bans[0]["createdAt"],
        }
    ]
    newcomer = await chat.register("newcomer")
    blocked = await ChatWs.connect(
        chat.port, newcomer["accessToken"], headers=[("X-Forwarded-For", "198.51.100.23")]
    )
    assert isinstance(blocked, Refused) and blocked.status == 403
    async with chat.http() as client:
        history = await client.get(
            "/api/chat",
            params={"accessToken": newcomer["accessToken"]},
            headers={"X-Forwarded-For": "198.51.100.23"},
        )
        assert history.status_code == 401
    removed_ban = await chat.admin_post(
        "/api/admin/chat/users/ipbans/remove", {"value": "198.51.100.23"}
    )
    assert removed_ban.status_code == 200
    allowed = await chat.connect(
        newcomer["accessToken"], headers=[("X-Forwarded-For", "198.51.100.23")]
    )
    await allowed.next_event("CONNECTED_USER_INFO")
    enabled = await chat.admin_post(
        "/api/admin/chat/users/setenabled", {"userId": spammer["id"], "enabled": True}
    )
    assert enabled.status_code == 200
    back = await chat.connect(spammer["accessToken"])
    await back.next_event("CONNECTED_USER_INFO")
    missing = await chat.admin_post(
        "/api/admin/chat/users/setenabled", {"userId": "nobody", "enabled": False}
    )
    assert missing.status_code == 404


@single_node_only("it calls moderator/admin routes on the viewer URL: an edge has none")
async def test_admin_routes_need_the_admin(chat: ChatServer) -> None:
    async with chat.http() as client:
        for path in (
            "/api/admin/chat/clients",
            "/api/admin/chat/messages",
            "/api/admin/chat/users/ipbans",
        ):
            response = await client.get(path)
            assert response.status_code == 401
            assert (
                response.headers["WWW-Authenticate"]
                == 'Basic realm="Owncast Authenticated Request"'
            )
            wrong = await client.get(path, auth=("admin", "wrong"))
            assert wrong.status_code == 401
        preflight = await client.options("/api/admin/chat/users/setenabled")
        assert preflight.status_code == 204


async def test_admin_clients_and_ip_bans(chat: ChatServer) -> None:
    alice, _ = await chat.join("alice")
    clients = await chat.admin_get("/api/admin/chat/clients")
    assert len(clients) == 1
    assert set(clients[0]) >= {"connectedAt", "user", "geo", "userAgent", "messageCount"}
    assert clients[0]["user"]["id"] == alice["id"] and "ipAddress" not in clients[0]
    created = await chat.admin_post("/api/admin/chat/users/ipbans/create", {"value": "2001:db8::1"})
    assert created.status_code == 200
    bad = await chat.admin_post("/api/admin/chat/users/ipbans/create", {"value": "not an ip"})
    assert bad.status_code == 400 and bad.json()["success"] is False
    missing = await chat.admin_post("/api/admin/chat/users/ipbans/create", {})
    assert missing.status_code == 400
    bans = await chat.admin_get("/api/admin/chat/users/ipbans")
    assert [b["ipAddress"] for b in bans] == ["2001:db8::1"]


@single_node_only("it calls moderator/admin routes on the viewer URL: an edge has none")
async def test_emoji_upload_list_serve_delete(chat: ChatServer) -> None:
    data_uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    uploaded = await chat.admin_post(
        "/api/admin/emoji/upload", {"name": "blob.png", "data": data_uri}
    )
    assert uploaded.status_code == 200, uploaded.text
    again = await chat.admin_post("/api/admin/emoji/upload", {"name": "blob", "data": data_uri})
    assert again.status_code == 400
    svg = "data:image/svg+xml;base64," + base64.b64encode(b"<svg onload=alert(1)>").decode()
    refused = await chat.admin_post("/api/admin/emoji/upload", {"name": "evil", "data": svg})
    assert refused.status_code == 400
    sneaky = await chat.admin_post("/api/admin/emoji/upload", {"name": "../../x", "data": data_uri})
    assert sneaky.status_code == 200 and (chat.data_dir / "emoji" / "x.png").exists()
    async with chat.http() as client:
        listing = (await client.get("/api/emoji")).json()
        assert listing == [
            {"name": "blob", "url": "/img/emoji/blob.png"},
            {"name": "x", "url": "/img/emoji/x.png"},
        ]
        served = await client.get("/img/emoji/blob.png")
        assert served.status_code == 200 and served.content == PNG
        assert served.headers["Content-Type"] == "image/png"
        assert (await client.get("/img/emoji/../owncast.db")).status_code == 404
        deleted = await chat.admin_post("/api/admin/emoji/delete", {"name": "blob.png"})
        assert deleted.status_code == 200
        assert (await client.get("/img/emoji/blob.png")).status_code == 404
        gone = await chat.admin_post("/api/admin/emoji/delete", {"name": "blob.png"})
        assert gone.status_code == 400
        unauthenticated = await client.post("/api/admin/emoji/upload", json={})
        assert unauthenticated.status_code == 401
