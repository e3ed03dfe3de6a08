"""The replay routes owncastctl uses (`/api/admin/replays`) and how it shows replays (the
`replays` commands and the TUI's view)."""

from __future__ import annotations

from typing import Any

from owncastctl.api import Call
from owncastctl.output import duration, when


def admin_replays() -> Call:
    """`{replays: [AdminReplay], recording, problem}`: every replay, newest first."""
    return Call("GET", "/api/admin/replays", what="reading the replays")


def delete_replay(replay_id: str) -> Call:
    """Delete a replay's files and row."""
    return Call("DELETE", f"/api/admin/replays/{replay_id}", what="deleting the replay")


def export_replay(replay_id: str) -> Call:
    """Export a finished replay to MP4 (answers the replay once `replay.mp4` exists)."""
    return Call("POST", f"/api/admin/replays/{replay_id}/export", what="exporting the replay")


def listed(payload: Any) -> list[dict[str, Any]]:
    """The replays of an admin listing (malformed entries left out)."""
    replays = payload.get("replays") if isinstance(payload, dict) else None
    return [r for r in replays or [] if isinstance(r, dict)]


def size(value: Any) -> str:
    """`12.3 MB`."""
    try:
        return f"{int(value) / 1_000_000:.1f} MB"
    except (TypeError, ValueError):
        return "?"


def state(replay: dict[str, Any]) -> str:
    """`recording`, `public`, `hidden` (+ `mp4`)."""
    if replay.get("recording"):
        return "recording"
    shown = "public" if replay.get("published") else "hidden"
    return f"{shown}, mp4" if replay.get("downloadUrl") else shown


def summary_line(replay: dict[str, Any]) -> str:
    """`2026-03-01 18:00  1h 02m 03s  Friday jam  (public)`."""
    length = duration(float(replay.get("duration") or 0))
    return (
        f"{when(replay.get('startedAt'))}  {length}  {replay.get('title', '')}  ({state(replay)})"
    )
