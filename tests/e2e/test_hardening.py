"""The sandbox the systemd unit asks for, applied for real where systemd cannot run here.

`MemoryDenyWriteExecute=yes` is only in the unit because the daemon and ffmpeg work under it:
this runs owncastd (and so the ffmpeg it starts) under the kernel's PR_SET_MDWE, the same
W^X rule (no writable+executable mappings, no gaining PROT_EXEC) that systemd applies with
seccomp or, on newer versions, with this very prctl; it is inherited across fork and exec.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import harness
from tests.e2e.harness import DaemonProcess, Publisher, write_config

pytestmark = pytest.mark.e2e

PR_SET_MDWE = 65
PR_GET_MDWE = 66
PR_MDWE_REFUSE_EXEC_GAIN = 1
WRAPPER = """#!{python}
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl({set_mdwe}, {refuse}, 0, 0, 0) != 0:
    sys.exit("PR_SET_MDWE failed: errno %d" % ctypes.get_errno())
os.execv({target!r}, [{target!r}, *sys.argv[1:]])
"""


def mdwe_supported() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_GET_MDWE, 0, 0, 0, 0) >= 0


def write_wrapper(path: Path, target: str) -> Path:
    """An executable that turns MDWE on, then becomes `target` with the same arguments."""
    path.write_text(
        WRAPPER.format(
            python=sys.executable,
            set_mdwe=PR_SET_MDWE,
            refuse=PR_MDWE_REFUSE_EXEC_GAIN,
            target=target,
        )
    )
    path.chmod(0o755)
    return path


@pytest.fixture(name="mdwe")
def mdwe_fixture() -> None:
    if not mdwe_supported():
        pytest.skip(f"this kernel ({os.uname().release}) has no PR_SET_MDWE (Linux >= 6.3)")


def test_the_rule_is_really_enforced_and_inherited(mdwe, tmp_path):
    probe = (
        "import ctypes, mmap; print(ctypes.CDLL(None).prctl(66, 0, 0, 0, 0), flush=True);"
        "mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)"
    )
    python = write_wrapper(tmp_path / "python-mdwe", sys.executable)
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "1"  # still set after exec
    assert "PermissionError" in result.stderr  # a W+X mapping is refused


def test_owncastd_and_ffmpeg_stream_under_memory_deny_write_execute(mdwe, tmp_path, monkeypatch):
    wrapper = write_wrapper(tmp_path / "owncastd-mdwe", str(harness.OWNCASTD))
    monkeypatch.setattr(harness, "OWNCASTD", wrapper)
    data = tmp_path / "data"
    write_config(data, latency=0)
    daemon = DaemonProcess(data).wait_ready()
    publisher = Publisher(daemon.rtmp_url())
    try:
        daemon.wait_online()
        playlist = daemon.get("/hls/0/stream.m3u8")
        assert playlist.status_code == 200 and ".ts" in playlist.text
        segment = next(line for line in playlist.text.splitlines() if line.endswith(".ts"))
        assert len(daemon.get(f"/hls/0/{segment}").content) > 10_000
        assert "ffmpeg" not in "\n".join(
            line for line in daemon.lines if "ERROR" in line or "Traceback" in line
        )
    finally:
        publisher.stop()
        assert daemon.stop() == 0, daemon.log()
