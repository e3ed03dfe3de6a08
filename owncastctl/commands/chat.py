"""`chat tail [-f]`, `chat send`, `chat hide|show`: read and moderate chat.

`chat send` posts a system message through the integrations API (Owncast has no admin route
for it): with an access token named ``owncastctl`` holding ``CAN_SEND_SYSTEM_MESSAGES``, created
on first use and reused after (visible in `owncastctl tokens list`).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from websockets.exceptions import InvalidStatus, WebSocketException

from owncastctl import api
from owncastctl.chatws import (
    chat_token,
    format_event,
    is_engagement,
    recent_messages,
    split_frame,
    system_token,
    ws_url,
)
from owncastctl.commands import JsonOpt
from owncastctl.errors import ServerRefusedError, UnreachableError
from owncastctl.state import State, get_state

app = typer.Typer(help="Read, send and moderate chat.", no_args_is_help=True)
MAX_BACKOFF = 15.0


def history(state: State, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` messages (hidden ones included), oldest first."""
    return recent_messages(state.call(api.chat_messages()), limit)


class Tail:
    """Prints chat events once each, as lines or JSON lines."""

    def __init__(self, state: State, *, as_json: bool, ids: bool) -> None:
        self.state = state
        self.as_json = as_json
        self.ids = ids
        self.seen: set[str] = set()

    def emit(self, event: dict[str, Any]) -> None:
        """Print `event` unless this message was printed already."""
        event_id = event.get("id")
        stored = event.get("type", "CHAT") in ("CHAT", "SYSTEM", "CHAT_ACTION")
        if (stored or is_engagement(event)) and event_id:
            if event_id in self.seen:
                return
            self.seen.add(str(event_id))
        if self.as_json:
            self.state.out.json_line(event)
            return
        line = format_event(event, ids=self.ids)
        if line:
            self.state.out.print(line)


@app.command()
def tail(
    ctx: typer.Context,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new events.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many past messages.")] = 20,
    ids: Annotated[bool, typer.Option("--ids", help="Show message ids (for hide/show).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The latest chat messages; with -f, live events too (reconnecting when the link drops).

    --json prints one chat event per line, in Owncast's event shape ({"type", "id",
    "timestamp", "user", "body", "visible"…}).
    """
    state = get_state(ctx)
    printer = Tail(state, as_json=as_json, ids=ids)
    if not follow:
        messages = history(state, limit)
        for message in messages:
            printer.emit(message)
        if not messages and not as_json:
            state.out.note("no chat messages yet")
        return
    try:
        follow_chat(state, printer, limit)
    except KeyboardInterrupt:
        return


def follow_chat(state: State, printer: Tail, limit: int) -> None:
    """Print history then live events until interrupted, reconnecting with backoff.

    History is read after each (re)connection, so nothing said while the socket was being
    opened is lost; messages already printed are not printed again.
    """
    from websockets.sync.client import connect as ws_connect

    connect = state.ws_connect or ws_connect
    client = state.client()
    delay = 1.0
    fresh = False
    first = True
    while True:
        try:
            token = chat_token(client, state.store(), fresh=fresh)
            fresh = False
            with connect(ws_url(client.conn.base, token), open_timeout=10) as socket:
                if not first:
                    state.out.note("chat connection restored")
                elif not printer.as_json:
                    state.out.note(f"following chat at {client.conn.base} (Ctrl-C to stop)")
                for message in history(state, limit):
                    printer.emit(message)
                first = False
                delay = 1.0
                for frame in socket:
                    for event in split_frame(frame):
                        kind = event.get("type")
                        if kind == "ERROR_NEEDS_REGISTRATION":
                            fresh = True
                        elif kind == "ERROR_USER_DISABLED":
                            raise ServerRefusedError(
                                "owncastctl's chat user is banned on this server: find it with "
                                "`owncastctl users search owncastctl` and `users unban ID`"
                            )
                        elif kind != "CONNECTED_USER_INFO":
                            printer.emit(event)
                    if fresh:
                        break
            if fresh:
                continue
            reason = "closed by the server"
        except InvalidStatus as exc:
            if exc.response.status_code == 403:
                raise ServerRefusedError("the chat refused this address (IP banned?)") from exc
            reason = f"HTTP {exc.response.status_code}"
        except (OSError, WebSocketException, UnreachableError) as exc:
            reason = type(exc).__name__
        if not printer.as_json:
            state.out.note(f"chat connection lost ({reason}); reconnecting in {delay:.0f}s")
        time.sleep(delay)
        delay = min(delay * 2, MAX_BACKOFF)


@app.command()
def send(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The message (markdown).")],
    action: Annotated[
        bool, typer.Option("--action", help="Send an action notice instead of a system message.")
    ] = False,
) -> None:
    """Send a message to chat as the server (a SYSTEM message, or an action with --action)."""
    state = get_state(ctx)
    if not text.strip():
        raise typer.BadParameter("the message is empty", param_hint="TEXT")
    token = system_token(state.call, state.store(), state.client().conn.url)
    call = api.chat_action(token, text) if action else api.system_message(token, text)
    state.act(call, "message sent")


def _visibility(ctx: typer.Context, ids: list[str], visible: bool) -> None:
    state = get_state(ctx)
    state.act(
        api.message_visibility(ids, visible),
        f"{len(ids)} message(s) {'shown' if visible else 'hidden'}",
    )


IdsArg = Annotated[list[str], typer.Argument(help="Message ids (see `chat tail --ids`).")]


@app.command()
def hide(ctx: typer.Context, message_ids: IdsArg) -> None:
    """Hide chat messages from everyone."""
    _visibility(ctx, message_ids, False)


@app.command()
def show(ctx: typer.Context, message_ids: IdsArg) -> None:
    """Show hidden chat messages again."""
    _visibility(ctx, message_ids, True)
