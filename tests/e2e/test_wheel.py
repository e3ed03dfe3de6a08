"""A wheel or sdist built from the repo runs the viewer page, hls.js included.

hls.js is gitignored (third-party code is fetched, never committed), so only the build hook
(tools/hatch_build.py) puts it into the artifacts. Builds here never reach the npm registry:
it is pointed at a closed port on 127.0.0.1, so they use the copy the bootstrap fetched.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import harness

pytestmark = pytest.mark.e2e

ROOT = harness.ROOT
HLSJS = "owncastd/http/static/vendor/hls.min.js"
HLSJS_LICENSE = "owncastd/http/static/vendor/hls.min.js.LICENSE.txt"
SAMPLE = "owncastd/_sample/owncast.toml"
IMPORT = re.compile(r"""^\s*import\b[^'"]*['"]\./([^'"]+)['"]""", re.MULTILINE)
SCRIPT_SRC = re.compile(r"""<script\b[^>]*\bsrc="(/static/[^"]+\.js)\"""")
HLSJS_URL = re.compile(r"HLSJS_URL = '([^']+)'")


@pytest.fixture
def offline_env() -> Iterator[dict[str, str]]:
    """The environment for builds, with the npm registry on a port that refuses connections."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        registry = f"http://127.0.0.1:{closed.getsockname()[1]}/"
        yield {**os.environ, "npm_config_registry": registry, "NPM_CONFIG_REGISTRY": registry}


def run(argv: list[str], env: dict[str, str], cwd: Path = ROOT, timeout: float = 60) -> str:
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def build_wheel(source: Path, out: Path, env: dict[str, str]) -> Path:
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out), str(source)], env)  # fmt: skip
    [wheel] = out.glob("owncastd-*.whl")
    return wheel


def build_sdist(out: Path, env: dict[str, str]) -> Path:
    """The sdist through the PEP 517 hook, as `python -m build --sdist` would call it."""
    out.mkdir()
    code = f"import hatchling.build as b; print(b.build_sdist({str(out)!r}))"
    name = run([sys.executable, "-c", code], env).strip().splitlines()[-1]
    return out / name


def install_without_the_checkout(wheel: Path, path: Path, env: dict[str, str]) -> Path:
    """Install `wheel` into a new virtualenv that sees .venv's dependencies but not the
    editable owncastd; returns its python.

    A .pth line that is a directory only adds it to sys.path: the .pth files inside it (the
    editable install's `_editable_impl_owncastd.pth`, pointing at the checkout) are not read.
    """
    venv.EnvBuilder(with_pip=False, symlinks=True).create(path)
    purelib = sysconfig.get_path("purelib", vars={"base": str(path), "platbase": str(path)})
    (Path(purelib) / "zz_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    python = path / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--disable-pip-version-check", "-q", str(wheel)], env, cwd=path)  # fmt: skip
    return python


def viewer_scripts(daemon: harness.DaemonProcess) -> dict[str, str]:
    """Every module script the page at / loads, followed through its imports: {url: text}."""
    page = daemon.get("/")
    assert page.status_code == 200, daemon.log()
    assert page.headers["content-type"].startswith("text/html")
    pending, scripts = SCRIPT_SRC.findall(page.text), {}
    assert pending, page.text
    while pending:
        url = pending.pop()
        if url in scripts:
            continue
        response = daemon.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}\n{daemon.log()}"
        scripts[url] = response.text
        pending += [f"/static/{name}" for name in IMPORT.findall(response.text)]
    return scripts


def test_wheel_from_the_repo_serves_a_viewer_page_that_plays(tmp_path, offline_env, monkeypatch):
    wheel = build_wheel(ROOT, tmp_path / "dist", offline_env)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {HLSJS, HLSJS_LICENSE, SAMPLE} <= names
        assert archive.read(HLSJS) == (ROOT / HLSJS).read_bytes()
        assert archive.read(SAMPLE) == (ROOT / "config" / "owncast.toml").read_bytes()

    clean_env = {**offline_env, "PYTHONPATH": "", "PYTHONNOUSERSITE": "1"}
    python = install_without_the_checkout(wheel, tmp_path / "venv", clean_env)
    where = "import owncastd; print(owncastd.__file__)"
    where = run([str(python), "-c", where], clean_env, cwd=tmp_path).strip()
    assert Path(where).is_relative_to(tmp_path / "venv"), where  # the wheel, not the checkout
    sample = "from owncastd.config.load import sample_config_text as s; print(s(), end='')"
    sample = run([str(python), "-c", sample], clean_env, cwd=tmp_path)
    assert sample == (ROOT / "config" / "owncast.toml").read_text()

    monkeypatch.setattr(harness, "OWNCASTD", tmp_path / "venv" / "bin" / "owncastd")
    monkeypatch.chdir(tmp_path)
    harness.write_config(tmp_path / "data")
    daemon = harness.DaemonProcess(tmp_path / "data", env=clean_env).wait_ready()
    try:
        scripts = viewer_scripts(daemon)
        [hlsjs_url] = {m for text in scripts.values() for m in HLSJS_URL.findall(text)}
        response = daemon.get(hlsjs_url)
        assert response.status_code == 200, f"{hlsjs_url}: {response.status_code}"
        assert "javascript" in response.headers["content-type"]
        assert response.content == (ROOT / HLSJS).read_bytes()
    finally:
        stopped = daemon.stop()
    assert stopped == 0, daemon.log()


@pytest.fixture
def unpacked_sdist(tmp_path, offline_env) -> Path:
    sdist = build_sdist(tmp_path / "sdist", offline_env)
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    [tree] = (tmp_path / "src").iterdir()
    return tree


def test_sdist_carries_hlsjs_so_its_wheel_builds_offline(tmp_path, offline_env, unpacked_sdist):
    assert (unpacked_sdist / HLSJS).read_bytes() == (ROOT / HLSJS).read_bytes()
    assert (unpacked_sdist / HLSJS_LICENSE).is_file()

    wheel = build_wheel(unpacked_sdist, tmp_path / "dist", offline_env)

    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(HLSJS) == (ROOT / HLSJS).read_bytes()
        assert HLSJS_LICENSE in archive.namelist()


def test_a_build_without_hlsjs_or_registry_fails_in_one_line(tmp_path, offline_env, unpacked_sdist):
    for path in (unpacked_sdist / HLSJS).parent.iterdir():
        path.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(unpacked_sdist)],
        env=offline_env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "error: cannot build owncastd without hls.js: cannot reach the npm registry" in (
        done.stdout + done.stderr
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))
