"""The daemon's Chatwoot port follows `[chatwoot]`: unavailable (messages stay queued) until
set up, then a real `ChatwootClient` for the settings, rebuilt only when they change."""

from __future__ import annotations

import pytest
import trio

from owncastd.chatwoot.api import ChatwootClient
from owncastd.chatwoot.live import LiveChatwoot
from owncastd.config.settings import ChatwootSettings
from owncastd.core.chatwoot.ports import ChatwootUnavailable


def test_follows_the_settings() -> None:
    current = [ChatwootSettings()]
    live = LiveChatwoot(lambda: current[0])
    with pytest.raises(ChatwootUnavailable, match="not configured"):
        trio.run(live.post_incoming, 1, "hello", "e1")
    current[0] = ChatwootSettings(url="http://127.0.0.1:9", account_id=3, inbox_id=4,
                                  api_token="tok-secret")  # fmt: skip
    first = live.api()
    assert isinstance(first, ChatwootClient)
    assert (first.account_id, first.inbox_id) == (3, 4)
    assert live.api() is first  # unchanged settings: the same client (pooled connections)
    current[0] = ChatwootSettings(url="http://127.0.0.1:9", account_id=3, inbox_id=4,
                                  api_token="tok-other", relay_conversation_id=9)  # fmt: skip
    second = live.api()
    assert second is not first and isinstance(second, ChatwootClient)
    assert "tok-" not in repr(live)
