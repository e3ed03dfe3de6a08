"""find_ffmpeg resolution order and errors; the version probe."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
import trio

from owncastd.errors import FfmpegNotFoundError
from owncastd.hls.ffmpeg_binary import ffmpeg_version, find_ffmpeg, run_ffmpeg_probe


def fake_exe(directory: Path, name: str = "ffmpeg", body: str = "exit 0") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_imageio(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes `import imageio_ffmpeg` raise ImportError.
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)


@pytest.fixture
def imageio(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    exe = fake_exe(tmp_path / "imageio", "ffmpeg-linux64-v7.0")
    module = types.ModuleType("imageio_ffmpeg")
    module.get_ffmpeg_exe = lambda: str(exe)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", module)
    return exe


def test_configured_path_wins(tmp_path: Path, imageio: Path) -> None:
    configured = fake_exe(tmp_path / "conf")
    env_exe = fake_exe(tmp_path / "env")
    on_path = fake_exe(tmp_path / "bin")
    environ = {"OWNCAST_FFMPEG": str(env_exe), "PATH": str(on_path.parent)}
    assert find_ffmpeg(str(configured), environ) == str(configured)


def test_env_var_before_path(tmp_path: Path, imageio: Path) -> None:
    env_exe = fake_exe(tmp_path / "env")
    on_path = fake_exe(tmp_path / "bin")
    environ = {"OWNCAST_FFMPEG": str(env_exe), "PATH": str(on_path.parent)}
    assert find_ffmpeg("", environ) == str(env_exe)


def test_path_before_imageio(tmp_path: Path, imageio: Path) -> None:
    on_path = fake_exe(tmp_path / "bin")
    environ = {"PATH": f"{tmp_path / 'empty'}:{on_path.parent}"}
    assert find_ffmpeg("", environ) == str(on_path)


def test_imageio_last(tmp_path: Path, imageio: Path) -> None:
    assert find_ffmpeg("", {"PATH": str(tmp_path / "empty")}) == str(imageio)


def test_nothing_found_says_how_to_get_it(tmp_path: Path, no_imageio: None) -> None:
    with pytest.raises(FfmpegNotFoundError) as info:
        find_ffmpeg("", {"PATH": str(tmp_path / "empty")})
    message = str(info.value)
    assert "\n" not in message
    assert "apt-get install ffmpeg" in message
    assert "pip install imageio-ffmpeg" in message
    assert "OWNCAST_FFMPEG" in message


def test_broken_imageio_falls_through_to_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("imageio_ffmpeg")

    def missing() -> str:
        raise RuntimeError("No ffmpeg exe could be found")

    module.get_ffmpeg_exe = missing  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", module)
    with pytest.raises(FfmpegNotFoundError, match="ffmpeg not found"):
        find_ffmpeg("", {"PATH": str(tmp_path / "empty")})


def test_missing_configured_path_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    on_path = fake_exe(tmp_path / "bin")
    missing = tmp_path / "opt" / "ffmpeg"
    with pytest.raises(FfmpegNotFoundError, match=str(missing)):
        find_ffmpeg(str(missing), {"PATH": str(on_path.parent)})
    assert find_ffmpeg(str(on_path), {"PATH": ""}) == str(on_path)  # one that exists is used


def test_non_executable_configured_path(tmp_path: Path) -> None:
    plain = tmp_path / "ffmpeg"
    plain.write_text("not a program")
    plain.chmod(0o644)
    with pytest.raises(FfmpegNotFoundError, match="not executable"):
        find_ffmpeg(str(plain), {"PATH": str(fake_exe(tmp_path / "bin").parent)})
    plain.chmod(0o755)  # the same file made executable is taken
    assert find_ffmpeg(str(plain), {"PATH": ""}) == str(plain)


def test_bad_env_var_is_an_error(tmp_path: Path) -> None:
    on_path = fake_exe(tmp_path / "bin")
    environ = {"OWNCAST_FFMPEG": str(tmp_path / "gone"), "PATH": str(on_path.parent)}
    with pytest.raises(FfmpegNotFoundError, match="OWNCAST_FFMPEG"):
        find_ffmpeg("", environ)
    environ["OWNCAST_FFMPEG"] = str(on_path)  # pointing at a real one, it is used
    assert find_ffmpeg("", environ) == str(on_path)


def test_configured_bare_name_is_looked_up_on_path(tmp_path: Path) -> None:
    exe = fake_exe(tmp_path / "bin", "ffmpeg7")
    assert find_ffmpeg("ffmpeg7", {"PATH": str(exe.parent)}) == str(exe)
    with pytest.raises(FfmpegNotFoundError, match="ffmpeg6"):
        find_ffmpeg("ffmpeg6", {"PATH": str(exe.parent)})


async def test_version_first_line(tmp_path: Path) -> None:
    exe = fake_exe(
        tmp_path, body='[ "$1" = -version ] || exit 2\necho "ffmpeg version 7.0-test"\necho more'
    )
    assert await ffmpeg_version(str(exe)) == "ffmpeg version 7.0-test"


@pytest.mark.skipif(not Path("/usr/bin/ffmpeg").exists(), reason="needs Debian's ffmpeg")
async def test_version_real() -> None:
    assert (await ffmpeg_version("/usr/bin/ffmpeg")).startswith("ffmpeg version ")


async def test_probe_times_out(tmp_path: Path, autojump_clock: trio.abc.Clock) -> None:
    exe = fake_exe(tmp_path, body="exec sleep 30")
    with pytest.raises(FfmpegNotFoundError, match="did not answer within 10 s"):
        await run_ffmpeg_probe([str(exe), "-version"])
