"""Following chat: the websocket URL, frame splitting, owncastctl's chat identity, formatting.

To receive live events owncastctl connects to ``/ws`` like a viewer's browser, as a chat user
named ``terminal`` that it registers once per server (``POST /api/chat/register``) and whose
token it keeps in the credentials file. It never sends on that socket. Owncast batches several
events into one frame separated by newlines (reference §2.1), so frames are split before parsing.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from rich.markup import escape

from owncastctl import api
from owncastctl.client import Client
from owncastctl.credentials import CredentialStore
from owncastctl.output import clock, plain_text

CHAT_NAME = "terminal"  # names containing "owncast" or "admin" are refused by the daemon
# Owncast's displayColor is an index 0..7 into the theme palette; these are close terminal colours.
COLORS = ("red", "dark_orange", "yellow", "green", "cyan", "blue", "magenta", "orchid")
TOKEN_NAME = "owncastctl"
SYSTEM_SCOPE = "CAN_SEND_SYSTEM_MESSAGES"
DIGEST_PREFIX = "sha256:"  # owncastd lists tokens by digest; Owncast lists them in clear
ENGAGEMENT = "FEDIVERSE_ENGAGEMENT_"
ENGAGED = {"FOLLOW": "followed this stream.", "LIKE": "liked a post.", "REPOST": "shared a post."}


def ws_url(base: str, token: str) -> str:
    """`ws(s)://host/ws?accessToken=…` for the daemon at `base`."""
    parts = urllib.parse.urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = parts.path.rstrip("/") + "/ws"
    query = urllib.parse.urlencode({"accessToken": token})
    return urllib.parse.urlunsplit((scheme, parts.netloc, path, query, ""))


def split_frame(frame: str | bytes) -> list[dict[str, Any]]:
    """The events in one websocket frame (newline-separated JSON; junk lines are skipped)."""
    text = frame.decode(errors="replace") if isinstance(frame, bytes) else frame
    events = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


def recent_messages(answer: Any, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` messages of `GET /api/admin/chat/messages`, oldest first."""
    messages = [m for m in answer if isinstance(m, dict)] if isinstance(answer, list) else []
    messages.sort(key=lambda m: str(m.get("timestamp", "")))
    return messages[-limit:] if limit > 0 else []


def chat_token(client: Client, store: CredentialStore, *, fresh: bool = False) -> str:
    """owncastctl's chat token on this server, registering the `owncastctl` user when needed."""
    url = client.conn.url
    if not fresh:
        token = store.chat_token(url)
        if token:
            return token
    answer = client.send(api.chat_register(CHAT_NAME))
    token = str(answer["accessToken"])
    store.save_chat_token(url, token)
    return token


def listed_form(token: str) -> str:
    """How owncastd's token list names `token`: `sha256:` and its hex digest."""
    return DIGEST_PREFIX + hashlib.sha256(token.encode()).hexdigest()


def find_system_token(tokens: Any, known: str | None = None) -> str | None:
    """owncastctl's own system-message token among `GET /api/admin/accesstokens`, if usable.

    `known` (the token saved client-side) is usable while the list still shows it, in clear or
    as its digest. A token listed in clear (Owncast, older owncastd) is usable as listed.
    """
    for entry in tokens if isinstance(tokens, list) else []:
        if (
            isinstance(entry, dict)
            and entry.get("displayName") == TOKEN_NAME
            and SYSTEM_SCOPE in (entry.get("scopes") or [])
            and entry.get("accessToken")
        ):
            value = str(entry["accessToken"])
            if known and value in (known, listed_form(known)):
                return known
            if not value.startswith(DIGEST_PREFIX):
                return value
    return None


def system_token(send: Callable[[api.Call], Any], store: CredentialStore, url: str) -> str:
    """An access token allowed to send system messages: owncastctl's own, created once and
    kept in the credentials file (owncastd shows a token only when it is created)."""
    known = store.system_token(url)
    token = find_system_token(send(api.access_tokens()), known)
    if token is None:
        token = str(send(api.create_token(TOKEN_NAME, [SYSTEM_SCOPE]))["accessToken"])
    if token != known:
        store.save_system_token(url, token)
    return token


def user_label(user: Any) -> str:
    """`name [mod] [bot]` in the user's colour (rich markup)."""
    if not isinstance(user, dict):
        return "[bold]?[/]"
    name = escape(str(user.get("displayName") or "?"))
    color = user.get("displayColor")
    style = COLORS[color % len(COLORS)] if isinstance(color, int) else "white"
    badges = ""
    if "MODERATOR" in (user.get("scopes") or []):
        badges += " [black on green] mod [/]"
    if user.get("isBot"):
        badges += " [black on cyan] bot [/]"
    return f"[bold {style}]{name}[/]{badges}"


def format_event(event: dict[str, Any], *, ids: bool = False) -> str | None:
    """One line (rich markup) for a chat event, or None for events not worth showing."""
    kind = event.get("type", "CHAT")
    at = f"[dim]{clock(event.get('timestamp'))}[/] "
    body = escape(plain_text(str(event.get("body") or "")))
    suffix = f"  [dim]{escape(str(event.get('id', '')))}[/]" if ids else ""
    user = event.get("user")
    name = escape(str(user.get("displayName"))) if isinstance(user, dict) else "?"
    if kind == "CHAT":
        hidden = event.get("visible") is False or bool(event.get("hiddenAt"))
        text = f"[dim strike]{body}[/] [dim](hidden)[/]" if hidden else body
        return f"{at}{user_label(user)}: {text}{suffix}"
    if kind == "SYSTEM":  # stored ones (history) carry no user: the text alone
        sender = f"★ {name}:" if isinstance(user, dict) and user.get("displayName") else "★"
        return f"{at}[bold magenta]{sender}[/] {body}{suffix}"
    if kind == "CHAT_ACTION":
        return f"{at}[italic]* {body}[/]{suffix}"
    if kind == "USER_JOINED":
        return f"{at}[dim]→ {name} joined[/]"
    if kind == "USER_PARTED":
        return f"{at}[dim]← {name} left[/]"
    if kind == "NAME_CHANGE":
        return f"{at}[dim]{escape(str(event.get('oldName', '?')))} is now {name}[/]"
    if kind == "VISIBILITY-UPDATE":
        count = len(event.get("ids") or [])
        state = "shown" if event.get("visible") else "hidden"
        listed = escape(", ".join(map(str, event.get("ids") or [])))
        return f"{at}[dim]{count} message(s) {state}: {listed}[/]"
    if is_engagement(event):
        return f"{at}{engagement_text(event)}{suffix}"
    return None


def is_engagement(event: dict[str, Any]) -> bool:
    """A Fediverse follow/like/boost (live, or kept in the admin history without a user)."""
    return str(event.get("type", "")).startswith(ENGAGEMENT)


def engagement_text(event: dict[str, Any]) -> str:
    """`⁂ Alice (alice@host) liked a post from X.` (rich markup): the body is the actor's name,
    two spaces and what they did; `title` is their account."""
    account = plain_text(str(event.get("title") or ""))
    raw = str(event.get("body") or "")
    name, sep, rest = raw.partition("  ")
    who, text = (plain_text(name), plain_text(rest)) if sep else ("", plain_text(raw))
    kind = str(event.get("type", "")).removeprefix(ENGAGEMENT)
    text = text or ENGAGED.get(kind, "engaged with this stream.")
    label = f"{who} ({account})" if who and account else who or account or "someone"
    return f"[cyan]⁂ {escape(label)}[/] {escape(text)}"
