"""MP4 export of a closed recording: ffmpeg `-c copy` of its best variant's VOD playlist
(`-bsf:a aac_adtstoasc` turns the ADTS audio of the MPEG-TS segments into MP4's), written to a
temp name and renamed, so a download never sees half a file."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import trio

from owncastd.core.replays.models import ExportError

log = logging.getLogger(__name__)

EXPORT_TIMEOUT = 30 * 60.0


def export_command(ffmpeg: str, playlist: Path, target: Path) -> list[str]:
    """The ffmpeg argv that copies `playlist`'s segments into the MP4 `target`."""
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-allowed_extensions", "ALL",
        "-i", str(playlist),
        "-map", "0:v?", "-map", "0:a?",
        "-c", "copy", "-bsf:a", "aac_adtstoasc",
        "-movflags", "+faststart",
        "-f", "mp4", str(target),
    ]  # fmt: skip


async def export_mp4(ffmpeg: str, playlist: Path, target: Path) -> int:
    """Export `playlist` to `target`; its size. Raises ExportError with ffmpeg's last words."""
    partial = target.with_name(f".{target.name}.part")
    try:
        with trio.fail_after(EXPORT_TIMEOUT):
            result = await trio.run_process(
                export_command(ffmpeg, playlist, partial),
                capture_stdout=True,
                capture_stderr=True,
                check=False,
                stdin=subprocess.DEVNULL,
            )
    except (OSError, trio.TooSlowError) as exc:
        partial.unlink(missing_ok=True)
        raise ExportError(f"ffmpeg could not export ({exc})") from exc
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        words = result.stderr.decode(errors="replace").strip().splitlines()
        raise ExportError(f"ffmpeg exited with status {result.returncode}: {words[-1:] or ''}")
    size = await trio.to_thread.run_sync(_move_into_place, partial, target)
    log.info("replay exported path=%s bytes=%d", target, size)
    return size


def _move_into_place(partial: Path, target: Path) -> int:
    partial.replace(target)
    return target.stat().st_size
