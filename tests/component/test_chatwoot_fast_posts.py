"""The lean path answers the Chatwoot bridge's two POSTs in their plain case (a viewer's private
message, Chatwoot's webhook) without the general app, on a keep-alive connection, and hands it
every other case, which it answers as before (the route tests run on both paths:
test_chatwoot_thread.py, contract/test_chatwoot_webhook.py)."""

from __future__ import annotations

import trio

from tests.component.chatwoot_fixtures import BridgeServer, message_created, start_bridge_server


async def test_plain_posts_skip_the_app_and_the_rest_reach_it(tmp_path, nursery) -> None:
    server: BridgeServer = await start_bridge_server(nursery, tmp_path, fast_path=True)
    ada = await server.chat.register("Ada")
    token = ada["accessToken"]
    server.app_requests.clear()  # the registration
    async with server.http() as client:  # one keep-alive connection for all of them
        sent = [
            await client.post(
                "/api/chatwoot/messages", params={"accessToken": token}, json={"body": f"hi {n}"}
            )
            for n in range(2)
        ]
        with trio.fail_after(10):
            await server.api.wait_until(lambda: len(server.api.incoming()) == 1)
        [cid] = server.api.conversations
        hook = await client.post(
            "/api/chatwoot/webhook/s3cret-path-token", json=message_created(900, cid, "hello Ada")
        )
        again = await client.post(
            "/api/chatwoot/webhook/s3cret-path-token", json=message_created(900, cid, "hello Ada")
        )
        assert server.app_requests == []
        refused = await client.post(
            "/api/chatwoot/messages", params={"accessToken": "nope"}, json={"body": "x"}
        )
        typeless = await client.post(
            "/api/chatwoot/messages", params={"accessToken": token}, content=b'{"body": "x"}'
        )
    server.monotonic.now += 60  # the viewer's rate budget is back
    async with server.http() as client:  # (a handed-over connection stays with the app)
        after = await client.post(
            "/api/chatwoot/messages", params={"accessToken": token}, json={"body": "still here"}
        )

    assert [r.status_code for r in sent] == [202, 429]  # the bridge's refusal, also lean
    assert sent[0].headers["content-type"] == "application/json"
    assert sent[0].json()["body"] == "hi 0" and sent[0].json()["author"] == "viewer"
    assert sent[1].json() == {
        "success": False,
        "message": "You are sending messages too quickly. Please wait a moment.",
    }
    assert (hook.status_code, hook.json()) == (200, {"success": True, "message": "delivered"})
    assert again.json() == {"success": True, "message": "replay"}
    assert (refused.status_code, refused.json()["message"]) == (401, "invalid access token")
    assert typeless.status_code == 415
    assert after.status_code == 202  # a new connection is on the lean path again
    assert server.app_requests == ["POST /api/chatwoot/messages"] * 2
