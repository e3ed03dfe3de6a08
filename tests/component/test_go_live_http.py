"""Discord's go-live webhook and the directory ping over real HTTP to a loopback receiver:
Owncast's bodies (develop §3, §4), a deadline on every request, capped and checked replies."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import trio

from owncastd.config.settings import (
    DiscordSettings,
    NotificationSettings,
    Settings,
)
from owncastd.core.directory import DirectoryReply
from owncastd.webhooks.go_live_http import DiscordGoLive, HttpDirectoryClient
from tests.component.webhook_receiver import WebhookReceiver


def discord_settings(webhook: str, *, enabled: bool = True, title: str = "") -> Settings:
    base = Settings()
    return replace(
        base,
        server=replace(
            base.server, name="Night Owl", url="https://live.example", stream_title=title
        ),
        notifications=NotificationSettings(
            discord=DiscordSettings(enabled=enabled, webhook=webhook, go_live_message="Live!")
        ),
    )


async def test_discord_gets_owncasts_body() -> None:
    async with trio.open_nursery() as nursery:
        receiver = await WebhookReceiver().start(nursery)
        channel = DiscordGoLive(
            lambda: discord_settings(receiver.url, title="Jazz night"), user_agent="owncastd/t"
        )
        await channel.announce()
        got = await receiver.next()
        assert got.method == "POST" and got.path == "/hooks/owncast?key=s3cret"
        assert got.headers["content-type"] == "application/json"
        assert got.headers["user-agent"] == "owncastd/t"
        assert got.json() == {
            "username": "Night Owl",
            "content": "Live!\nJazz night\n\nhttps://live.example",
            "avatar_url": "https://live.example/logo",
        }
        # Off, or no webhook: nothing is sent.
        await DiscordGoLive(
            lambda: discord_settings(receiver.url, enabled=False), user_agent="t"
        ).announce()
        await DiscordGoLive(lambda: discord_settings(""), user_agent="t").announce()
        await receiver.nothing(0.2)
        nursery.cancel_scope.cancel()


async def test_a_receiver_that_never_answers_times_out() -> None:
    async with trio.open_nursery() as nursery:
        receiver = await WebhookReceiver(blackhole=True).start(nursery)
        channel = DiscordGoLive(lambda: discord_settings(receiver.url), user_agent="t", timeout=0.3)
        with trio.fail_after(5), pytest.raises(trio.TooSlowError):
            await channel.announce()
        nursery.cancel_scope.cancel()


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"key": "new-key", "success": True}, DirectoryReply("new-key", True, "")),
        (
            200,
            {"key": "", "success": False, "error": "not reachable", "errorCode": 4},
            DirectoryReply("", False, "not reachable"),
        ),
        (500, None, DirectoryReply("", False, "HTTP 500: the reply is not a JSON object")),
        (502, {"success": False}, DirectoryReply("", False, "HTTP 502")),
    ],
)
async def test_the_directory_ping_and_its_reply(
    status: int, body: object, expected: DirectoryReply
) -> None:
    async with trio.open_nursery() as nursery:
        reply_body = b"<html>bad gateway" if body is None else json.dumps(body).encode()
        receiver = await WebhookReceiver(statuses=[status], reply_body=reply_body).start(nursery)
        client = HttpDirectoryClient(user_agent="owncastd/t")
        reply = await client.ping(f"http://127.0.0.1:{receiver.port}/", "old-key", "https://x.y")
        got = await receiver.next()
        assert got.method == "POST" and got.path == "/api/ping"
        assert got.json() == {"key": "old-key", "url": "https://x.y"}
        assert reply == expected
        nursery.cancel_scope.cancel()


@pytest.mark.parametrize(
    "reply_body",
    [b'{"key": "' + b"k" * 5_000_000 + b'", "success": true}', b"[" * 100_000],
    ids=["huge", "deep"],
)
async def test_a_huge_or_deep_directory_reply_is_refused(reply_body: bytes) -> None:
    async with trio.open_nursery() as nursery:
        receiver = await WebhookReceiver(reply_body=reply_body).start(nursery)
        reply = await HttpDirectoryClient(user_agent="t").ping(
            f"http://127.0.0.1:{receiver.port}", "", "https://x.y"
        )
        assert reply == DirectoryReply("", False, "HTTP 200: the reply is not a JSON object")
        nursery.cancel_scope.cancel()
