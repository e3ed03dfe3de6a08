"""Finding the ffmpeg binary and asking it short questions (DESIGN.md "ffmpeg binary").

Resolution order: the configured `video.ffmpeg_path` → `OWNCAST_FFMPEG` → `ffmpeg` on PATH →
the `imageio-ffmpeg` wheel's bundled binary. A path that was set explicitly but is unusable is
an error naming it, never a silent fallback to another ffmpeg.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import trio

from owncastd.errors import FfmpegNotFoundError

__all__ = ["PROBE_TIMEOUT", "ffmpeg_version", "find_ffmpeg", "run_ffmpeg_probe"]

log = logging.getLogger(__name__)

ENV_VAR = "OWNCAST_FFMPEG"
PROBE_TIMEOUT = 10.0  # seconds for `-version` / `-encoders`
_HOW_TO_GET = (
    "ffmpeg not found: install it (apt-get install ffmpeg) or `pip install imageio-ffmpeg`, "
    f"or set video.ffmpeg_path / {ENV_VAR}"
)


def _explicit(value: str, origin: str, search_path: str) -> str:
    """Validate a path the operator gave; a bare name is looked up on PATH."""
    if os.sep not in value and (os.altsep is None or os.altsep not in value):
        found = shutil.which(value, path=search_path)
        if found is None:
            raise FfmpegNotFoundError(f"{origin} {value!r} is not on PATH")
        return found
    path = Path(value).expanduser()
    if not path.is_file():
        raise FfmpegNotFoundError(f"{origin} {value!r} does not exist or is not a file")
    if not os.access(path, os.X_OK):
        raise FfmpegNotFoundError(f"{origin} {value!r} is not executable")
    return str(path)


def _imageio_ffmpeg() -> str | None:
    """The binary bundled with the `imageio-ffmpeg` wheel, if that package is installed."""
    try:
        module = importlib.import_module("imageio_ffmpeg")
    except ImportError:
        return None
    try:
        exe = module.get_ffmpeg_exe()
    except (RuntimeError, OSError) as exc:
        log.warning("imageio_ffmpeg_unusable error=%s", exc)
        return None
    return str(exe) if exe else None


def find_ffmpeg(configured: str, environ: Mapping[str, str]) -> str:
    """The ffmpeg to run: configured path → $OWNCAST_FFMPEG → PATH → imageio-ffmpeg.

    Raises FfmpegNotFoundError with a one-line message when nothing usable is found or an
    explicitly set path is unusable.
    """
    search_path = environ.get("PATH", os.defpath)
    if configured:
        return _explicit(configured, "video.ffmpeg_path", search_path)
    if environ.get(ENV_VAR):
        return _explicit(environ[ENV_VAR], ENV_VAR, search_path)
    on_path = shutil.which("ffmpeg", path=search_path)
    if on_path is not None:
        return on_path
    bundled = _imageio_ffmpeg()
    if bundled is not None:
        return bundled
    raise FfmpegNotFoundError(_HOW_TO_GET)


async def run_ffmpeg_probe(argv: Sequence[str]) -> str:
    """Run a short ffmpeg query and return its stdout as text.

    Raises FfmpegNotFoundError if it cannot start, fails, or takes longer than PROBE_TIMEOUT.
    """
    try:
        with trio.fail_after(PROBE_TIMEOUT):
            result = await trio.run_process(
                list(argv), capture_stdout=True, capture_stderr=True, check=False
            )
    except trio.TooSlowError:
        raise FfmpegNotFoundError(f"{argv[0]} did not answer within {PROBE_TIMEOUT:g} s") from None
    except OSError as exc:
        raise FfmpegNotFoundError(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
    if result.returncode != 0:
        tail = result.stderr.decode(errors="replace").strip().splitlines()[-1:]
        detail = f": {tail[0]}" if tail else ""
        raise FfmpegNotFoundError(
            f"{argv[0]} {' '.join(argv[1:])} exited with {result.returncode}{detail}"
        )
    return result.stdout.decode(errors="replace")


async def ffmpeg_version(ffmpeg: str) -> str:
    """The first line of `ffmpeg -version`, e.g. "ffmpeg version 5.1.6-0+deb12u1 …"."""
    output = await run_ffmpeg_probe([ffmpeg, "-version"])
    lines = output.strip().splitlines()
    if not lines:
        raise FfmpegNotFoundError(f"{ffmpeg} -version printed nothing")
    return lines[0]
