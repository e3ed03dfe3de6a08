"""A replay: one recorded broadcast, as the store keeps it and the routes show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from owncastd.core.chat.models import rfc3339
from owncastd.errors import OwncastdError

MODES = ("off", "source", "all")


class ExportError(OwncastdError):
    """ffmpeg could not export a replay (its message says why)."""


class BusyError(OwncastdError):
    """The work asked for is already running (one clip is cut at a time)."""


@dataclass(frozen=True)
class Replay:
    """One recording. `ended_at` is None while it is being recorded."""

    id: str
    title: str
    started_at: datetime
    ended_at: datetime | None = None
    duration: float = 0.0  # seconds of video listed in its playlists (the longest variant)
    peak_viewers: int = 0
    variants: tuple[int, ...] = ()  # the live variant indexes recorded (directories 0..n-1)
    size_bytes: int = 0
    published: bool = True  # shown publicly when `[replays] public` is on
    thumbnail: bool = False
    mp4: bool = False  # an exported `replay.mp4` exists

    @property
    def recording(self) -> bool:
        """True while the broadcast is still being recorded."""
        return self.ended_at is None


def public_json(replay: Replay) -> dict[str, object]:
    """What `GET /api/replays` shows of a replay (camelCase, as Owncast's API)."""
    base = f"/replays/{replay.id}"
    return {
        "id": replay.id,
        "title": replay.title,
        "startedAt": _iso(replay.started_at),
        "endedAt": _iso(replay.ended_at),
        "duration": round(replay.duration, 3),
        "peakViewers": replay.peak_viewers,
        "playlistUrl": f"{base}/stream.m3u8",
        "thumbnailUrl": f"{base}/thumbnail.jpg" if replay.thumbnail else None,
        "downloadUrl": f"{base}/replay.mp4" if replay.mp4 else None,
    }


def admin_json(replay: Replay) -> dict[str, object]:
    """What the admin routes show: the public fields plus size, state and visibility."""
    return {
        **public_json(replay),
        "recording": replay.recording,
        "published": replay.published,
        "variants": len(replay.variants),
        "sizeBytes": replay.size_bytes,
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else rfc3339(value)
