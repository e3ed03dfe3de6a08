"""Outgoing webhooks, the pure part (reference §4): event types, the stored webhook, URL
checks, Owncast's envelope and `eventData` shapes, and the `owncast-signature` header.

Delivery (queue, HTTP, retries) lives in `owncastd.webhooks`; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from owncastd.core.chat.events import ChatMessageSent, NameChanged, UserJoined, VisibilityChanged
from owncastd.core.chat.models import ChatMessage, ChatUser, rfc3339

if TYPE_CHECKING:
    from owncastd.core.stream import Stream

CHAT = "CHAT"
NAME_CHANGE = "NAME_CHANGE"
USER_JOINED = "USER_JOINED"
USER_PARTED = "USER_PARTED"
STREAM_STARTED = "STREAM_STARTED"
STREAM_STOPPED = "STREAM_STOPPED"
STREAM_TITLE_UPDATED = "STREAM_TITLE_UPDATED"
VISIBILITY_UPDATE = "VISIBILITY-UPDATE"
FEDIVERSE_ENGAGEMENT_FOLLOW = "FEDIVERSE_ENGAGEMENT_FOLLOW"
EVENT_TYPES = (
    CHAT,
    NAME_CHANGE,
    USER_JOINED,
    USER_PARTED,
    STREAM_STARTED,
    STREAM_STOPPED,
    STREAM_TITLE_UPDATED,
    VISIBILITY_UPDATE,
    FEDIVERSE_ENGAGEMENT_FOLLOW,
)
STREAM_EVENTS = (STREAM_STARTED, STREAM_STOPPED, STREAM_TITLE_UPDATED)
SIGNATURE_HEADER = "owncast-signature"
MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class Webhook:
    """One `webhooks` row: where to POST which events, signed with `secret`."""

    id: int
    url: str
    events: tuple[str, ...]
    secret: str
    created_at: datetime
    last_used: datetime | None = None

    def wants(self, event_type: str) -> bool:
        """True when this webhook subscribed to `event_type`."""
        return event_type in self.events

    @property
    def host(self) -> str:
        """The receiver's host, for logs (the URL itself may carry a secret path or query)."""
        return urllib.parse.urlsplit(self.url).hostname or "?"

    def to_json(self) -> dict[str, Any]:
        """`{id, url, events, timestamp, lastUsed, secret}` (admin only: it holds the secret)."""
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "timestamp": rfc3339(self.created_at),
            "lastUsed": rfc3339(self.last_used) if self.last_used else None,
            "secret": self.secret,
        }


def webhook_url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook URL, or None: http(s) with a host only; no credentials,
    spaces, control characters or backslashes."""
    if not url:
        return "must not be empty"
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters (got {len(url)})"
    if any(ord(c) <= 0x20 or ord(c) == 0x7F or 0x80 <= ord(c) <= 0x9F for c in url):
        return "must not contain spaces or control characters"
    if "\\" in url:
        return "must not contain backslashes"
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL (bad host or port)"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if "@" in parts.netloc:
        return "must not contain a user name or password"
    if not parts.hostname:
        return "must name a host"
    if port == 0:
        return "must not use port 0"
    return None


def unknown_events(events: list[str]) -> list[str]:
    """The entries of `events` that are not webhook event types (§4.1)."""
    return [event for event in events if event not in EVENT_TYPES]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `owncast-signature` value: `t=<unix>.s=<hex HMAC-SHA256(secret, "<t>." + body)>`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp}.s={digest.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver checks: the HMAC matches and `t` is within `tolerance` seconds."""
    try:
        stamp_part, sig_part = header.split(".", 1)
        if not stamp_part.startswith("t=") or not sig_part.startswith("s="):
            return False
        stamp = int(stamp_part[2:])
    except ValueError:
        return False
    if abs(now - stamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), header)


def status_block(
    *,
    online: bool,
    viewer_count: int,
    overall_max_viewer_count: int,
    session_max_viewer_count: int,
    last_connect_time: datetime | None,
    last_disconnect_time: datetime | None,
    version: str,
    stream_title: str,
) -> dict[str, Any]:
    """Owncast's `status` object, which every `eventData` carries (§4.2)."""
    return {
        "online": online,
        "viewerCount": viewer_count,
        "overallMaxViewerCount": overall_max_viewer_count,
        "sessionMaxViewerCount": session_max_viewer_count,
        "lastConnectTime": rfc3339(last_connect_time) if last_connect_time else None,
        "lastDisconnectTime": rfc3339(last_disconnect_time) if last_disconnect_time else None,
        "versionNumber": version,
        "streamTitle": stream_title,
    }


def current_status_block(
    stream: Stream, viewer_count: int, *, version: str, stream_title: str
) -> dict[str, Any]:
    """`status_block` of the stream as it is now (`viewer_count` counts only while online)."""
    stats, online = stream.stats, stream.online
    return status_block(
        online=online,
        viewer_count=viewer_count if online else 0,
        overall_max_viewer_count=stats.overall_peak_viewers,
        session_max_viewer_count=stats.session_peak_viewers,
        last_connect_time=stats.last_connect_time,
        last_disconnect_time=stats.last_disconnect_time,
        version=version,
        stream_title=stream_title,
    )


def stream_event_data(
    event_id: str, at: datetime, *, name: str, summary: str, stream_title: str
) -> dict[str, Any]:
    """STREAM_STARTED / STREAM_STOPPED / STREAM_TITLE_UPDATED: `{id, name, summary,
    streamTitle, timestamp}` (the envelope adds `status` and `serverURL`)."""
    return {
        "id": event_id,
        "name": name,
        "summary": summary,
        "streamTitle": stream_title,
        "timestamp": rfc3339(at),
    }


def envelope(
    event_type: str, data: Mapping[str, Any], *, status: dict[str, Any], server_url: str
) -> dict[str, Any]:
    """`{"type", "eventData"}` with `status` and `serverURL` (omitted when empty) added;
    FEDIVERSE_ENGAGEMENT_FOLLOW never carries `status`."""
    event_data: dict[str, Any] = {}
    if event_type != FEDIVERSE_ENGAGEMENT_FOLLOW:
        event_data["status"] = status
    if server_url:
        event_data["serverURL"] = server_url
    event_data.update(data)
    return {"type": event_type, "eventData": event_data}


def encode(document: dict[str, Any]) -> bytes:
    """The request body: compact UTF-8 JSON."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def sample_event_data(
    event_type: str, event_id: str, at: datetime, *, name: str, summary: str, stream_title: str
) -> dict[str, Any]:
    """A made-up event of `event_type` with the real shape, for `POST /api/admin/webhooks/test`."""
    if event_type in STREAM_EVENTS:
        return stream_event_data(
            event_id, at, name=name, summary=summary, stream_title=stream_title
        )
    user = ChatUser(
        id="owncastd-test",
        display_name="owncastd test",
        display_color=0,
        created_at=at,
        previous_names=("owncastd test",),
        is_bot=True,
    )
    if event_type == CHAT:
        text = "A test event from owncastd."
        message = ChatMessage(event_id, CHAT, f"<p>{text}</p>", at, user=user, raw_body=text)
        return ChatMessageSent(message).event_data()
    if event_type == NAME_CHANGE:
        return NameChanged(event_id, at, user, user.display_name, 0).event_data()
    if event_type == VISIBILITY_UPDATE:
        return VisibilityChanged(event_id, at, (), True).event_data()
    if event_type == FEDIVERSE_ENGAGEMENT_FOLLOW:
        return {
            "id": event_id,
            "timestamp": rfc3339(at),
            "name": "owncastd test",
            "username": "test@example.invalid",
            "image": "",
        }
    return UserJoined(event_id, at, user, 0).event_data()  # USER_PARTED has the same shape
