"""Chat and scheduled events (develop §5.2): offline chat opens before a scheduled stream, and
a stream that never started is announced in chat, then chat closes again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

import trio

from owncastd.core.schedule.service import MISSED_WARNING
from tests.component.integration_fixtures import start_integration_server


async def test_chat_opens_for_a_scheduled_stream_and_the_missed_one_is_announced(
    nursery: trio.Nursery, tmp_path
):
    server = await start_integration_server(nursery, tmp_path)
    server.configure("chat", spam_protection_enabled=False)
    server.configure("schedule", enabled=True, chat_open_minutes=10)
    stream = server.stream  # the last stream ended an hour ago: chat is closed
    stream.stats = replace(stream.stats, last_disconnect_time=server.wall.now - timedelta(hours=1))
    _, ws = await server.join("alice")
    await ws.send_json({"type": "CHAT", "body": "anyone?"})  # dropped: chat is closed
    # Frames are handled in order: once the rename is answered, "anyone?" has been dropped.
    await ws.send_json({"type": "NAME_CHANGE", "newName": "alice2"})
    while (seen := await ws.next_event())["type"] != "NAME_CHANGE":
        assert seen["type"] != "CHAT", seen

    start = (server.wall.now + timedelta(minutes=5)).astimezone(UTC).isoformat()
    response = await server.admin(
        "POST", "/api/admin/schedule/event", json={"name": "Jam", "start": start}
    )
    assert response.status_code == 200, response.text
    await server.control.schedule.tick()
    await ws.send_json({"type": "CHAT", "body": "waiting for the jam"})
    event = await ws.next_event("CHAT")
    assert "waiting for the jam" in event["body"]  # the first message was never sent

    server.wall.advance((5 + 9) * 60)  # start + 9 min and still offline
    await server.control.schedule.tick()
    event = await ws.next_event("SYSTEM")
    assert MISSED_WARNING in event["body"]

    server.wall.advance(60)  # start + 10 min: cancelled, chat closed again
    await server.control.schedule.tick()
    await ws.send_json({"type": "CHAT", "body": "hello?"})  # dropped: chat is closed
    response = await server.admin("GET", "/api/admin/schedule")
    assert [e["status"] for e in response.json()["events"]] == ["cancelled"]

    start = (server.wall.now + timedelta(minutes=1)).astimezone(UTC).isoformat()
    await server.admin("POST", "/api/admin/schedule/event", json={"name": "Retry", "start": start})
    await server.control.schedule.tick()
    await ws.send_json({"type": "CHAT", "body": "open again"})
    event = await ws.next_event("CHAT")
    assert "open again" in event["body"]  # "hello?" never went out
    await ws.aclose()
