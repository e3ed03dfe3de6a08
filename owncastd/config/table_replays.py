"""Settings table: replays (`[replays]`, issue 14). File-only keys (no Owncast setter: Owncast
has none); recordings are managed at `/api/admin/replays`."""

from __future__ import annotations

from owncastd.config import checks as c
from owncastd.config.setting import NEXT, Setting, entry
from owncastd.core.replays.models import MODES


def _mode(value: str) -> str | None:
    if value in MODES:
        return None
    return f"must be one of {', '.join(MODES)} (got {value!r})"


REPLAYS: tuple[Setting, ...] = (
    entry(
        "replays.mode",
        'Record each broadcast: "off", "source" (the best variant) or "all" variants',
        check=_mode,
        applies=NEXT,
    ),
    entry("replays.public", "Let viewers list and watch published replays"),
    entry(
        "replays.max_age_days",
        "Delete replays older than this many days (0: keep them)",
        check=c.int_range(0, 36500),
    ),
    entry(
        "replays.max_total_mb",
        "Delete the oldest replays while all of them take more MB than this (0: no limit)",
        check=c.int_range(0, 1 << 40),
    ),
    entry(
        "replays.min_free_mb",
        "Stop recording (not the live stream) when the disk has less free MB than this",
        check=c.int_range(0, 1 << 40),
    ),
    entry("replays.export_mp4", "Export each replay to MP4 when its broadcast ends"),
)
