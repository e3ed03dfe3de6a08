"""`chatwoot setup|status`: connect the Chatwoot bridge (issue 15) and check on it.

The Chatwoot access token is read from a file (`--token-file`, `-` for stdin), never taken on
the command line (it would show in `ps` and the shell history); it goes to the daemon in the
request body only, and is never printed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl.api import Call
from owncastctl.commands import JsonOpt
from owncastctl.errors import CtlUsageError
from owncastctl.state import get_state

app = typer.Typer(help="The Chatwoot bridge: set it up, check on it.", no_args_is_help=True)
SETUP_PATH = "/api/admin/chatwoot/setup"
STATUS_PATH = "/api/admin/chatwoot/status"
MAX_TOKEN_BYTES = 512


def read_token(path: str) -> str:
    """The token in `path` (`-`: stdin), surrounding whitespace removed."""
    try:
        raw = sys.stdin.read(MAX_TOKEN_BYTES + 1) if path == "-" else Path(path).read_text()
    except OSError as exc:
        raise CtlUsageError(f"cannot read --token-file {path}: {exc.strerror or exc}") from None
    token = raw.strip()
    if not token or len(token) > MAX_TOKEN_BYTES or any(ch.isspace() for ch in token):
        raise CtlUsageError(
            f"--token-file {path} must hold one Chatwoot access token (no spaces, at most "
            f"{MAX_TOKEN_BYTES} characters)"
        )
    return token


@app.command("setup")
def setup(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Option("--url", help="Chatwoot's base URL, e.g. https://cw.example.")
    ],
    account: Annotated[int, typer.Option("--account", min=1, help="Chatwoot account id.")],
    token_file: Annotated[
        str, typer.Option("--token-file", help="File holding an admin's access token (- = stdin).")
    ],
    inbox_name: Annotated[
        str, typer.Option("--inbox-name", help="API inbox to create or reuse.")
    ] = "owncast",
    server_url: Annotated[
        str | None,
        typer.Option("--server-url", help="This server's public URL (default: server.url)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the token, create or reuse the API inbox and agent bot, write [chatwoot].

    --json prints POST /api/admin/chatwoot/setup's answer: {"inboxId", "inboxCreated",
    "agentBotId", "agentBotCreated", "webhookUrl"} (the webhook secret elided).
    """
    state = get_state(ctx)
    body = {"url": url, "accountId": account, "token": read_token(token_file),
            "inboxName": inbox_name}  # fmt: skip
    if server_url:
        body["serverUrl"] = server_url
    done = state.call(Call("POST", SETUP_PATH, json=body, what="setting up Chatwoot")) or {}
    if as_json:
        state.out.json(done)
        return
    inbox = "created" if done.get("inboxCreated") else "reused"
    bot = "created" if done.get("agentBotCreated") else "reused"
    state.out.done(
        f"Chatwoot set up: inbox {done.get('inboxId')} ({inbox}), agent bot "
        f"{done.get('agentBotId')} ({bot}), webhook {escape(str(done.get('webhookUrl', '')))}"
    )


def _yes_no(value: Any) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


@app.command("status")
def status(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Configured?, reachable (checked now), queued messages, last error.

    --json prints GET /api/admin/chatwoot/status: {"configured", "enabled", "url", "accountId",
    "inboxId", "agentBotId", "reachable", "reachError", "bridgeRunning", "queued",
    "lastError"}; reachable is null when not configured, queued/lastError null while the
    bridge is not running.
    """
    state = get_state(ctx)
    found = state.call(Call("GET", STATUS_PATH, what="reading the Chatwoot status")) or {}
    if as_json:
        state.out.json(found)
        return
    table = state.out.table("", "", title="Chatwoot bridge")
    table.add_row("configured", _yes_no(found.get("configured")))
    table.add_row("enabled", _yes_no(found.get("enabled")))
    table.add_row("url", escape(str(found.get("url") or "—")))
    table.add_row("account / inbox / bot", f"{found.get('accountId')} / {found.get('inboxId')} "
                  f"/ {found.get('agentBotId')}")  # fmt: skip
    reach = _yes_no(found.get("reachable"))
    if found.get("reachError"):
        reach += f" ({escape(str(found['reachError']))})"
    table.add_row("reachable", reach)
    queued = found.get("queued")
    table.add_row("queued", "bridge not running" if queued is None else str(queued))
    table.add_row("last error", escape(str(found.get("lastError") or "none")))
    state.out.show(table)
