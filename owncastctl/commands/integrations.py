"""`tokens …` and `webhooks …`: integration access tokens and outgoing webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
import typer
from rich.markup import escape

from owncastctl import api
from owncastctl.chatws import DIGEST_PREFIX, listed_form
from owncastctl.commands import JsonOpt, YesOpt, confirm
from owncastctl.errors import CtlUsageError, ServerRefusedError
from owncastctl.output import when
from owncastctl.state import get_state

tokens_app = typer.Typer(help="Access tokens for bots and integrations.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Outgoing webhooks.", no_args_is_help=True)
SCOPES = ("CAN_SEND_MESSAGES", "CAN_SEND_SYSTEM_MESSAGES", "HAS_ADMIN_ACCESS")
EVENTS = (
    "CHAT",
    "NAME_CHANGE",
    "USER_JOINED",
    "USER_PARTED",
    "STREAM_STARTED",
    "STREAM_STOPPED",
    "STREAM_TITLE_UPDATED",
    "VISIBILITY-UPDATE",
    "FEDIVERSE_ENGAGEMENT_FOLLOW",
)


def _short(token: str) -> str:
    """The first characters of a token, or of its digest (`sha256:1a2b3c4d…`)."""
    keep = len(DIGEST_PREFIX) + 8 if token.startswith(DIGEST_PREFIX) else 6
    return token[:keep] + "…" if len(token) > keep + 2 else token


@tokens_app.command("list")
def tokens_list(
    ctx: typer.Context,
    show_tokens: Annotated[bool, typer.Option(help="Print whole tokens.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Access tokens (shortened unless --show-tokens).

    --json prints GET /api/admin/accesstokens: [{"accessToken", "displayName", "scopes",
    "createdAt", "lastUsedAt"}]. owncastd lists each token as `sha256:` and its digest (the
    token itself is shown once, by `tokens create`); Owncast lists tokens in clear.
    """
    state = get_state(ctx)
    tokens = state.call(api.access_tokens()) or []
    if as_json:
        state.out.json(tokens)
        return
    table = state.out.table("name", "token", "scopes", "created", "last used")
    for token in tokens:
        value = str(token.get("accessToken", ""))
        table.add_row(
            escape(str(token.get("displayName", ""))),
            value if show_tokens else _short(value),
            ", ".join(token.get("scopes") or []),
            when(token.get("createdAt")),
            when(token.get("lastUsedAt")) or "never",
        )
    state.out.show(table)


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The integration's name (shown in chat for bots).")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", "-s", help=f"Repeatable: {', '.join(SCOPES)}."),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Create an access token; it is printed once.

    --json prints the created token object ({"accessToken", "displayName", "scopes", …}).
    """
    state = get_state(ctx)
    scopes = [s.upper() for s in scope]
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise CtlUsageError(f"unknown scope {unknown[0]!r}: use {', '.join(SCOPES)}")
    created = state.call(api.create_token(name, scopes))
    if as_json:
        state.out.json(created)
        return
    state.out.print(str(created.get("accessToken", "")), markup=False)
    state.out.done(f"token {name!r} created with {', '.join(scopes)} (shown once: keep it)")


@tokens_app.command("delete")
def tokens_delete(
    ctx: typer.Context,
    token: Annotated[
        str, typer.Argument(help="The token, its listed sha256: digest, or the integration's name.")
    ],
) -> None:
    """Delete an access token; the integration is refused at once."""
    state = get_state(ctx)
    value = token
    tokens = state.call(api.access_tokens()) or []
    named = [t for t in tokens if t.get("displayName") == token]
    if len(named) > 1:
        raise CtlUsageError(f"{len(named)} tokens are named {token!r}: give the token itself")
    if named:
        value = str(named[0].get("accessToken"))
    elif not any(t.get("accessToken") in (token, listed_form(token)) for t in tokens):
        raise CtlUsageError("no token or integration name matches that")
    state.act(api.delete_token(value), "token deleted")


@webhooks_app.command("list")
def webhooks_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Webhooks and the events they receive.

    --json prints GET /api/admin/webhooks: [{"id", "url", "events", "timestamp", "lastUsed"}].
    """
    state = get_state(ctx)
    hooks = state.call(api.webhooks()) or []
    if as_json:
        state.out.json(hooks)
        return
    table = state.out.table("id", "url", "events", "last used")
    for hook in hooks:
        table.add_row(
            str(hook.get("id", "")),
            escape(str(hook.get("url", ""))),
            ", ".join(hook.get("events") or []),
            when(hook.get("lastUsed")) or "never",
        )
    state.out.show(table)


@webhooks_app.command("create")
def webhooks_create(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Where to POST events (http or https).")],
    event: Annotated[
        list[str], typer.Option("--event", "-e", help=f"Repeatable: {', '.join(EVENTS)}.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Create a webhook for the given events.

    --json prints the created webhook ({"id", "url", "events", …, "secret" when the server
    signs deliveries}).
    """
    state = get_state(ctx)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CtlUsageError(f"the webhook URL must start with http:// or https:// (got {url!r})")
    events = [e.upper() for e in event]
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise CtlUsageError(f"unknown event {unknown[0]!r}: use {', '.join(EVENTS)}")
    created = state.call(api.create_webhook(url, events))
    if as_json:
        state.out.json(created)
        return
    state.out.done(f"webhook {created.get('id', '')} created for {', '.join(events)}")
    if created.get("secret"):
        state.out.print(f"signing secret: {created['secret']}", markup=False)


def _find_hook(hooks: Any, webhook_id: str) -> dict[str, Any]:
    for hook in hooks or []:
        if str(hook.get("id")) == webhook_id:
            return dict(hook)
    raise CtlUsageError(f"no webhook with id {webhook_id} (see `webhooks list`)")


def _id(webhook_id: str) -> int | str:
    return int(webhook_id) if webhook_id.isdigit() else webhook_id


@webhooks_app.command("delete")
def webhooks_delete(
    ctx: typer.Context,
    webhook_id: Annotated[str, typer.Argument(help="The webhook id.")],
    yes: YesOpt = False,
) -> None:
    """Delete a webhook."""
    state = get_state(ctx)
    confirm(f"Delete webhook {webhook_id}?", yes)
    state.act(api.delete_webhook(_id(webhook_id)), f"webhook {webhook_id} deleted")


@webhooks_app.command("test")
def webhooks_test(
    ctx: typer.Context,
    webhook_id: Annotated[str, typer.Argument(help="The webhook id.")],
) -> None:
    """Send a test event to a webhook and report how the receiver answered.

    The daemon sends it when it has a test route; otherwise owncastctl posts a sample event
    itself, from this machine (signed when the server reports the webhook's secret).
    """
    state = get_state(ctx)
    hook = _find_hook(state.call(api.webhooks()), webhook_id)
    try:
        answer = state.call(api.test_webhook(_id(webhook_id)))
    except ServerRefusedError as exc:
        if exc.status != 404:
            raise
    else:
        message = answer.get("message") if isinstance(answer, dict) else None
        state.out.done(str(message or f"test event sent to {hook.get('url')}"))
        return
    status, elapsed = post_sample(hook, state.transport)
    state.out.note("the daemon has no test route: sent a sample event from this machine")
    if 200 <= status < 300:
        state.out.done(f"{hook.get('url')} answered {status} in {elapsed * 1000:.0f} ms")
    else:
        raise ServerRefusedError(f"{hook.get('url')} answered HTTP {status}", status)


def post_sample(
    hook: dict[str, Any], transport: httpx.BaseTransport | None = None
) -> tuple[int, float]:
    """POST a sample event for `hook` (Owncast's envelope); `(status, seconds)`."""
    events = hook.get("events") or ["STREAM_TITLE_UPDATED"]
    now = datetime.now(UTC).isoformat()
    body = json.dumps(
        {"type": events[0], "eventData": {"id": "owncastctl-test", "timestamp": now, "test": True}}
    ).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "owncastctl webhook test"}
    if hook.get("secret"):
        stamp = str(int(time.time()))
        digest = hmac.new(
            str(hook["secret"]).encode(), stamp.encode() + b"." + body, hashlib.sha256
        )
        headers["owncast-signature"] = f"t={stamp}.s={digest.hexdigest()}"
    started = time.monotonic()
    try:
        with httpx.Client(transport=transport, timeout=10) as http:
            response = http.post(str(hook.get("url")), content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise ServerRefusedError(f"{hook.get('url')} did not answer: {type(exc).__name__}") from exc
    return response.status_code, time.monotonic() - started
