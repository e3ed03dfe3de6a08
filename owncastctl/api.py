"""Every owncastd route owncastctl uses, as plain request descriptions.

A :class:`Call` says what to send; :class:`owncastctl.client.Client` (sync, the CLI) and
:class:`owncastctl.client.AsyncClient` (async, the TUI) send it. Paths and bodies follow Owncast's
API (reference §1.4–1.7), so owncastctl also works against Owncast itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Auth = Literal["admin", "none", "bearer"]


@dataclass(frozen=True)
class Call:
    """One HTTP request: method, path, JSON body or query, and which credentials it needs."""

    method: str
    path: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    auth: Auth = "admin"
    token: str | None = None
    what: str = ""  # what the request does, for spinners and error messages

    @property
    def label(self) -> str:
        """A short description such as ``GET /api/admin/status``."""
        return self.what or f"{self.method} {self.path}"


def _get(path: str, what: str = "", **params: str) -> Call:
    return Call("GET", path, params=params, what=what)


def _post(path: str, body: Any, what: str = "") -> Call:
    return Call("POST", path, json=body, what=what)


# Public (no auth)
def public_status() -> Call:
    """`/api/status`: online, viewers, title, version."""
    return Call("GET", "/api/status", auth="none", what="reading the public status")


def emoji_list() -> Call:
    """`/api/emoji`: `[{name, url}]`."""
    return Call("GET", "/api/emoji", auth="none", what="listing emoji")


def chat_register(display_name: str) -> Call:
    """Register a chat user (for following chat over the websocket)."""
    return Call("POST", "/api/chat/register", json={"displayName": display_name}, auth="none")


# Admin reads
def admin_status() -> Call:
    """`/api/admin/status`: broadcaster, health, peaks."""
    return _get("/api/admin/status", "reading the status")


def daemon_status() -> Call:
    """owncastd's own `/api/admin/daemon`: health parts, problems, keys waiting for a restart."""
    return _get("/api/admin/daemon", "reading the daemon's health")


def server_config() -> Call:
    """`/api/admin/serverconfig`: every setting."""
    return _get("/api/admin/serverconfig", "reading the configuration")


def hardware_stats() -> Call:
    """`{cpu, memory, disk}`, each `[{time, value}]`."""
    return _get("/api/admin/hardwarestats", "reading hardware stats")


def cluster_status() -> Call:
    """`/api/admin/cluster`: an origin's Redis health and live edges (issue 18)."""
    return _get("/api/admin/cluster", "reading the cluster status")


def video_metrics() -> Call:
    """`/api/admin/metrics/video`: playback health; owncastd adds `liveLatency` (p50/p95)."""
    return _get("/api/admin/metrics/video", "reading playback metrics")


def viewers() -> Call:
    """Active viewers."""
    return _get("/api/admin/viewers", "listing viewers")


def viewers_over_time(window_start: int) -> Call:
    """Viewer counts since `window_start` (unix seconds)."""
    return _get(
        "/api/admin/viewersOverTime", "reading viewers over time", windowStart=str(window_start)
    )


def chat_clients() -> Call:
    """Connected chat clients."""
    return _get("/api/admin/chat/clients", "listing chat clients")


def chat_messages() -> Call:
    """Every chat message, hidden ones included, newest first."""
    return _get("/api/admin/chat/messages", "reading chat")


def logs(*, warnings: bool = False) -> Call:
    """The daemon's in-memory log buffer (`[{message, level, time}]`)."""
    return _get("/api/admin/logs/warnings" if warnings else "/api/admin/logs", "reading logs")


def users(*, search: str = "", status: str = "", offset: int = 0, limit: int = 50) -> Call:
    """`{total, results}`, newest first."""
    params = {"offset": str(offset), "limit": str(limit)}
    if search:
        params["search"] = search
    if status:
        params["status"] = status
    return Call("GET", "/api/admin/users", params=params, what="listing users")


def ip_bans() -> Call:
    """`[{ipAddress, notes, createdAt}]`."""
    return _get("/api/admin/chat/users/ipbans", "listing IP bans")


def access_tokens() -> Call:
    """Integration access tokens."""
    return _get("/api/admin/accesstokens", "listing access tokens")


def webhooks() -> Call:
    """Outgoing webhooks."""
    return _get("/api/admin/webhooks", "listing webhooks")


# Admin actions
def set_config(path: str, value: Any) -> Call:
    """`POST /api/admin/config/<path>` with `{"value": value}`."""
    return _post(f"/api/admin/config/{path}", {"value": value}, f"setting {path}")


def reload_config() -> Call:
    """Re-read owncast.toml (owncastd's own route; SIGHUP does the same)."""
    return _post("/api/admin/config/reload", None, "reloading the configuration")


def disconnect() -> Call:
    """Drop the inbound RTMP stream."""
    return _get("/api/admin/disconnect", "disconnecting the broadcaster")


def message_visibility(ids: list[str], visible: bool) -> Call:
    """Hide or show chat messages."""
    return _post("/api/admin/chat/messagevisibility", {"idArray": ids, "visible": visible})


def set_user_enabled(user_id: str, enabled: bool) -> Call:
    """Unban (True) or ban (False) a chat user."""
    return _post("/api/admin/chat/users/setenabled", {"userId": user_id, "enabled": enabled})


def set_moderator(user_id: str, is_moderator: bool) -> Call:
    """Grant or remove the MODERATOR scope."""
    return _post(
        "/api/admin/chat/users/setmoderator", {"userId": user_id, "isModerator": is_moderator}
    )


def delete_user(user_id: str) -> Call:
    """Delete a user and their data."""
    return _post("/api/admin/users/delete", {"userId": user_id})


def ban_ip(address: str) -> Call:
    """Add an IP ban."""
    return _post("/api/admin/chat/users/ipbans/create", {"value": address})


def unban_ip(address: str) -> Call:
    """Remove an IP ban."""
    return _post("/api/admin/chat/users/ipbans/remove", {"value": address})


def create_token(name: str, scopes: list[str]) -> Call:
    """Create an integration access token."""
    return _post("/api/admin/accesstokens/create", {"name": name, "scopes": scopes})


def delete_token(token: str) -> Call:
    """Delete an access token."""
    return _post("/api/admin/accesstokens/delete", {"token": token})


def create_webhook(url: str, events: list[str]) -> Call:
    """Create a webhook."""
    return _post("/api/admin/webhooks/create", {"url": url, "events": events})


def delete_webhook(webhook_id: int | str) -> Call:
    """Delete a webhook."""
    return _post("/api/admin/webhooks/delete", {"id": webhook_id})


def test_webhook(webhook_id: int | str) -> Call:
    """Ask the daemon to send a test event (owncastd route; 404 on servers without it)."""
    return _post("/api/admin/webhooks/test", {"id": webhook_id})


def upload_emoji(name: str, data_uri: str) -> Call:
    """Add a custom emoji from a data URI."""
    return _post("/api/admin/emoji/upload", {"name": name, "data": data_uri})


def delete_emoji(name: str) -> Call:
    """Remove a custom emoji."""
    return _post("/api/admin/emoji/delete", {"name": name})


# Integrations (bearer token)
def system_message(token: str, body: str) -> Call:
    """A SYSTEM chat message, sent with a CAN_SEND_SYSTEM_MESSAGES token."""
    return Call(
        "POST", "/api/integrations/chat/system", json={"body": body}, auth="bearer", token=token
    )


def chat_action(token: str, body: str) -> Call:
    """A CHAT_ACTION notice, sent with a CAN_SEND_SYSTEM_MESSAGES token."""
    return Call(
        "POST", "/api/integrations/chat/action", json={"body": body}, auth="bearer", token=token
    )


def config_keys() -> Call:
    """owncastd's `/api/admin/config/keys`: every key, its type, setter and when it applies."""
    return _get("/api/admin/config/keys", "reading the list of settings")


# Scheduled events and the favicon (Owncast develop §5.1–5.2)
def admin_schedule() -> Call:
    """`{series, events}`: every series and the events from 3 months ago to 2 months ahead."""
    return _get("/api/admin/schedule", "reading the schedule")


def upsert_event(body: dict[str, Any]) -> Call:
    """Create (no `id`) or update an event or a series; answers the admin schedule."""
    return _post("/api/admin/schedule/event", body, "saving the scheduled event")


def delete_event(item_id: str, *, cancel: bool) -> Call:
    """Cancel (keep as cancelled / make a series inactive) or delete an event or a series."""
    what = "cancelling" if cancel else "deleting"
    return _post(
        "/api/admin/schedule/event/delete", {"id": item_id, "cancel": cancel}, f"{what} {item_id}"
    )


def preview_recurrence(recurrence: str) -> Call:
    """`{occurrences}`: the next 5 instants of a DTSTART;TZID + RRULE recurrence."""
    return _post(
        "/api/admin/schedule/preview", {"recurrence": recurrence}, "previewing the recurrence"
    )


def set_favicon(data_uri: str) -> Call:
    """Upload the favicon (a PNG or ICO data URI)."""
    return _post("/api/admin/config/favicon", {"value": data_uri}, "uploading the favicon")


def reset_favicon() -> Call:
    """Go back to the default favicon."""
    return Call("DELETE", "/api/admin/config/favicon", what="resetting the favicon")
