"""The dashboard's chat shows Fediverse engagement (live, and the admin history's stored rows
without a user) as one readable line, once per id; it has no author to ban or hide."""

from __future__ import annotations

from textual.widgets import ListView

from owncastctl.tui.widgets import ChatLine
from tests.ctl.conftest import BOB
from tests.ctl.test_chat_engagement import LIKE_LINE, LIVE_FOLLOW, STORED_LIKE
from tests.ctl.test_tui import chat, run, settle


def test_engagement_lines_in_the_dashboard_chat():
    async def scenario(app, pilot, source):
        for event in (chat("m1", BOB, "hi"), STORED_LIKE, LIVE_FOLLOW, STORED_LIKE):
            source.events.put_nowait(event)
        await settle(pilot, source)
        lines = [c for c in app.query_one("#chat", ListView).children if isinstance(c, ChatLine)]
        texts = [str(line._text()) for line in lines]
        assert len(texts) == 3  # the stored like again (history after a reconnect): once
        assert texts[1].endswith(LIKE_LINE)
        assert texts[2].endswith("⁂ Bob (bob@b.example) followed this stream.")
        assert app.query_one("#chat", ListView).highlighted_child is lines[2]
        for key in ("h", "b", "m"):  # the selected engagement line has no author or message
            await pilot.press(key)
            await pilot.pause()

    source = run(scenario)
    assert not [c for c in source.calls if c[0] in ("visibility", "enabled", "moderator")]
