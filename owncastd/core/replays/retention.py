"""Which replays retention deletes: older than the age limit, then the oldest until the rest
fit the size limit. A replay still recording is never chosen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from owncastd.core.replays.models import Replay


def expired(
    replays: Sequence[Replay], now: datetime, *, max_age_days: int, max_total_bytes: int
) -> list[Replay]:
    """The replays to delete, oldest first (0 for a limit: no limit)."""
    finished = sorted((r for r in replays if not r.recording), key=lambda r: r.started_at)
    chosen: list[Replay] = []
    if max_age_days > 0:
        cutoff = now - timedelta(days=max_age_days)
        chosen = [r for r in finished if r.started_at < cutoff]
    if max_total_bytes > 0:
        kept = [r for r in finished if r not in chosen]
        total = sum(r.size_bytes for r in replays if r.recording) + sum(r.size_bytes for r in kept)
        for replay in kept:
            if total <= max_total_bytes:
                break
            chosen.append(replay)
            total -= replay.size_bytes
    return sorted(chosen, key=lambda r: r.started_at)


def recorded_variants(mode: str, bitrates: Sequence[tuple[bool, int]]) -> tuple[int, ...]:
    """The live variant indexes a recording keeps: none ("off"), every one ("all"), or the
    source quality ("source": a passthrough variant, else the highest bitrate), from each
    variant's (passthrough, video bitrate)."""
    if mode == "off" or not bitrates:
        return ()
    if mode == "all":
        return tuple(range(len(bitrates)))
    for index, (passthrough, _) in enumerate(bitrates):
        if passthrough:
            return (index,)
    return (max(range(len(bitrates)), key=lambda i: bitrates[i][1]),)
