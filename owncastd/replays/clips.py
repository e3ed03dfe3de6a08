"""Clips: a range of a recording (or the last seconds of the one being recorded) cut into an
MP4 with ffmpeg `-c copy` from the segments that cover it (so cuts snap to keyframes).

A clip lives in its recording (`recordings/<id>/clips/<clip>.mp4`) and goes with it; the
segments are read through a temporary playlist beside them.
"""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

import trio

from owncastd.core.replays.models import ExportError
from owncastd.core.replays.vod import VodPlaylist, covering, parse_segments

CLIP_TIMEOUT = 120.0
MAX_CLIP_SECONDS = 120.0


def clip_command(
    ffmpeg: str, playlist: Path, offset: float, duration: float, target: Path
) -> list[str]:
    """The ffmpeg argv cutting `duration` s from `offset` s into `playlist` to the MP4 `target`."""
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-ss", f"{offset:.3f}", "-i", str(playlist), "-t", f"{duration:.3f}",
        "-map", "0:v?", "-map", "0:a?",
        "-c", "copy", "-bsf:a", "aac_adtstoasc", "-movflags", "+faststart",
        "-f", "mp4", str(target),
    ]  # fmt: skip


def clip_range(
    playlist_text: str, start: float | None, duration: float
) -> tuple[VodPlaylist, float, float]:
    """(the covering segments, offset into them, the clip's length) for `start` (None: the
    last `duration` seconds). Raises ValueError when the range is outside the recording."""
    segments, _ = parse_segments(playlist_text)
    total = sum(s.duration for s in segments)
    if start is None:
        start = max(0.0, total - duration)
    if not segments or start >= total:
        raise ValueError(f"start must be before the end of the recording ({total:.1f} s)")
    chosen, offset = covering(segments, start, duration)
    return VodPlaylist(chosen), offset, min(duration, total - start)


async def make_clip(ffmpeg: str, variant_dir: Path, plan: tuple[VodPlaylist, float, float]) -> str:
    """Cut the clip; its id (`clips/<id>.mp4` in the recording). Raises ExportError."""
    playlist, offset, duration = plan
    clip_id = secrets.token_hex(6)
    clips = variant_dir.parent / "clips"
    source = variant_dir / f".clip-{clip_id}.m3u8"
    target = clips / f"{clip_id}.mp4"
    partial = clips / f".{clip_id}.part"
    await trio.to_thread.run_sync(_prepare, clips, source, playlist.render(closed=True))
    try:
        with trio.fail_after(CLIP_TIMEOUT):
            result = await trio.run_process(
                clip_command(ffmpeg, source, offset, duration, partial),
                capture_stdout=True,
                capture_stderr=True,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        if result.returncode != 0:
            words = result.stderr.decode(errors="replace").strip().splitlines()
            raise ExportError(f"ffmpeg exited with status {result.returncode}: {words[-1:]}")
        await trio.to_thread.run_sync(partial.replace, target)
    except (OSError, trio.TooSlowError) as exc:
        raise ExportError(f"ffmpeg could not cut the clip ({exc})") from exc
    finally:
        await trio.to_thread.run_sync(_clean, source, partial)
    return clip_id


def _prepare(clips: Path, source: Path, text: str) -> None:
    clips.mkdir(exist_ok=True)
    source.write_text(text)


def _clean(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
