"""What the Chatwoot client does at the edges the stand-in does not reach: Chatwoot's REST
integers and newer answer shapes, timeouts, oversized answers, and the token kept out of
every message."""

from __future__ import annotations

import json

import httpx
import pytest

from owncastd.chatwoot.api import ChatwootClient
from owncastd.chatwoot.parse import epoch_seconds, message_type, parse_message
from owncastd.core.chatwoot.ports import ChatwootRejected, ChatwootUnavailable

TOKEN = "tok-SECRET-42"


def client_with(handler) -> ChatwootClient:  # type: ignore[no-untyped-def]
    return ChatwootClient(
        "http://cw.test", 1, 2, TOKEN, transport=httpx.MockTransport(handler), timeout=1
    )


def test_rest_integers_and_webhook_strings_read_the_same() -> None:
    assert [message_type(v) for v in (0, 1, 2, 3, "outgoing", 7, True, None)] == [
        "incoming", "outgoing", "activity", "template", "outgoing", "", "", "",
    ]  # fmt: skip
    assert epoch_seconds("2021-07-23T18:02:48.000Z") == 1627063368
    assert epoch_seconds(1627063368) == 1627063368 and epoch_seconds("soon") == 0
    raw = {
        "id": 5, "content": None, "message_type": 1, "private": False,
        "created_at": 1627063368, "sender": {"id": 3, "name": "Ann", "type": "user"},
        "attachments": [{"data_url": "https://cw.test/a.png"}, {"file_type": "image"}],
    }  # fmt: skip
    message = parse_message(raw, 9)
    assert message is not None
    assert (message.conversation_id, message.content, message.message_type) == (9, None, "outgoing")
    assert message.attachments == ("https://cw.test/a.png",)
    assert parse_message({"content": "no id"}, 9) is None


async def test_a_newer_contact_answer_and_an_existing_link_are_understood() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        assert request.headers["api_access_token"] == TOKEN
        if request.url.path.endswith("/search"):
            return httpx.Response(200, json={"payload": []})
        if request.url.path.endswith("/contacts"):
            contact = {"id": 8, "contact_inboxes": []}
            return httpx.Response(200, json={"payload": {"contact": contact}})
        return httpx.Response(422, json={"message": "Source has already been taken"})

    client = client_with(handler)
    assert await client.ensure_contact("v-1", "Vi") == (8, "owncast:v-1")
    assert seen[-1] == "POST /api/v1/accounts/1/contacts/8/contact_inboxes"
    await client.aclose()


@pytest.mark.parametrize(
    ("answer", "error", "text"),
    [
        (httpx.Response(429, json={"error": "slow down"}), ChatwootUnavailable, "429.*slow down"),
        (httpx.Response(502, text="<html>bad gateway</html>"), ChatwootUnavailable, "502"),
        (httpx.Response(422, json={"error": "Too many messages"}), ChatwootRejected, "422"),
        (httpx.Response(302, headers={"location": "/login"}), ChatwootRejected, "302"),
        (httpx.Response(200, text="not json"), ChatwootUnavailable, "not JSON"),
        (httpx.Response(200, json={"x": "y" * 3_000_000}), ChatwootUnavailable, "over"),
        (httpx.Response(200, json={"payload": {"no": "id"}}), ChatwootUnavailable, "no id"),
    ],
)
async def test_answers_map_to_retry_later_or_do_not_retry(
    answer: httpx.Response, error: type[Exception], text: str
) -> None:
    client = client_with(lambda request: answer)
    with pytest.raises(error, match=text) as raised:
        await client.post_incoming(4, "hi", "owncast-1")
    assert TOKEN not in str(raised.value)
    await client.aclose()


async def test_a_timeout_is_retry_later_and_never_shows_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = client_with(handler)
    with pytest.raises(ChatwootUnavailable, match="did not answer in time") as raised:
        await client.messages_after(4, 0)
    assert TOKEN not in str(raised.value) and TOKEN not in repr(client)
    await client.aclose()


async def test_long_content_is_cut_to_chatwoots_limit() -> None:
    bodies: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"id": 1})

    client = client_with(handler)
    await client.post_outgoing(4, "x" * 200_000, private=True)
    assert len(bodies[0]["content"]) == 150_000 and bodies[0]["private"] is True
    await client.aclose()


def test_the_composition_root_gets_a_client_only_once_set_up() -> None:
    from owncastd.chatwoot.factory import client_from_settings
    from owncastd.config.settings import ChatwootSettings

    ready = ChatwootSettings(url="https://cw.test", account_id=1, inbox_id=2, api_token=TOKEN)
    client = client_from_settings(ready)
    assert client is not None and (client.account_id, client.inbox_id) == (1, 2)
    assert client_from_settings(ChatwootSettings(url="https://cw.test", account_id=1)) is None
