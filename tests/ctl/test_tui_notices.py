"""The dashboard at 80×24 with server notices: the ban question fits, `u` on a notice explains
itself and notices show their text (old `<p>…</p>` and Owncast's `<p>…</p>\\n` bodies alike)."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Button, Label, ListView

from owncastctl.tui.screens import ConfirmScreen, UserScreen
from owncastctl.tui.widgets import ChatLine
from tests.ctl.conftest import BOB
from tests.ctl.test_tui import chat, run, settle

LONG_NAME = "a-rather-long-display-name-xyz"  # Owncast allows 30 characters


def notice(kind: str, message_id: str, body: str, *, server: str | None = None) -> dict:
    """A SYSTEM or CHAT_ACTION event; stored ones (history) carry no user."""
    event = {"type": kind, "id": message_id, "timestamp": "2024-05-01T12:00:00Z", "body": body}
    if server is not None:
        event["user"] = {"displayName": server}
    return event


def inside(outer, inner) -> bool:
    """`inner` lies wholly within `outer` (both textual Regions)."""
    return outer.contains_region(inner) if inner.area else True


def test_ban_confirmation_fits_80x24_with_its_buttons():
    async def scenario(app, pilot, source):
        source.events.put_nowait(chat("m1", {**BOB, "displayName": LONG_NAME}, "spam"))
        await settle(pilot, source)
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmScreen) and LONG_NAME in screen.question
        dialog = screen.query_one("ConfirmScreen > Vertical", Widget)
        assert inside(screen.region, dialog.region), (screen.region, dialog.region)
        for widget in dialog.query("*"):
            assert inside(dialog.content_region, widget.region), (widget, widget.region)
        label = dialog.query_one(Label)
        assert label.region.height >= 2  # the question wraps inside the dialog, not cut off
        assert {b.id for b in dialog.query(Button) if b.region.area} == {"yes", "no"}
        await pilot.press("y")
        await pilot.pause()

    source = run(scenario)
    assert ("enabled", "u-bob", False) in source.calls


def test_user_details_on_a_system_line_says_notices_have_no_user():
    notes: list[str] = []

    async def scenario(app, pilot, source):
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        source.events.put_nowait(chat("m1", BOB, "hi"))
        source.events.put_nowait(notice("SYSTEM", "s1", "<p>be nice</p>\n", server="Jam"))
        await settle(pilot, source)
        selected = app.query_one("#chat", ListView).highlighted_child
        assert isinstance(selected, ChatLine) and selected.event["type"] == "SYSTEM"
        for key in ("u", "b", "m"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, (UserScreen, ConfirmScreen))
        assert len(notes) == 3 and all("System messages have no user" in n for n in notes)
        await pilot.press("up", "u")  # a user's message still opens the details
        await pilot.pause()
        assert isinstance(app.screen, UserScreen)

    source = run(scenario)
    assert not [c for c in source.calls if c[0] in ("enabled", "moderator")]


def test_system_and_action_lines_show_their_text_in_both_body_forms():
    async def scenario(app, pilot, source):
        for event in (
            notice("SYSTEM", "s1", "<p>old <strong>form</strong></p>"),
            notice("SYSTEM", "s2", "<p>owncast form</p>\n", server="Jam"),
            notice("SYSTEM", "s3", '<p>see <a href="https://x.example">here</a></p>\n'),
            notice("CHAT_ACTION", "a1", "<p>alice is now a moderator</p>\n"),
        ):
            source.events.put_nowait(event)
        await settle(pilot, source)
        shown = [str(line.query_one("Static").render()) for line in app.query(ChatLine)]
        assert shown[0].endswith("★ old form"), shown
        assert shown[1].endswith("★ Jam: owncast form"), shown
        assert shown[2].endswith("★ see here"), shown
        assert shown[3].endswith("* alice is now a moderator"), shown
        assert not any("?" in line or "<" in line for line in shown), shown

    run(scenario)
