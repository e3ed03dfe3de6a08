"""The Fediverse one-time code end to end (issue 11, develop §2.1): the code goes out as a real
direct message through the persistent delivery queue, signed, to a remote server that resolves
by webfinger and verifies our signature with its own library (apsig); the viewer types the code
back and is authenticated; a second viewer proving the same account is re-pointed to the first."""

from __future__ import annotations

import re

from tests.chat_ws_client import ChatWs, Refused
from tests.component.federation_fixtures import FederatedServer, start_federated_server
from tests.federation_remote import RemoteServer

OK = {"success": True, "message": ""}


async def _code_for(server: FederatedServer, remote: RemoteServer, token: str) -> str:
    account = f"alice@127.0.0.1:{remote.port}"
    async with server.http() as client:
        response = await client.post(
            "/api/auth/fediverse", params={"accessToken": token}, json={"account": account}
        )
    assert (response.status_code, response.json()) == (200, OK)
    delivery = await remote.next_delivery()
    assert delivery.path == "/users/alice/inbox"
    assert delivery.verified, delivery.problem
    note = delivery.activity["object"]
    assert note["attributedTo"] == server.actor
    codes = re.findall(r"\b(\d{6})\b", note["content"])
    assert len(codes) == 1, note["content"]
    return codes[0]


async def _verify(server: FederatedServer, token: str, code: str) -> dict[str, object]:
    async with server.http() as client:
        response = await client.post(
            "/api/auth/fediverse/verify", params={"accessToken": token}, json={"code": code}
        )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _register(server: FederatedServer) -> dict[str, str]:
    async with server.http() as client:
        return dict((await client.post("/api/chat/register", json={})).json())


async def test_a_code_sent_as_a_real_dm_authenticates_and_re_points(tmp_path, nursery):
    remote = await RemoteServer().start(nursery)
    server = await start_federated_server(nursery, tmp_path)
    alice = await _register(server)
    code = await _code_for(server, remote, alice["accessToken"])
    assert await _verify(server, alice["accessToken"], code) == OK

    ws = await ChatWs.connect(server.port, alice["accessToken"])
    assert not isinstance(ws, Refused), ws
    info = await ws.next_event("CONNECTED_USER_INFO")
    assert info["user"]["authenticated"] is True

    bob = await _register(server)  # another browser of the same person
    code = await _code_for(server, remote, bob["accessToken"])
    assert await _verify(server, bob["accessToken"], code) == OK
    bob_ws = await ChatWs.connect(server.port, bob["accessToken"])
    assert not isinstance(bob_ws, Refused), bob_ws
    bob_info = await bob_ws.next_event("CONNECTED_USER_INFO")
    assert bob_info["user"]["id"] == info["user"]["id"]  # the token now belongs to alice's user
