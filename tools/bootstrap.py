#!/usr/bin/env python3
"""Set up a fresh clone: virtualenv, Python packages, hls.js, ffmpeg (and test tools).

Standard library only: this runs before anything else is installed. Each step is skipped when
already done (a stamp records the hash of pyproject.toml), so the run and test commands stay
fast after the first time.

    python3 tools/bootstrap.py runtime   # what `bin/owncastd` needs
    python3 tools/bootstrap.py test      # plus pytest, Debian's ffmpeg, chromium, systemd, tmux
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import vendor_axe  # tools/vendor_axe.py: axe-core for the web admin's browser tests
import vendor_hlsjs  # tools/vendor_hlsjs.py, beside this script (standard library only)
import vendor_prism  # tools/vendor_prism.py: Prism for the Chatwoot stand-in tests

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("OWNCAST_VENV", ROOT / ".venv"))
APT_PACKAGES = {
    "ffmpeg": "ffmpeg",
    "ffprobe": "ffmpeg",
    "chromium": "chromium",
    "tmux": "tmux",
    "node": "nodejs",
    "npm": "npm",
    "redis-server": "redis-server",  # the cluster tests' Redis (issue 18)
}
APT_FILES = {"systemd-analyze": "systemd"}


def say(message: str) -> None:
    print(f"[bootstrap] {message}", file=sys.stderr, flush=True)


def venv_python() -> Path:
    return VENV / "bin" / "python"


def run(argv: list[str], **kwargs: object) -> None:
    subprocess.run(argv, check=True, **kwargs)  # type: ignore[call-overload]


def ensure_venv() -> None:
    if not venv_python().exists():
        say(f"creating virtualenv {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)


def ensure_packages(extra: str) -> None:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".owncastd-{extra or 'runtime'}-{digest}"
    if stamp.exists():
        return
    target = f"{ROOT}[{extra}]" if extra else str(ROOT)
    say(f"installing Python packages ({extra or 'runtime'})")
    run([str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", target])  # fmt: skip
    stamp.touch()


def ensure_hlsjs() -> None:
    """The pinned hls.js into owncastd/http/static/vendor/ (quiet when already there).

    Before the packages: the editable install's build hook (tools/hatch_build.py) then finds it
    in place, and an unreachable registry is reported in one line, not inside pip's output.
    """
    if vendor_hlsjs.main([]) != 0:
        sys.exit(1)


def ensure_ffmpeg_for_runtime() -> None:
    """A system ffmpeg is used when present; otherwise the imageio-ffmpeg wheel provides one."""
    if shutil.which("ffmpeg"):
        return
    probe = subprocess.run([str(venv_python()), "-c", "import imageio_ffmpeg"], capture_output=True)
    if probe.returncode != 0:
        say("no ffmpeg on PATH: installing the imageio-ffmpeg wheel (the `ffmpeg` extra)")
        run([str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-e", f"{ROOT}[ffmpeg]"])  # fmt: skip


def apt_install(packages: list[str]) -> None:
    if not packages:
        return
    if not shutil.which("apt-get"):
        sys.exit(f"[bootstrap] please install: {' '.join(packages)} (no apt-get here)")
    prefix: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            sys.exit(f"[bootstrap] please install as root: apt-get install {' '.join(packages)}")
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say(f"apt-get install {' '.join(packages)}")
    run([*prefix, "apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
    run([*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env=env, stdout=subprocess.DEVNULL)  # fmt: skip


def ensure_test_system_packages() -> None:
    missing = {pkg for cmd, pkg in APT_PACKAGES.items() if not shutil.which(cmd)}
    missing |= {pkg for cmd, pkg in APT_FILES.items() if not shutil.which(cmd)}
    apt_install(sorted(missing))


def ensure_s3rver() -> None:
    """s3rver, a second S3-compatible server for the storage tests (tests/s3_server.py), from
    the npm registry with the lockfile's integrity hashes (`npm ci`), into tests/s3rver/."""
    folder = ROOT / "tests" / "s3rver"
    lock = folder / "package-lock.json"
    stamp = (
        folder / "node_modules" / f".installed-{hashlib.sha256(lock.read_bytes()).hexdigest()[:16]}"
    )
    if stamp.exists():
        return
    say("installing s3rver (npm ci) for the storage tests")
    run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"], cwd=folder,
        stdin=subprocess.DEVNULL)  # fmt: skip
    stamp.touch()


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else "runtime"
    if mode not in ("runtime", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    ensure_hlsjs()
    ensure_packages("test" if mode == "test" else "")
    if mode == "test":
        ensure_test_system_packages()
        ensure_s3rver()
        if vendor_axe.main([]) != 0:
            return 1
        if vendor_prism.main([]) != 0:
            return 1
    else:
        ensure_ffmpeg_for_runtime()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
