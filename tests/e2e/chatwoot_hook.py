"""Test-only hook the daemon loads through `$OWNCASTD_CHATWOOT_TEST_HOOK` (see
`owncastd.wiring.build_chatwoot`) until the real Chatwoot client and its stand-in server are
merged: the in-memory `FakeChatwoot`, its state saved to `$OWNCASTD_CHATWOOT_TEST_STATE` after
every call (so the test reads it and it survives `kill -9`), and "down" while a file named
`<state>.down` exists."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from owncastd.core.chatwoot.ports import ChatwootMessage
from owncastd.core.chatwoot.settings import ChatwootSettings
from tests.unit.chatwoot.fake_api import FakeChatwoot, FakeConversation

SECRET = "e2e-webhook-secret"


def load_state(path: Path) -> dict[str, Any]:
    """The saved fake Chatwoot (empty before its first call)."""
    if not path.exists():
        return {"ids": 100, "contacts": {}, "conversations": {}}
    state: dict[str, Any] = json.loads(path.read_text())
    return state


class FileChatwoot(FakeChatwoot):
    """`FakeChatwoot` persisted to a JSON file."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        state = load_state(path)
        self._ids = state["ids"]
        self.contacts = {k: tuple(v) for k, v in state["contacts"].items()}  # type: ignore[misc]
        for cid, data in state["conversations"].items():
            messages = [
                ChatwootMessage(**{**m, "attachments": tuple(m["attachments"])})
                for m in data.pop("messages")
            ]
            self.conversations[int(cid)] = FakeConversation(**data, messages=messages)

    def _call(self, name: str) -> None:
        self.down = Path(f"{self.path}.down").exists()
        super()._call(name)

    def _save(self) -> None:
        state = {
            "ids": self._ids,
            "contacts": self.contacts,
            "conversations": {cid: dataclasses.asdict(c) for cid, c in self.conversations.items()},
        }
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.path)

    async def ensure_contact(self, identifier: str, name: str) -> tuple[int, str]:
        try:
            return await super().ensure_contact(identifier, name)
        finally:
            self._save()

    async def open_conversation(self, *args: Any, **kwargs: Any) -> int:
        try:
            return await super().open_conversation(*args, **kwargs)
        finally:
            self._save()

    async def post_incoming(self, conversation_id: int, content: str, echo_id: str) -> int:
        try:
            return await super().post_incoming(conversation_id, content, echo_id)
        finally:
            self._save()

    async def post_outgoing(self, conversation_id: int, content: str, **kwargs: Any) -> int:
        try:
            return await super().post_outgoing(conversation_id, content, **kwargs)
        finally:
            self._save()


def chatwoot_for_tests(data_dir: Path) -> tuple[FileChatwoot, Any]:
    """What `build_chatwoot` asks for: the API and the settings source."""
    api = FileChatwoot(Path(os.environ["OWNCASTD_CHATWOOT_TEST_STATE"]))
    settings = ChatwootSettings(enabled=True, webhook_secret=SECRET, reconcile_seconds=3600)
    return api, lambda: settings
