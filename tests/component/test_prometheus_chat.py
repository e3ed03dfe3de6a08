"""Prometheus chat gauges count the real chat: connected clients, kept users, kept messages."""

from __future__ import annotations

import re

from tests.component.integration_fixtures import IntegrationServer, start_integration_server


def gauge(text: str, name: str) -> float:
    """The value of Owncast gauge `name` (labelled with version and host) in an exposition."""
    match = re.search(rf"^{name}{{[^}}]*}} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} missing from:\n{text}"
    return float(match.group(1))


async def scrape(server: IntegrationServer) -> str:
    response = await server.admin("GET", "/api/admin/prometheus")
    assert response.status_code == 200, response.text
    return response.text


async def test_chat_gauges_follow_users_and_messages(tmp_path, nursery):
    server = await start_integration_server(nursery, tmp_path)
    server.stream.begin("203.0.113.9")  # live: chat accepts messages
    text = await scrape(server)
    assert gauge(text, "owncast_instance_total_chat_users") == 0
    assert gauge(text, "owncast_instance_current_chat_message_count") == 0

    _, alice = await server.join("alice")
    _, bob = await server.join("bob")
    for sender, receiver in ((alice, bob), (bob, alice)):  # one each: the flood limit is 1/s
        await sender.send_json({"type": "CHAT", "body": "hello"})
        await receiver.next_event("CHAT")
    await server.store.write("SELECT 1")  # queued after the messages: they are committed now

    text = await scrape(server)
    assert gauge(text, "owncast_instance_active_chat_client_count") == 2
    assert gauge(text, "owncast_instance_total_chat_users") == 2
    assert gauge(text, "owncast_instance_current_chat_message_count") == 2

    await alice.aclose()
    await bob.aclose()
