"""`ChatwootClient` (the `ChatwootApi` port) against the stand-in Chatwoot behind Prism.

Prism checks every request (and answer) against the seed Swagger, so each test also asserts
that the client used Chatwoot's published API only (`violations() == []`).
"""

from __future__ import annotations

import httpx
import pytest
import trio

from owncastd.chatwoot.api import ChatwootClient
from owncastd.core.chatwoot.ports import ChatwootRejected, ChatwootUnavailable
from tests.chatwoot_standin.fixtures import (  # noqa: F401  (fixtures)
    ChatwootUnderTest,
    chatwoot_fixture,
    chatwoot_session_fixture,
)
from tests.chatwoot_standin.prism import free_port
from tests.e2e.harness import wait_for


def client_for(cw: ChatwootUnderTest, *, inbox: str = "owncast") -> ChatwootClient:
    inbox_id = cw.control("inbox", {"name": inbox})["id"]
    return ChatwootClient(cw.api_url, cw.account_id, inbox_id, cw.token, timeout=5)


async def test_a_viewer_is_one_contact_linked_to_our_inbox(chatwoot: ChatwootUnderTest) -> None:
    client = client_for(chatwoot)
    first = await client.ensure_contact("viewer-7", "Alice")
    again = await client.ensure_contact("viewer-7", "Alice (renamed)")
    # Chatwoot's search matches substrings: a longer identifier is someone else.
    other = await client.ensure_contact("viewer-77", "Bob")
    await client.aclose()

    assert again == first and first[1] == "owncast:viewer-7"
    assert other[0] != first[0]
    contacts = {c["identifier"]: c for c in chatwoot.snapshot()["contacts"]}
    assert sorted(contacts) == ["viewer-7", "viewer-77"]
    links = contacts["viewer-7"]["contact_inboxes"]
    assert [(link["inbox"]["id"], link["source_id"]) for link in links] == [
        (client.inbox_id, "owncast:viewer-7")
    ]
    assert chatwoot.violations() == []


async def test_a_new_viewer_costs_no_contact_search(chatwoot: ChatwootUnderTest) -> None:
    """Chatwoot rate limits `contacts/search` (100 a minute per account): 500 new viewers must
    not need one each; only a contact Chatwoot already has is looked up."""
    client = client_for(chatwoot)
    await client.ensure_contact("viewer-new", "Nell")
    searched = [r for r in chatwoot.snapshot()["requests"] if r.endswith("/contacts/search")]
    assert searched == []
    await client.ensure_contact("viewer-new", "Nell")  # known to Chatwoot: found by search
    searched = [r for r in chatwoot.snapshot()["requests"] if r.endswith("/contacts/search")]
    assert len(searched) == 1
    await client.aclose()
    assert chatwoot.violations() == []


async def test_a_conversation_is_reopened_not_duplicated(chatwoot: ChatwootUnderTest) -> None:
    client = client_for(chatwoot)
    contact_id, source_id = await client.ensure_contact("viewer-1", "Alice")
    conv = await client.open_conversation(contact_id, source_id, None, labels=["owncast"])
    chatwoot.control("resolve", {"conversation_id": conv})
    reopened = await client.open_conversation(contact_id, source_id, conv, labels=["owncast"])
    # A conversation Chatwoot no longer has (deleted): a new one, not an error.
    fresh = await client.open_conversation(contact_id, source_id, 999)
    await client.aclose()

    assert reopened == conv and fresh != conv
    convs = {c["id"]: c for c in chatwoot.snapshot()["conversations"]}
    assert sorted(convs) == sorted({conv, fresh})
    assert convs[conv]["status"] == "open" and convs[conv]["labels"] == ["owncast"]
    assert convs[conv]["source_id"] == source_id
    assert chatwoot.violations() == []


async def test_with_our_bot_on_the_inbox_new_conversations_are_handed_to_the_team(
    chatwoot: ChatwootUnderTest,
) -> None:
    client = client_for(chatwoot)
    state = chatwoot.standin.state
    bot = state.add_bot({"name": "owncast", "outgoing_url": "http://127.0.0.1:9/hook"})
    state.inbox_bot[client.inbox_id] = bot["id"]  # Chatwoot starts these as "bot"
    contact_id, source_id = await client.ensure_contact("viewer-2", "Bea")
    conv = await client.open_conversation(contact_id, source_id, None)
    await client.aclose()
    assert [c["status"] for c in chatwoot.snapshot()["conversations"]] == ["open"]
    assert conv == 1


@pytest.mark.parametrize("overrides", [False, True], ids=["seed", "pending-override"])
async def test_a_new_viewers_first_message_costs_three_calls(
    chatwoot: ChatwootUnderTest, overrides: bool
) -> None:
    """The contact is created with its inbox link (our source_id) and the conversation is
    asked for `open`: contact, conversation, message. A Chatwoot that starts a bot's
    conversations `pending` whatever was asked (v3+) still gets them handed to the team."""
    client = client_for(chatwoot)
    state = chatwoot.standin.state
    state.bot_overrides_status = overrides
    bot = state.add_bot({"name": "owncast", "outgoing_url": "http://127.0.0.1:9/hook"})
    state.inbox_bot[client.inbox_id] = bot["id"]
    before = len(chatwoot.snapshot()["requests"])
    contact_id, source_id = await client.ensure_contact("viewer-9", "Hal")
    conv = await client.open_conversation(contact_id, source_id, None)
    await client.post_incoming(conv, "hello", "owncast-msg-30")
    await client.aclose()

    prefix = f"POST /api/v1/accounts/{chatwoot.account_id}"
    toggle = [f"{prefix}/conversations/{conv}/toggle_status"] if overrides else []
    assert chatwoot.snapshot()["requests"][before:] == [
        f"{prefix}/contacts",
        f"{prefix}/conversations",
        *toggle,
        f"{prefix}/conversations/{conv}/messages",
    ]
    (contact,) = chatwoot.snapshot()["contacts"]
    assert [(x["inbox"]["id"], x["source_id"]) for x in contact["contact_inboxes"]] == [
        (client.inbox_id, "owncast:viewer-9")
    ]
    assert [c["status"] for c in chatwoot.snapshot()["conversations"]] == ["open"]
    assert chatwoot.violations() == []


async def test_messages_in_and_out_and_what_reconcile_reads(chatwoot: ChatwootUnderTest) -> None:
    client = client_for(chatwoot)
    contact_id, source_id = await client.ensure_contact("viewer-3", "Cy")
    conv = await client.open_conversation(contact_id, source_id, None)
    incoming = await client.post_incoming(conv, "hello team", "owncast-msg-1")
    repeat = await client.post_incoming(conv, "hello team", "owncast-msg-1")
    outgoing = await client.post_outgoing(conv, "We got your message")
    note = await client.post_outgoing(conv, "escalated by mod", private=True)
    reply = chatwoot.control(
        "agent_reply",
        {"conversation_id": conv, "content": "see this", "agent_id": 7,
         "attachments": ["http://files.example/a.png"]},
    )  # fmt: skip
    everything = await client.messages_after(conv, 0)
    later = await client.messages_after(conv, outgoing)
    await client.aclose()

    assert repeat == incoming and chatwoot.snapshot()["duplicate_echo_posts"] == 1
    assert [m.id for m in everything] == [incoming, outgoing, note, reply["id"]]
    first, _, private, agent = everything
    assert (first.message_type, first.sender_type, first.content) == (
        "incoming", "contact", "hello team"
    )  # fmt: skip
    assert first.private is False and first.conversation_id == conv
    assert private.private is True  # a note: the bridge never shows it to the viewer
    assert (agent.message_type, agent.sender_type, agent.sender_id) == ("outgoing", "user", 7)
    assert agent.attachments == ("http://files.example/a.png",)
    assert agent.created_at > 0
    assert [m.id for m in later] == [note, reply["id"]]
    stored = chatwoot.snapshot()["conversations"][0]["messages"]
    assert stored[0]["echo_id"] == "owncast-msg-1" and stored[0]["message_type"] == "incoming"
    assert chatwoot.violations() == []


async def test_labels_are_added_to_the_ones_agents_set(chatwoot: ChatwootUnderTest) -> None:
    client = client_for(chatwoot)
    contact_id, source_id = await client.ensure_contact("viewer-4", "Di")
    conv = await client.open_conversation(contact_id, source_id, None, labels=["vip"])
    await client.add_labels(conv, ["escalation", "vip"])
    await client.aclose()
    assert chatwoot.snapshot()["conversations"][0]["labels"] == ["vip", "escalation"]
    assert chatwoot.violations() == []


async def test_failures_map_to_retry_later_or_do_not_retry(chatwoot: ChatwootUnderTest) -> None:
    client = client_for(chatwoot)
    contact_id, source_id = await client.ensure_contact("viewer-5", "Ed")
    conv = await client.open_conversation(contact_id, source_id, None)

    with pytest.raises(ChatwootRejected, match="404"):
        await client.post_incoming(conv + 100, "lost", "owncast-msg-9")
    chatwoot.control("outage", {"seconds": 30})
    with pytest.raises(ChatwootUnavailable, match="503"):
        await client.post_incoming(conv, "during outage", "owncast-msg-10")
    chatwoot.control("reset")
    await client.aclose()

    bad = ChatwootClient(chatwoot.api_url, chatwoot.account_id, 1, "not-the-token")
    with pytest.raises(ChatwootRejected, match=r"401.*Invalid Access Token") as refused:
        await bad.ensure_contact("viewer-5", "Ed")
    assert "not-the-token" not in str(refused.value) and "not-the-token" not in repr(bad)
    await bad.aclose()

    closed = ChatwootClient(f"http://127.0.0.1:{free_port()}", 1, 1, "t", timeout=2)
    with pytest.raises(ChatwootUnavailable, match="unreachable"):
        await closed.post_outgoing(1, "nobody there")
    await closed.aclose()


async def test_prism_refuses_a_request_outside_the_published_api(
    chatwoot: ChatwootUnderTest,
) -> None:
    # The checker checks: a message_type the seed does not list never reaches the stand-in.
    client = client_for(chatwoot)
    contact_id, source_id = await client.ensure_contact("viewer-6", "Flo")
    conv = await client.open_conversation(contact_id, source_id, None)
    await client.aclose()
    async with httpx.AsyncClient() as raw:
        answer = await raw.post(
            f"{chatwoot.api_url}/api/v1/accounts/1/conversations/{conv}/messages",
            json={"content": "x", "message_type": "shout"},
            headers={"api_access_token": chatwoot.token},
        )
    assert answer.status_code == 422 and "message_type" in answer.text
    assert chatwoot.snapshot()["conversations"][0]["messages"] == []
    wait_for(lambda: len(chatwoot.violations()) == 1, 10, "Prism to log the violation")


async def test_reconcile_after_a_long_absence_reads_every_page(
    chatwoot: ChatwootUnderTest,
) -> None:
    client = client_for(chatwoot)
    contact_id, source_id = await client.ensure_contact("viewer-8", "Gus")
    conv = await client.open_conversation(contact_id, source_id, None)
    first = await client.post_incoming(conv, "are you there?", "owncast-msg-20")
    for n in range(44):  # more than two of Chatwoot's 20-message pages
        chatwoot.control("agent_reply", {"conversation_id": conv, "content": f"reply {n}"})
    everything = await client.messages_after(conv, 0)
    since_first = await client.messages_after(conv, first)
    await client.aclose()
    assert [m.content for m in everything] == ["are you there?"] + [f"reply {n}" for n in range(44)]
    assert [m.id for m in since_first] == [m.id for m in everything[1:]]
    assert chatwoot.violations() == []


async def test_the_same_viewer_twice_at_once_is_still_one_contact(
    chatwoot: ChatwootUnderTest,
) -> None:
    client = client_for(chatwoot)
    found: list[tuple[int, str]] = []

    async def ensure() -> None:
        found.append(await client.ensure_contact("viewer-9", "Hal"))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(ensure)
        nursery.start_soon(ensure)
    await client.aclose()
    assert found[0] == found[1] and len(chatwoot.snapshot()["contacts"]) == 1
