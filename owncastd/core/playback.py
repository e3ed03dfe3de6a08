"""A player's playback report (`POST /api/metrics/playback`, reference §8.5)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_LIVE_LATENCY = 600.0  # seconds: a larger live latency is not a real player's


@dataclass(frozen=True)
class PlaybackReport:
    """One player's report; zero means "not measured" for the measurements."""

    bandwidth: float = 0.0
    latency: float = 0.0
    download_duration: float = 0.0
    errors: float = 0.0
    quality_variant_changes: float = 0.0
    live_edge_latency: float = 0.0  # owncastd's addition: distance to the playlist's live edge
